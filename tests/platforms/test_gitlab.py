"""GitLabForge against the fake GitLab, through the real python-gitlab and real git."""

from __future__ import annotations

import base64
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.errors import PlatformAuthError, PlatformError
from bot.platforms.base import CheckState, Forge, PrState, PullRequest
from bot.platforms.gitlab import GitLabForge
from tests.fakes.fixtures_gitlab import gitlab_forge, gitlab_server  # noqa: F401
from tests.fakes.githttp import git
from tests.fakes.gitlab import FakeGitLab

BRANCH = "upkeep/nginx-1.x"


@pytest.fixture(autouse=True)
def _nothing_unexpected(gitlab_server: FakeGitLab) -> Iterator[None]:  # noqa: F811
    yield
    assert gitlab_server.unhandled == []
    assert gitlab_server.errors == []


def make_mr(server: FakeGitLab, forge: GitLabForge, branch: str = BRANCH, **kwargs: Any) -> PullRequest:
    """upkeep's branch (one commit on main) and its merge request."""
    server.push_commit(branch, {"compose.yml": b"services:\n  web:\n    image: nginx:1.27.3\n"},
                       author="upkeep <bot@example.invalid>", message="Update nginx")
    args: dict[str, Any] = {"title": "Update nginx Docker tag to v1.27.3", "body": "body", **kwargs}
    return forge.create_pr(branch=branch, base="main", **args)


def test_is_a_forge(gitlab_forge: GitLabForge) -> None:  # noqa: F811
    forge: Forge = gitlab_forge
    assert forge.name == "gitlab"


def test_get_repo_and_git_auth_header(gitlab_server: FakeGitLab, gitlab_forge: GitLabForge) -> None:  # noqa: F811
    info = gitlab_forge.get_repo("upkeep/demo")
    assert info.full_name == "upkeep/demo"
    assert info.clone_url == f"{gitlab_server.url}/upkeep/demo.git"
    assert info.default_branch == "main"
    assert not info.archived
    name, value = gitlab_forge.git_auth_header()
    assert name == "Authorization"
    assert base64.b64decode(value.removeprefix("Basic ")).decode() == f"oauth2:{gitlab_server.token}"
    assert gitlab_server.token not in repr(gitlab_forge)


def test_create_find_get_update_close_reopen(gitlab_server: FakeGitLab, gitlab_forge: GitLabForge) -> None:  # noqa: F811
    pr = make_mr(gitlab_server, gitlab_forge, labels=["dependencies", "docker"])
    assert pr.number == 1
    assert (pr.branch, pr.base, pr.state, pr.body) == (BRANCH, "main", PrState.OPEN, "body")
    assert pr.labels == ("dependencies", "docker")
    assert pr.head_sha == gitlab_server.branch_sha(BRANCH)
    assert pr.url.endswith("/upkeep/demo/-/merge_requests/1")
    assert pr.mergeable is True
    assert not pr.automerge_enabled
    assert gitlab_server.mrs[1].remove_source_branch

    gitlab_server.requests.clear()
    assert gitlab_forge.find_pr(BRANCH) == pr
    assert gitlab_forge.find_pr(BRANCH, state=PrState.OPEN, base="main") == pr
    assert len(gitlab_server.requests) == 2  # one call each, no N+1
    assert gitlab_forge.find_pr(BRANCH, state=PrState.CLOSED) is None
    assert gitlab_forge.find_pr(BRANCH, base="develop") is None
    assert gitlab_forge.find_pr("upkeep/other") is None
    assert gitlab_forge.get_pr(1) == pr

    gitlab_forge.update_pr(1, title="New title", body="new body")
    assert (gitlab_server.mrs[1].title, gitlab_server.mrs[1].description) == ("New title", "new body")
    gitlab_forge.update_pr(1, state=PrState.CLOSED)
    closed = gitlab_forge.get_pr(1)
    assert closed.state is PrState.CLOSED
    assert gitlab_forge.find_pr(BRANCH, state=PrState.CLOSED) == closed
    assert gitlab_forge.find_pr(BRANCH, state=PrState.OPEN) is None
    gitlab_forge.update_pr(1, state=PrState.OPEN)
    assert gitlab_forge.get_pr(1).state is PrState.OPEN


def test_update_with_nothing_calls_nothing(gitlab_server: FakeGitLab, gitlab_forge: GitLabForge) -> None:  # noqa: F811
    gitlab_forge.update_pr(1)
    assert gitlab_server.requests == []


def test_find_pr_returns_the_newest(gitlab_server: FakeGitLab, gitlab_forge: GitLabForge) -> None:  # noqa: F811
    make_mr(gitlab_server, gitlab_forge)
    gitlab_server.close_mr(1)
    second = gitlab_forge.create_pr(branch=BRANCH, base="main", title="Again", body="")
    assert second.number == 2
    assert gitlab_forge.find_pr(BRANCH) == second
    found = gitlab_forge.find_pr(BRANCH, state=PrState.CLOSED)
    assert found is not None
    assert found.number == 1


def test_merged_mr_cannot_be_reopened(gitlab_server: FakeGitLab, gitlab_forge: GitLabForge) -> None:  # noqa: F811
    make_mr(gitlab_server, gitlab_forge)
    gitlab_server.merge_mr(1)
    assert gitlab_forge.get_pr(1).state is PrState.MERGED
    with pytest.raises(PlatformError, match="state is 'merged'"):
        gitlab_forge.update_pr(1, state=PrState.OPEN)


def test_labels_replace(gitlab_server: FakeGitLab, gitlab_forge: GitLabForge) -> None:  # noqa: F811
    make_mr(gitlab_server, gitlab_forge, labels=["a", "b"])
    gitlab_forge.update_pr(1, labels=["b", "c"])
    assert gitlab_forge.get_pr(1).labels == ("b", "c")
    gitlab_forge.update_pr(1, labels=[])
    assert gitlab_server.mrs[1].labels == []


def test_draft(gitlab_server: FakeGitLab, gitlab_forge: GitLabForge) -> None:  # noqa: F811
    pr = make_mr(gitlab_server, gitlab_forge, draft=True)
    assert pr.title == "Draft: Update nginx Docker tag to v1.27.3"
    assert gitlab_forge.merge_pr(pr.number) is False  # GitLab refuses to merge drafts


def test_second_open_mr_for_a_branch_is_refused(gitlab_server: FakeGitLab, gitlab_forge: GitLabForge) -> None:  # noqa: F811
    make_mr(gitlab_server, gitlab_forge)
    with pytest.raises(PlatformError, match=r"create merge request for 'upkeep/nginx-1\.x' failed: 409"):
        gitlab_forge.create_pr(branch=BRANCH, base="main", title="x", body="")


def test_assignees_and_reviewers_add(gitlab_server: FakeGitLab, gitlab_forge: GitLabForge) -> None:  # noqa: F811
    make_mr(gitlab_server, gitlab_forge)
    alice, bob = gitlab_server.users["alice"], gitlab_server.users["bob"]
    gitlab_forge.add_assignees(1, ["alice"])
    gitlab_forge.add_assignees(1, ["@bob", "nobody"])  # unknown users are skipped
    assert gitlab_server.mrs[1].assignee_ids == [alice, bob]
    gitlab_forge.add_reviewers(1, ["bob"])
    assert gitlab_server.mrs[1].reviewer_ids == [bob]
    assert gitlab_server.mrs[1].assignee_ids == [alice, bob]
    gitlab_server.requests.clear()
    gitlab_forge.add_reviewers(1, ["bob", "nobody"])  # already there: users cached, no PUT
    assert [m for m, _ in gitlab_server.requests] == ["GET"]


def test_ensure_comment(gitlab_server: FakeGitLab, gitlab_forge: GitLabForge) -> None:  # noqa: F811
    make_mr(gitlab_server, gitlab_forge)
    assert gitlab_forge.ensure_comment(1, topic="Edited/Blocked", body="one") is True
    gitlab_server.requests.clear()
    assert gitlab_forge.ensure_comment(1, topic="Edited/Blocked", body="one") is False
    assert [m for m, _ in gitlab_server.requests] == ["GET"]  # nothing written
    assert gitlab_forge.ensure_comment(1, topic="Edited/Blocked", body="two") is True
    assert gitlab_forge.ensure_comment(1, topic=None, body="plain") is True
    assert gitlab_forge.ensure_comment(1, topic=None, body="plain") is False
    assert [n.body for n in gitlab_server.notes(1)] == ["### Edited/Blocked\n\ntwo", "plain"]


def test_ensure_comment_ignores_system_notes_and_drops_duplicates(
    gitlab_server: FakeGitLab, gitlab_forge: GitLabForge  # noqa: F811
) -> None:
    make_mr(gitlab_server, gitlab_forge)
    gitlab_server.set_pipeline(gitlab_server.branch_sha(BRANCH), "running")
    assert gitlab_forge.enable_automerge(1)  # writes a system note
    for body in ("### Topic\n\nold", "### Topical\n\nother", "### Topic\n\nolder"):
        assert gitlab_forge.ensure_comment(1, topic=None, body=body)
    assert gitlab_forge.ensure_comment(1, topic="Topic", body="new") is True
    notes = gitlab_server.notes(1)
    assert [n.body for n in notes if not n.system] == ["### Topical\n\nother", "### Topic\n\nnew"]
    assert any(n.system for n in notes)


@pytest.mark.parametrize(
    ("statuses", "pipelines", "expected"),
    [
        ([], [], CheckState.NONE),
        ([("ci", "success")], [], CheckState.GREEN),
        ([], ["success"], CheckState.GREEN),
        ([("ci", "success"), ("lint", "success")], ["success"], CheckState.GREEN),
        ([("ci", "success")], ["running"], CheckState.PENDING),
        ([("ci", "pending")], ["success"], CheckState.PENDING),
        ([], ["created"], CheckState.PENDING),
        ([("ci", "running")], ["failed"], CheckState.RED),
        ([("ci", "failed")], ["success"], CheckState.RED),
        ([("ci", "canceled")], [], CheckState.RED),
        ([], ["canceled"], CheckState.RED),
        ([("ci", "failed"), ("ci", "success")], [], CheckState.GREEN),  # latest per name
        ([], ["failed", "success"], CheckState.GREEN),  # latest pipeline (a retry)
        ([], ["skipped"], CheckState.RED),
        ([("ci", "success"), ("flaky", "failed!")], [], CheckState.GREEN),  # allow_failure
    ],
)
def test_check_state(
    gitlab_server: FakeGitLab,  # noqa: F811
    gitlab_forge: GitLabForge,  # noqa: F811
    statuses: list[tuple[str, str]],
    pipelines: list[str],
    expected: CheckState,
) -> None:
    sha = gitlab_server.branch_sha("main")
    assert sha is not None
    for name, state in statuses:
        gitlab_server.set_status(sha, state.rstrip("!"), name, allow_failure=state.endswith("!"))
    for status in pipelines:
        gitlab_server.set_pipeline(sha, status, new=True)
    gitlab_server.set_status("0" * 40, "failed")  # another commit's
    assert gitlab_forge.check_state(sha) is expected


def test_automerge_merges_when_the_pipeline_succeeds(gitlab_server: FakeGitLab, gitlab_forge: GitLabForge) -> None:  # noqa: F811
    pr = make_mr(gitlab_server, gitlab_forge)
    gitlab_server.set_pipeline(pr.head_sha, "running")
    assert gitlab_forge.enable_automerge(pr.number) is True
    waiting = gitlab_forge.get_pr(pr.number)
    assert waiting.automerge_enabled
    assert waiting.state is PrState.OPEN
    assert gitlab_server.branch_sha("main") != pr.head_sha

    gitlab_server.set_pipeline(pr.head_sha, "success")
    assert gitlab_forge.get_pr(pr.number).state is PrState.MERGED
    assert gitlab_server.branch_sha("main") == pr.head_sha  # fast-forward
    assert gitlab_server.read_file("main", "compose.yml") == b"services:\n  web:\n    image: nginx:1.27.3\n"
    assert gitlab_server.branch_sha(BRANCH) is None  # remove_source_branch


def test_automerge_makes_a_merge_commit_when_main_moved(gitlab_server: FakeGitLab, gitlab_forge: GitLabForge) -> None:  # noqa: F811
    pr = make_mr(gitlab_server, gitlab_forge)
    gitlab_server.set_status(pr.head_sha, "pending")
    assert gitlab_forge.enable_automerge(pr.number)
    human = gitlab_server.push_commit("main", {"README.md": b"# changed\n"})
    gitlab_server.set_status(pr.head_sha, "success")
    assert gitlab_server.mrs[1].state == "merged"
    repo = gitlab_server.project.repo
    assert repo is not None
    assert git(repo, "rev-list", "--parents", "-n1", "main").split()[1:] == [human, pr.head_sha]
    assert gitlab_server.read_file("main", "README.md") == b"# changed\n"
    assert gitlab_server.read_file("main", "compose.yml") == b"services:\n  web:\n    image: nginx:1.27.3\n"


def test_automerge_is_cancelled_by_a_failed_pipeline(gitlab_server: FakeGitLab, gitlab_forge: GitLabForge) -> None:  # noqa: F811
    pr = make_mr(gitlab_server, gitlab_forge)
    gitlab_server.set_pipeline(pr.head_sha, "pending")
    assert gitlab_forge.enable_automerge(pr.number)
    gitlab_server.set_pipeline(pr.head_sha, "failed")
    after = gitlab_forge.get_pr(pr.number)
    assert (after.state, after.automerge_enabled) == (PrState.OPEN, False)
    assert gitlab_forge.check_state(str(pr.head_sha)) is CheckState.RED


def test_automerge_without_checks_merges_at_once(gitlab_server: FakeGitLab, gitlab_forge: GitLabForge) -> None:  # noqa: F811
    pr = make_mr(gitlab_server, gitlab_forge)
    assert gitlab_forge.enable_automerge(pr.number) is True
    assert gitlab_forge.get_pr(pr.number).state is PrState.MERGED


def test_conflicting_mr(gitlab_server: FakeGitLab, gitlab_forge: GitLabForge) -> None:  # noqa: F811
    pr = make_mr(gitlab_server, gitlab_forge)
    gitlab_server.push_commit("main", {"compose.yml": b"services: {}\n"})
    assert gitlab_forge.get_pr(pr.number).mergeable is False
    assert gitlab_forge.enable_automerge(pr.number) is False
    assert gitlab_forge.merge_pr(pr.number) is False


def test_merge_pr_with_a_stale_sha_is_refused(gitlab_server: FakeGitLab, gitlab_forge: GitLabForge) -> None:  # noqa: F811
    pr = make_mr(gitlab_server, gitlab_forge)
    main = gitlab_server.branch_sha("main")
    moved = gitlab_server.push_commit(BRANCH, {"extra.txt": b"human\n"})
    assert gitlab_forge.merge_pr(pr.number, sha=pr.head_sha) is False
    assert gitlab_server.branch_sha("main") == main
    assert gitlab_forge.merge_pr(pr.number, sha=moved) is True
    assert gitlab_server.branch_sha("main") == moved
    assert gitlab_forge.merge_pr(pr.number) is False  # already merged


def test_squash_merge(gitlab_server: FakeGitLab, gitlab_forge: GitLabForge) -> None:  # noqa: F811
    pr = make_mr(gitlab_server, gitlab_forge)
    old_main = gitlab_server.branch_sha("main")
    assert gitlab_forge.merge_pr(pr.number, method="squash") is True
    repo = gitlab_server.project.repo
    assert repo is not None
    assert git(repo, "rev-list", "--parents", "-n1", "main").split()[1:] == [old_main]


def test_delete_branch(gitlab_server: FakeGitLab, gitlab_forge: GitLabForge) -> None:  # noqa: F811
    gitlab_server.push_commit(BRANCH, {"a": b"1\n"})
    gitlab_forge.delete_branch(BRANCH)
    assert gitlab_server.branch_sha(BRANCH) is None
    gitlab_forge.delete_branch(BRANCH)  # already gone: fine
    assert ("DELETE", "/api/v4/projects/upkeep%2Fdemo/repository/branches/upkeep%2Fnginx-1.x") in gitlab_server.requests


def test_issues(gitlab_server: FakeGitLab, gitlab_forge: GitLabForge) -> None:  # noqa: F811
    assert gitlab_forge.find_issue("Dependency Dashboard") is None
    other = gitlab_forge.ensure_issue(title="Dependency Dashboard (old)", body="x")
    issue = gitlab_forge.ensure_issue(title="Dependency Dashboard", body="one", labels=["deps"])
    assert (issue.number, issue.state, issue.body) == (other.number + 1, "open", "one")
    assert issue.url.endswith(f"/-/issues/{issue.number}")
    assert gitlab_forge.find_issue("Dependency Dashboard") == issue

    gitlab_server.requests.clear()
    assert gitlab_forge.ensure_issue(title="Dependency Dashboard", body="one", labels=["deps"]) == issue
    assert [m for m, _ in gitlab_server.requests] == ["GET"]  # nothing written

    gitlab_server.edit_issue_body(issue.number, "ticked by a human")
    assert gitlab_forge.ensure_issue(title="Dependency Dashboard", body="two").body == "two"
    gitlab_forge.close_issue(issue.number)
    closed = gitlab_forge.find_issue("Dependency Dashboard")
    assert closed is not None
    assert closed.state == "closed"
    reopened = gitlab_forge.ensure_issue(title="Dependency Dashboard", body="two")
    assert (reopened.number, reopened.state) == (issue.number, "open")
    assert gitlab_server.issues[issue.number].labels == ["deps"]
    assert gitlab_server.issues[other.number].description == "x"


def test_list_repositories_paginates(gitlab_server: FakeGitLab, gitlab_forge: GitLabForge) -> None:  # noqa: F811
    for n in range(150):
        gitlab_server.add_project(f"team/sub/app-{n:03}")
    gitlab_server.add_project("team/old", archived=True)
    gitlab_server.add_project("team/readonly", access_level=20)
    gitlab_server.requests.clear()
    names = gitlab_forge.list_repositories()
    assert names == sorted(["upkeep/demo", *(f"team/sub/app-{n:03}" for n in range(150))])
    assert gitlab_server.requests == [("GET", "/api/v4/projects")] * 2  # 100 per page


def test_bad_token(gitlab_server: FakeGitLab) -> None:  # noqa: F811
    with GitLabForge("wrong-token", endpoint=gitlab_server.url, repository="upkeep/demo") as forge:
        with pytest.raises(PlatformAuthError, match="refused the token") as info:
            forge.get_repo("upkeep/demo")
        assert "wrong-token" not in str(info.value)
        with pytest.raises(PlatformAuthError):
            forge.find_pr(BRANCH)
        with pytest.raises(PlatformAuthError):
            forge.list_repositories()


def test_errors_name_the_call(gitlab_server: FakeGitLab, gitlab_forge: GitLabForge) -> None:  # noqa: F811
    with pytest.raises(PlatformError, match=r"get merge request !7 failed: 404"):
        gitlab_forge.get_pr(7)
    with pytest.raises(PlatformError, match=r"get project 'nope/nope' failed: 404"):
        gitlab_forge.get_repo("nope/nope")
    with GitLabForge(gitlab_server.token, endpoint=gitlab_server.url) as unselected:
        with pytest.raises(PlatformError, match="no repository selected"):
            unselected.find_pr(BRANCH)
        unselected.use_repository("upkeep/demo")  # the alias of use()
        assert unselected.find_pr(BRANCH) is None


def test_unreachable_endpoint() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with (
        GitLabForge("t", endpoint=f"http://127.0.0.1:{port}", repository="a/b") as forge,
        pytest.raises(PlatformError, match="cannot reach"),
    ):
        forge.find_issue("x")


def _git(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_TERMINAL_PROMPT="0", GIT_CONFIG_NOSYSTEM="1", HOME=str(cwd or Path.cwd()))
    return subprocess.run(
        ["git", "-c", "credential.helper=", "-c", "user.name=upkeep", "-c", "user.email=bot@example.invalid",
         *args],
        cwd=cwd, capture_output=True, text=True, env=env, check=False,
    )


def test_git_clone_and_push_over_smart_http(
    gitlab_server: FakeGitLab, gitlab_forge: GitLabForge, tmp_path: Path  # noqa: F811
) -> None:
    url = gitlab_forge.get_repo("upkeep/demo").clone_url
    header = ": ".join(gitlab_forge.git_auth_header())
    denied = _git("clone", url, str(tmp_path / "denied"), cwd=tmp_path)
    assert denied.returncode != 0
    wrong = base64.b64encode(b"oauth2:wrong").decode()
    denied = _git("-c", f"http.extraHeader=Authorization: Basic {wrong}", "clone", url, "x", cwd=tmp_path)
    assert denied.returncode != 0

    clone = tmp_path / "clone"
    done = _git("-c", f"http.extraHeader={header}", "clone", url, str(clone), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (clone / "compose.yml").read_bytes() == gitlab_server.read_file("main", "compose.yml")
    (clone / "new.txt").write_text("pushed\n")
    assert _git("add", "new.txt", cwd=clone).returncode == 0
    assert _git("commit", "-qm", "Add new.txt", cwd=clone).returncode == 0
    pushed = _git("-c", f"http.extraHeader={header}", "push", "origin", f"HEAD:refs/heads/{BRANCH}", cwd=clone)
    assert pushed.returncode == 0, pushed.stderr
    assert gitlab_server.read_file(BRANCH, "new.txt") == b"pushed\n"
    assert gitlab_server.branch_sha(BRANCH) == _git("rev-parse", "HEAD", cwd=clone).stdout.strip()
    # and the pushed branch is usable through the API at once
    pr = gitlab_forge.create_pr(branch=BRANCH, base="main", title="Pushed", body="")
    assert pr.head_sha == gitlab_server.branch_sha(BRANCH)


def test_automerge_is_cancelled_when_the_branch_moves(gitlab_server: FakeGitLab, gitlab_forge: GitLabForge) -> None:  # noqa: F811
    pr = make_mr(gitlab_server, gitlab_forge)
    gitlab_server.set_pipeline(pr.head_sha, "running")
    assert gitlab_forge.enable_automerge(pr.number)
    moved = gitlab_server.push_commit(BRANCH, {"extra.txt": b"human\n"})
    gitlab_server.set_pipeline(moved, "success")
    after = gitlab_forge.get_pr(pr.number)
    assert (after.state, after.automerge_enabled, after.head_sha) == (PrState.OPEN, False, moved)


def test_pipelines_must_succeed(gitlab_server: FakeGitLab, gitlab_forge: GitLabForge) -> None:  # noqa: F811
    gitlab_server.project.only_allow_merge_if_pipeline_succeeds = True
    pr = make_mr(gitlab_server, gitlab_forge)
    assert gitlab_forge.merge_pr(pr.number) is False  # no pipeline at all
    gitlab_server.set_pipeline(pr.head_sha, "running")
    assert gitlab_forge.get_pr(pr.number).mergeable is True  # no conflicts; CI still running
    assert gitlab_forge.merge_pr(pr.number, sha=pr.head_sha) is False
    gitlab_server.set_pipeline(pr.head_sha, "success")
    assert gitlab_forge.merge_pr(pr.number, sha=pr.head_sha) is True


@pytest.mark.parametrize(
    ("attrs", "expected"),
    [
        ({"detailed_merge_status": "mergeable"}, True),
        ({"detailed_merge_status": "ci_still_running"}, True),
        ({"detailed_merge_status": "checking"}, None),
        ({"detailed_merge_status": "unchecked"}, None),
        ({"detailed_merge_status": "conflict"}, False),
        ({"detailed_merge_status": "need_rebase"}, False),
        ({"merge_status": "can_be_merged"}, True),
        ({"merge_status": "cannot_be_merged"}, False),
        ({"merge_status": "unchecked"}, None),
        ({"has_conflicts": True, "detailed_merge_status": "mergeable"}, False),
        ({"state": "merged", "detailed_merge_status": "not_open"}, None),
    ],
)
def test_mergeable_mapping(attrs: dict[str, Any], expected: bool | None) -> None:
    from bot.platforms.gitlab import _mergeable

    assert _mergeable({"state": "opened", **attrs}) is expected


@pytest.mark.parametrize(
    ("states", "expected"),
    [
        ([], CheckState.NONE),
        (["success", "manual"], CheckState.PENDING),
        (["scheduled"], CheckState.PENDING),
        (["waiting_for_resource", "failed"], CheckState.RED),
        (["success", "success"], CheckState.GREEN),
    ],
)
def test_combine_states(states: list[str], expected: CheckState) -> None:
    from bot.platforms.gitlab import combine_states

    assert combine_states(states) is expected


def test_fake_auth_and_unhandled(gitlab_server: FakeGitLab) -> None:  # noqa: F811
    import httpx

    api = f"{gitlab_server.url}/api/v4"
    with httpx.Client() as client:
        assert client.get(f"{api}/user", headers={"Authorization": f"Bearer {gitlab_server.token}"}).json()[
            "username"
        ] == "upkeep-bot"
        assert client.get(f"{api}/user", headers={"PRIVATE-TOKEN": "nope"}).status_code == 401
        assert client.get(f"{api}/user").status_code == 401
        missing = client.get(f"{api}/projects/upkeep%2Fdemo/wikis", headers={"PRIVATE-TOKEN": gitlab_server.token})
        assert missing.status_code == 404
        assert "message" in missing.json()
    assert gitlab_server.unhandled == [("GET", "/api/v4/projects/upkeep%2Fdemo/wikis")]
    assert gitlab_server.token not in repr(gitlab_server.requests)
    gitlab_server.unhandled.clear()


def test_automerge_waits_for_the_pipeline_of_a_fresh_push(gitlab_server: FakeGitLab) -> None:  # noqa: F811
    waits: list[float] = []

    def sleep(seconds: float) -> None:  # GitLab creates the pipeline a moment after the push
        waits.append(seconds)
        if len(waits) == 2:
            gitlab_server.set_pipeline(gitlab_server.branch_sha(BRANCH), "running")

    with GitLabForge(gitlab_server.token, endpoint=gitlab_server.url, repository="upkeep/demo",
                     automerge_waits=(1.0, 2.0, 3.0), sleep=sleep) as forge:
        pr = make_mr(gitlab_server, forge)
        assert forge.enable_automerge(pr.number) is True
        after = forge.get_pr(pr.number)
    assert waits == [1.0, 2.0]
    assert (after.state, after.automerge_enabled) == (PrState.OPEN, True)  # not merged untested


def test_one_forge_for_every_discovered_repository(gitlab_server: FakeGitLab) -> None:  # noqa: F811
    other = gitlab_server.add_project("team/other", files={"x": b"1\n"})
    with GitLabForge(gitlab_server.token, endpoint=gitlab_server.url) as forge:
        for name in forge.list_repositories():
            assert forge.get_repo(name).full_name == name
            assert forge.repository is None  # get_repo selects nothing
        forge.use("team/other")
        forge.ensure_issue(title="Dependency Dashboard", body="other")
        forge.use("upkeep/demo")
        forge.ensure_issue(title="Dependency Dashboard", body="demo")
    assert [i.description for i in other.issues.values()] == ["other"]
    assert [i.description for i in gitlab_server.issues.values()] == ["demo"]
