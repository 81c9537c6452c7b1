"""The PR lifecycle end to end: the real pipeline, the real registry, real git over smart
HTTP, and a forge fake that PyGithub / python-gitlab talk to unmodified."""

from __future__ import annotations

import json
import logging
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.git import Identity
from bot.model import RunResult
from bot.platforms.forge import ForgePlatform
from bot.worker import run_repository
from tests.fakes.github import FakeGitHub
from tests.fakes.gitlab import FakeGitLab
from tests.fakes.sides import PR, REPO, GitHubSide, GitLabSide, Side
from tests.registry import Registry

TOKEN = "ghp-e2e-secret-token-4242424242"
BOT = Identity(name="upkeep", email="upkeep@users.noreply.upkeep.invalid")


@dataclass
class Forge:
    side: Side
    registry: Registry
    workdir: Path
    image: str

    def run(self, now: datetime | None = None, **global_config: Any) -> RunResult:
        config = {"hostRules": [{"matchHost": "127.0.0.1", "insecureRegistry": True}], **global_config}
        forge = self.side.forge()
        try:
            platform = ForgePlatform(forge, REPO, workdir=self.workdir, author=BOT, now=now)
            return run_repository(platform, config, repository=REPO, now=now)
        finally:
            forge.close()  # type: ignore[attr-defined]

    def push(self, files: dict[str, str], branch: str = "main") -> None:
        self.side.push(files, branch)

    def file(self, branch: str, path: str) -> str:
        text = self.side.file(branch, path)
        assert text is not None
        return text

    def open_prs(self) -> dict[str, PR]:
        return self.side.open_prs()


@pytest.fixture(params=["github", "gitlab"])
def forge(request: pytest.FixtureRequest, tmp_path: Path, registry: Registry) -> Iterator[Forge]:
    name = registry.repository("shop")
    for tag in ["1.0.0", "1.1.0", "2.0.0"]:
        registry.push_image(name, tag)
    image = f"{registry.host}/{name}"
    files = {
        "compose.yaml": f"services:\n  web:\n    image: {image}:1.0.0\n".encode(),
        "renovate.json": json.dumps({"labels": ["dependencies"]}).encode(),
    }
    if request.param == "github":
        with FakeGitHub(tmp_path / "gh", token=TOKEN, repos={}) as gh:
            yield Forge(GitHubSide(gh, TOKEN, files), registry, tmp_path / "work", image)
    else:
        with FakeGitLab(tmp_path / "gl", token=TOKEN, files={}) as gl:
            yield Forge(GitLabSide(gl, files), registry, tmp_path / "work", image)


def branch_names(result: RunResult) -> dict[str, str]:
    return {b.branch.name: str(b.result) for b in result.branches}


def sanitized(image: str) -> str:
    return image.replace("/", "-").replace(":", "-")


def test_first_run_opens_prs_and_a_rerun_changes_nothing(forge: Forge) -> None:
    result = forge.run()
    assert result.status == "success", result.problems
    s = sanitized(forge.image)
    assert branch_names(result) == {f"upkeep/{s}-1.x": "created", f"upkeep/{s}-2.x": "created"}
    prs = forge.open_prs()
    minor = prs[f"upkeep/{s}-1.x"]
    assert minor.title == f"Update {forge.image} Docker tag to v1.1.0"
    assert minor.labels == ["dependencies"]
    assert f"| {forge.image} | service | minor | `1.0.0` -> `1.1.0` |" in minor.body
    assert "- [ ] <!-- rebase-check -->" in minor.body
    assert f"image: {forge.image}:1.1.0" in forge.file(f"upkeep/{s}-1.x", "compose.yaml")

    writes_before = forge.side.writes()
    result = forge.run()
    assert set(branch_names(result).values()) == {"unchanged"}
    writes_after = forge.side.writes()
    assert writes_after == writes_before  # nothing written, no PR touched


def test_new_version_updates_the_same_branch_and_pr(forge: Forge) -> None:
    forge.run()
    s = sanitized(forge.image)
    number = forge.open_prs()[f"upkeep/{s}-1.x"].number
    forge.registry.push_image(forge.image.split("/", 1)[1], "1.2.0")
    result = forge.run()
    assert branch_names(result)[f"upkeep/{s}-1.x"] == "updated"
    pr = forge.open_prs()[f"upkeep/{s}-1.x"]
    assert pr.number == number
    assert pr.title == f"Update {forge.image} Docker tag to v1.2.0"
    assert ":1.2.0" in forge.file(f"upkeep/{s}-1.x", "compose.yaml")


def test_base_moves_and_the_branch_is_rebased_when_behind(forge: Forge) -> None:
    forge.push({"renovate.json": json.dumps({"rebaseWhen": "behind-base-branch"})})
    forge.run()
    forge.push({"README.md": "docs\n"})
    result = forge.run()
    assert set(branch_names(result).values()) == {"updated"}
    s = sanitized(forge.image)
    head = forge.side.branch_sha(f"upkeep/{s}-1.x")
    base = forge.side.branch_sha("main")
    parent = subprocess.run(["git", "rev-parse", f"{head}^"], cwd=forge.side.repo_path(),
                            capture_output=True, text=True, check=True).stdout.strip()
    assert parent == base


def test_closed_pr_is_not_reopened_and_says_why(forge: Forge) -> None:
    forge.run()
    s = sanitized(forge.image)
    pr = forge.open_prs()[f"upkeep/{s}-2.x"]
    forge.side.close(pr.number)
    result = forge.run()
    assert branch_names(result)[f"upkeep/{s}-2.x"] == "ignored"
    assert f"upkeep/{s}-2.x" not in forge.open_prs()
    comments = forge.side.comments(pr.number)
    assert any("ignore this major version" in c for c in comments)
    forge.run()
    assert len([c for c in forge.side.comments(pr.number) if "Ignore" in c]) == 1


def test_a_users_commit_on_the_branch_is_left_alone(forge: Forge) -> None:
    forge.run()
    s = sanitized(forge.image)
    branch = f"upkeep/{s}-1.x"
    forge.push({"notes.txt": "mine\n"}, branch=branch)
    users_head = forge.side.branch_sha(branch)
    forge.registry.push_image(forge.image.split("/", 1)[1], "1.3.0")  # upkeep would like to update it
    result = forge.run()
    assert branch_names(result)[branch] == "blocked"
    assert forge.side.branch_sha(branch) == users_head
    pr = forge.open_prs()[branch]
    assert "upkeep did not make" in pr.body

    # ticking the rebase checkbox lets upkeep discard the foreign commit
    forge.side.edit_pr_body(pr.number, pr.body.replace("- [ ] <!-- rebase-check -->", "- [x] <!-- rebase-check -->"))
    result = forge.run()
    assert branch_names(result)[branch] == "updated"
    assert forge.file(branch, "compose.yaml").count(":1.3.0") == 1


def test_green_checks_lead_to_automerge_by_upkeep(forge: Forge) -> None:
    forge.push({"renovate.json": json.dumps({"automerge": True, "platformAutomerge": False, "rebaseWhen": "behind-base-branch"})})
    forge.run()
    s = sanitized(forge.image)
    branch = f"upkeep/{s}-1.x"
    head = forge.side.branch_sha(branch)
    assert head is not None
    forge.side.set_status(head, "pending")
    result = forge.run()
    assert branch_names(result)[branch] == "unchanged"  # pending: never merged
    forge.side.set_status(head, "success")
    result = forge.run()
    assert branch_names(result)[branch] == "automerged"
    assert ":1.1.0" in forge.file("main", "compose.yaml")


def test_platform_automerge_is_enabled_and_the_forge_merges(forge: Forge) -> None:
    forge.push({"renovate.json": json.dumps({"packageRules": [{"matchUpdateTypes": ["minor"], "automerge": True}]})})
    forge.run()
    s = sanitized(forge.image)
    assert not forge.open_prs()[f"upkeep/{s}-2.x"].automerge  # major: no automerge
    if forge.side.name == "gitlab":
        # merge when pipeline succeeds, on a project without CI: GitLab merges at once
        [minor] = [p for p in forge.side.all_prs() if p.branch == f"upkeep/{s}-1.x"]
        assert forge.side.merged(minor.number)
        assert "1.1.0" in forge.file("main", "compose.yaml")
        return
    pr = forge.open_prs()[f"upkeep/{s}-1.x"]
    # GitHub refuses auto-merge while a PR has no pending checks; upkeep asks again next run
    assert not pr.automerge
    forge.side.set_status(pr.head_sha, "pending")
    forge.run()
    pr = forge.open_prs()[f"upkeep/{s}-1.x"]
    assert pr.automerge
    forge.side.set_status(pr.head_sha, "success")
    assert forge.side.merged(pr.number)


def test_branch_automerge_fast_forwards_the_base_without_a_pr(forge: Forge) -> None:
    forge.push({"renovate.json": json.dumps({"packageRules": [{"matchUpdateTypes": ["minor"], "automerge": True, "automergeType": "branch"}]})})
    forge.run()
    s = sanitized(forge.image)
    branch = f"upkeep/{s}-1.x"
    assert branch not in forge.open_prs()
    head = forge.side.branch_sha(branch)
    assert head is not None
    forge.side.set_status(head, "success")
    result = forge.run()
    assert branch_names(result)[branch] == "automerged"
    assert forge.side.branch_sha("main") == head
    assert forge.side.branch_sha(branch) is None


def test_failing_checks_on_branch_automerge_open_a_pr(forge: Forge) -> None:
    forge.push({"renovate.json": json.dumps({"packageRules": [{"matchUpdateTypes": ["minor"], "automerge": True, "automergeType": "branch"}]})})
    forge.run()
    s = sanitized(forge.image)
    head = forge.side.branch_sha(f"upkeep/{s}-1.x")
    assert head is not None
    forge.side.set_status(head, "failure")
    forge.run()
    assert f"upkeep/{s}-1.x" in forge.open_prs()


def test_obsolete_prs_are_closed_and_their_branches_deleted(forge: Forge) -> None:
    forge.run()
    s = sanitized(forge.image)
    # someone updates main to 2.0.0 by hand: both PRs are obsolete
    forge.push({"compose.yaml": f"services:\n  web:\n    image: {forge.image}:2.0.0\n"})
    result = forge.run()
    assert result.extra.get("closed") == [f"upkeep/{s}-1.x", f"upkeep/{s}-2.x"]
    assert forge.open_prs() == {}
    assert forge.side.branch_sha(f"upkeep/{s}-1.x") is None


def test_token_never_reaches_logs_reports_or_git_config(forge: Forge, caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    caplog.set_level(logging.DEBUG)
    result = forge.run()
    from bot import report

    assert TOKEN not in json.dumps(report.build([result]))
    assert TOKEN not in caplog.text
    for config in forge.workdir.rglob("config"):
        assert TOKEN not in config.read_text(errors="replace")
    for pr in forge.open_prs().values():
        assert TOKEN not in pr.body



@dataclass
class Board:
    number: int
    body: str


def dashboard_issue(forge: Forge) -> Board:
    found = forge.side.issue("Dependency Dashboard")
    assert found is not None
    return Board(*found)


def tick(forge: Forge, issue: Board, marker: str) -> None:
    body = issue.body.replace(f"- [ ] <!-- {marker} -->", f"- [x] <!-- {marker} -->")
    assert body != issue.body, marker
    forge.side.edit_issue(issue.number, body)


def test_dashboard_approval_holds_branches_until_ticked(forge: Forge) -> None:
    forge.push({"renovate.json": json.dumps({"dependencyDashboardApproval": True})})
    result = forge.run()
    s = sanitized(forge.image)
    assert set(branch_names(result).values()) == {"awaiting-approval"}
    assert forge.open_prs() == {}
    issue = dashboard_issue(forge)
    assert "## Pending Approval" in issue.body
    assert "## Detected Dependencies" in issue.body
    assert f"`{forge.image}:1.0.0`" in issue.body

    tick(forge, issue, f"approve-branch=upkeep/{s}-2.x")
    result = forge.run()
    assert branch_names(result) == {f"upkeep/{s}-1.x": "awaiting-approval", f"upkeep/{s}-2.x": "created"}
    assert set(forge.open_prs()) == {f"upkeep/{s}-2.x"}
    issue = dashboard_issue(forge)
    assert "## Open" in issue.body
    assert f"<!-- approve-branch=upkeep/{s}-2.x -->" not in issue.body


def test_dashboard_lists_why_images_were_not_updated_and_unschedules_on_request(forge: Forge) -> None:
    other = forge.registry.repository("pinned")
    for tag in ["1.0.0-alpine", "1.1.0", "1.1.0-bookworm"]:
        forge.registry.push_image(other, tag)
    forge.push({
        "renovate.json": json.dumps({"dependencyDashboard": True, "schedule": ["before 4am on the first day of the month"]}),
        "k8s.yaml": f"apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n      image: {forge.registry.host}/{other}:1.0.0-alpine\n",
    })
    wednesday_noon = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    result = forge.run(now=wednesday_noon)
    s = sanitized(forge.image)
    issue = dashboard_issue(forge)
    assert "## Not Updated, and Why" in issue.body
    assert f"`{forge.registry.host}/{other}`: suffix or precision differs" in issue.body
    assert branch_names(result)[f"upkeep/{s}-1.x"] == "not-scheduled"
    assert "## Awaiting Schedule" in issue.body
    tick(forge, issue, f"unschedule-branch=upkeep/{s}-1.x")
    result = forge.run(now=wednesday_noon)
    assert branch_names(result)[f"upkeep/{s}-1.x"] == "created"
    assert branch_names(result)[f"upkeep/{s}-2.x"] == "not-scheduled"
    first_of_month = datetime(2027, 1, 1, 3, 0, tzinfo=UTC)
    result = forge.run(now=first_of_month)
    assert branch_names(result)[f"upkeep/{s}-2.x"] == "created"


def test_pr_body_links_the_source_repository_from_the_image_label(forge: Forge) -> None:
    repo = forge.image.split("/", 1)[1]
    # the newest image's labels name the source, as in Renovate
    forge.registry.push_image(repo, "3.0.0", labels={"org.opencontainers.image.source": "https://github.com/octo/shop-image"})
    forge.run()
    s = sanitized(forge.image)
    pr = forge.open_prs()[f"upkeep/{s}-1.x"]
    source = "[{0}](https://github.com/octo/shop-image) ([changelog](https://github.com/octo/shop-image/releases))"
    assert f"| {source.format(forge.image)} | service | minor | `1.0.0` -> `1.1.0` |" in pr.body


def test_rebase_label_rebuilds_the_branch_and_is_removed(forge: Forge) -> None:
    forge.run()
    s = sanitized(forge.image)
    branch = f"upkeep/{s}-1.x"
    pr = forge.open_prs()[branch]
    before = forge.side.branch_sha(branch)
    forge.push({"README.md": "docs\n"})  # the base moves; rebaseWhen auto (conflicted) alone would not rebuild
    assert branch_names(forge.run())[branch] == "unchanged"
    forge.side.set_labels(pr.number, [*pr.labels, "rebase"])
    result = forge.run()
    assert branch_names(result)[branch] == "updated"
    head = forge.side.branch_sha(branch)
    assert head != before
    parent = subprocess.run(["git", "rev-parse", f"{head}^"], cwd=forge.side.repo_path(),
                            capture_output=True, text=True, check=True).stdout.strip()
    assert parent == forge.side.branch_sha("main")
    assert "rebase" not in forge.open_prs()[branch].labels
    result = forge.run()
    assert branch_names(result)[branch] == "unchanged"  # the request was done once


def test_a_failing_registry_is_shown_on_the_dashboard_and_nothing_is_closed(forge: Forge) -> None:
    forge.push({"renovate.json": json.dumps({"dependencyDashboard": True})})
    forge.run()
    opened = set(forge.open_prs())
    forge.push({"k8s.yaml": "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n      image: 127.0.0.1:9/down/app:1.0.0\n"})
    result = forge.run()
    assert result.status == "error"
    board = dashboard_issue(forge)
    assert "The last run ended with an error" in board.body
    assert "127.0.0.1:9" in board.body
    assert set(forge.open_prs()) == opened  # no PR closed because of the failure


def test_rebase_when_never_keeps_the_branch_and_its_pr_as_they_are(forge: Forge) -> None:
    forge.push({"renovate.json": json.dumps({"rebaseWhen": "never"})})
    forge.run()
    s = sanitized(forge.image)
    branch = f"upkeep/{s}-1.x"
    before = forge.open_prs()[branch]
    forge.registry.push_image(forge.image.split("/", 1)[1], "1.2.0")
    result = forge.run()
    assert branch_names(result)[branch] == "unchanged"
    assert result.status == "success"
    after = forge.open_prs()[branch]
    assert after.title == before.title == f"Update {forge.image} Docker tag to v1.1.0"  # says what the branch holds
    assert ":1.1.0" in forge.file(branch, "compose.yaml")
    forge.side.edit_pr_body(after.number, after.body.replace("- [ ] <!-- rebase-check -->", "- [x] <!-- rebase-check -->"))
    result = forge.run()
    assert branch_names(result)[branch] == "updated"
    assert forge.open_prs()[branch].title == f"Update {forge.image} Docker tag to v1.2.0"


def test_a_registry_outage_keeps_the_boxes_people_ticked(forge: Forge) -> None:
    forge.push({"renovate.json": json.dumps({"dependencyDashboardApproval": True})})
    forge.run()
    s = sanitized(forge.image)
    tick(forge, dashboard_issue(forge), f"approve-branch=upkeep/{s}-2.x")
    forge.push({"k8s.yaml": "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n      image: 127.0.0.1:9/down/app:1.0.0\n"})
    assert forge.run().status == "error"
    board = dashboard_issue(forge)
    assert "The last run ended with an error" in board.body
    assert f"- [x] <!-- approve-branch=upkeep/{s}-2.x -->" in board.body
    forge.push({"k8s.yaml": "# the broken image is gone\n"})
    result = forge.run()
    assert branch_names(result)[f"upkeep/{s}-2.x"] == "created"
    assert "The last run ended with an error" not in dashboard_issue(forge).body
