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
from bot.platforms.github import GitHubForge
from bot.worker import run_repository
from tests.fakes.github import FakeGitHub
from tests.registry import Registry

TOKEN = "ghp-e2e-secret-token-4242424242"
BOT = Identity(name="upkeep", email="upkeep@users.noreply.upkeep.invalid")
REPO = "octo/shop"


@dataclass
class Forge:
    server: FakeGitHub
    registry: Registry
    workdir: Path
    image: str

    def run(self, now: datetime | None = None, **global_config: Any) -> RunResult:
        config = {"hostRules": [{"matchHost": "127.0.0.1", "insecureRegistry": True}], **global_config}
        with GitHubForge(TOKEN, endpoint=self.server.api_url, repository=REPO, throttle=False, retries=0) as forge:
            platform = ForgePlatform(forge, REPO, workdir=self.workdir, author=BOT, now=now)
            return run_repository(platform, config, repository=REPO, now=now)

    def push(self, files: dict[str, str], branch: str = "main", author: str = "Alice <alice@example.invalid>") -> None:
        self.server.push_commit(branch, {k: v.encode() for k, v in files.items()}, author=author, full_name=REPO)

    def file(self, branch: str, path: str) -> str:
        data = self.server.read_file(branch, path, full_name=REPO)
        assert data is not None
        return data.decode()

    def open_prs(self) -> dict[str, Any]:
        return {pr.head: pr for pr in self.server.repo(REPO).items.values() if pr.pull and pr.state == "open"}


@pytest.fixture
def forge(tmp_path: Path, registry: Registry) -> Iterator[Forge]:
    name = registry.repository("shop")
    for tag in ["1.0.0", "1.1.0", "2.0.0"]:
        registry.push_image(name, tag)
    image = f"{registry.host}/{name}"
    with FakeGitHub(tmp_path / "gh", token=TOKEN, repos={}) as server:
        server.add_repo(REPO, {
            "compose.yaml": f"services:\n  web:\n    image: {image}:1.0.0\n".encode(),
            "renovate.json": json.dumps({"labels": ["dependencies"]}).encode(),
        })
        yield Forge(server, registry, tmp_path / "work", image)


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
    assert f"| {forge.image} | service | minor | `1.0.0` -> `1.1.0` |" in (minor.body or "")
    assert "- [ ] <!-- rebase-check -->" in (minor.body or "")
    assert f"image: {forge.image}:1.1.0" in forge.file(f"upkeep/{s}-1.x", "compose.yaml")

    writes_before = [r for r in forge.server.requests if r[0] != "GET" and "git-upload-pack" not in r[1]]
    result = forge.run()
    assert set(branch_names(result).values()) == {"unchanged"}
    writes_after = [r for r in forge.server.requests if r[0] != "GET" and "git-upload-pack" not in r[1]]
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
    head = forge.server.branch_sha(f"upkeep/{s}-1.x", full_name=REPO)
    base = forge.server.branch_sha("main", full_name=REPO)
    parent = subprocess.run(["git", "rev-parse", f"{head}^"], cwd=forge.server.repo(REPO).path,
                            capture_output=True, text=True, check=True).stdout.strip()
    assert parent == base


def test_closed_pr_is_not_reopened_and_says_why(forge: Forge) -> None:
    forge.run()
    s = sanitized(forge.image)
    pr = forge.open_prs()[f"upkeep/{s}-2.x"]
    forge.server.close_pr(pr.number, full_name=REPO)
    result = forge.run()
    assert branch_names(result)[f"upkeep/{s}-2.x"] == "ignored"
    assert f"upkeep/{s}-2.x" not in forge.open_prs()
    comments = forge.server.comments(pr.number, full_name=REPO)
    assert any("ignore this major version" in c.body for c in comments)
    forge.run()
    assert len([c for c in forge.server.comments(pr.number, full_name=REPO) if "Ignore" in c.body]) == 1


def test_a_users_commit_on_the_branch_is_left_alone(forge: Forge) -> None:
    forge.run()
    s = sanitized(forge.image)
    branch = f"upkeep/{s}-1.x"
    forge.push({"notes.txt": "mine\n"}, branch=branch)
    users_head = forge.server.branch_sha(branch, full_name=REPO)
    forge.registry.push_image(forge.image.split("/", 1)[1], "1.3.0")  # upkeep would like to update it
    result = forge.run()
    assert branch_names(result)[branch] == "blocked"
    assert forge.server.branch_sha(branch, full_name=REPO) == users_head
    pr = forge.open_prs()[branch]
    assert "upkeep did not make" in (pr.body or "")

    # ticking the rebase checkbox lets upkeep discard the foreign commit
    forge.server.edit_issue_body(pr.number, (pr.body or "").replace("- [ ] <!-- rebase-check -->", "- [x] <!-- rebase-check -->"), full_name=REPO)
    result = forge.run()
    assert branch_names(result)[branch] == "updated"
    assert forge.file(branch, "compose.yaml").count(":1.3.0") == 1


def test_green_checks_lead_to_automerge_by_upkeep(forge: Forge) -> None:
    forge.push({"renovate.json": json.dumps({"automerge": True, "platformAutomerge": False, "rebaseWhen": "behind-base-branch"})})
    forge.run()
    s = sanitized(forge.image)
    branch = f"upkeep/{s}-1.x"
    head = forge.server.branch_sha(branch, full_name=REPO)
    assert head is not None
    forge.server.set_status(head, "pending", full_name=REPO)
    result = forge.run()
    assert branch_names(result)[branch] == "unchanged"  # pending: never merged
    forge.server.set_status(head, "success", full_name=REPO)
    result = forge.run()
    assert branch_names(result)[branch] == "automerged"
    assert ":1.1.0" in forge.file("main", "compose.yaml")


def test_platform_automerge_is_enabled_and_the_forge_merges(forge: Forge) -> None:
    forge.push({"renovate.json": json.dumps({"packageRules": [{"matchUpdateTypes": ["minor"], "automerge": True}]})})
    forge.run()
    s = sanitized(forge.image)
    pr = forge.open_prs()[f"upkeep/{s}-1.x"]
    # GitHub refuses auto-merge while a PR has no pending checks; upkeep asks again next run
    assert pr.auto_merge is None
    forge.server.set_status(pr.head_sha, "pending", full_name=REPO)
    forge.run()
    pr = forge.open_prs()[f"upkeep/{s}-1.x"]
    assert pr.auto_merge is not None
    assert forge.open_prs()[f"upkeep/{s}-2.x"].auto_merge is None  # major: no automerge
    forge.server.set_status(pr.head_sha, "success", full_name=REPO)
    assert forge.server.repo(REPO).items[pr.number].merged


def test_branch_automerge_fast_forwards_the_base_without_a_pr(forge: Forge) -> None:
    forge.push({"renovate.json": json.dumps({"packageRules": [{"matchUpdateTypes": ["minor"], "automerge": True, "automergeType": "branch"}]})})
    forge.run()
    s = sanitized(forge.image)
    branch = f"upkeep/{s}-1.x"
    assert branch not in forge.open_prs()
    head = forge.server.branch_sha(branch, full_name=REPO)
    assert head is not None
    forge.server.set_status(head, "success", full_name=REPO)
    result = forge.run()
    assert branch_names(result)[branch] == "automerged"
    assert forge.server.branch_sha("main", full_name=REPO) == head
    assert forge.server.branch_sha(branch, full_name=REPO) is None


def test_failing_checks_on_branch_automerge_open_a_pr(forge: Forge) -> None:
    forge.push({"renovate.json": json.dumps({"packageRules": [{"matchUpdateTypes": ["minor"], "automerge": True, "automergeType": "branch"}]})})
    forge.run()
    s = sanitized(forge.image)
    head = forge.server.branch_sha(f"upkeep/{s}-1.x", full_name=REPO)
    assert head is not None
    forge.server.set_status(head, "failure", full_name=REPO)
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
    assert forge.server.branch_sha(f"upkeep/{s}-1.x", full_name=REPO) is None


def test_token_never_reaches_logs_reports_or_git_config(forge: Forge, caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    caplog.set_level(logging.DEBUG)
    result = forge.run()
    from bot import report

    assert TOKEN not in json.dumps(report.build([result]))
    assert TOKEN not in caplog.text
    for config in forge.workdir.rglob("config"):
        assert TOKEN not in config.read_text(errors="replace")
    for pr in forge.open_prs().values():
        assert TOKEN not in (pr.body or "")



def dashboard_issue(forge: Forge) -> Any:
    issues = [i for i in forge.server.repo(REPO).items.values() if not i.pull and i.title == "Dependency Dashboard"]
    assert len(issues) == 1
    return issues[0]


def tick(forge: Forge, issue: Any, marker: str) -> None:
    body = issue.body.replace(f"- [ ] <!-- {marker} -->", f"- [x] <!-- {marker} -->")
    assert body != issue.body, marker
    forge.server.edit_issue_body(issue.number, body, full_name=REPO)


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
