"""GitHubForge through the real PyGithub against the fake GitHub (tests.fakes.github)."""

from __future__ import annotations

import base64
import gzip
import http.client
import logging
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.errors import PlatformAuthError, PlatformError
from bot.platforms.base import CheckState, Forge, PrState
from bot.platforms.github import GitHubForge
from tests.fakes import fixtures_github
from tests.fakes.fixtures_github import GITHUB_REPO, GITHUB_TOKEN, make_github_forge
from tests.fakes.githttp import is_ancestor
from tests.fakes.github import FakeGitHub

# The fixtures, bound here (an import would trip ruff's F811 on every test's arguments);
# harmless once tests/conftest.py imports them too.
github_server = fixtures_github.github_server
github_app_server = fixtures_github.github_app_server
github_forge = fixtures_github.github_forge

BRANCH = "upkeep/nginx-1.x"
NEW_WEB = b"apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - image: nginx:1.27.3\n"


@pytest.fixture(autouse=True)
def _nothing_unhandled(github_server: FakeGitHub) -> Iterator[None]:
    yield
    assert github_server.unhandled == []


def _branch(server: FakeGitHub, name: str = BRANCH, content: bytes = NEW_WEB) -> str:
    return server.push_commit(name, {"k8s/web.yaml": content}, author="upkeep <bot@upkeep.invalid>",
                              message="Update nginx Docker tag to v1.27.3")


def _pr(forge: GitHubForge, server: FakeGitHub, name: str = BRANCH, **kwargs: object) -> int:
    _branch(server, name)
    return forge.create_pr(branch=name, base="main", title=f"Update {name}", body="body", **kwargs).number  # type: ignore[arg-type]


def _calls(server: FakeGitHub, since: int) -> list[tuple[str, str]]:
    return server.requests[since:]


def test_is_a_forge(github_forge: GitHubForge) -> None:
    forge: Forge = github_forge
    assert forge.name == "github"
    assert GITHUB_TOKEN not in repr(github_forge)


def test_git_auth_header(github_forge: GitHubForge) -> None:
    name, value = github_forge.git_auth_header()
    assert name == "Authorization"
    assert base64.b64decode(value.removeprefix("Basic ")).decode() == f"x-access-token:{GITHUB_TOKEN}"


def test_get_repo_on_an_enterprise_layout(github_server: FakeGitHub, github_forge: GitHubForge) -> None:
    info = github_forge.get_repo(GITHUB_REPO)
    assert (info.full_name, info.default_branch, info.archived) == (GITHUB_REPO, "main", False)
    assert info.clone_url == github_server.clone_url() == f"{github_server.url}/octo/app.git"
    assert github_forge.endpoint.endswith("/api/v3")


def test_list_repositories_with_a_user_token(github_server: FakeGitHub, github_forge: GitHubForge) -> None:
    github_server.add_repo("octo/lib", {"a": b"1"})
    github_server.add_repo("octo/old", {"a": b"1"}, archived=True)
    github_server.add_repo("other/readonly", {"a": b"1"}, push=False)
    assert github_forge.list_repositories() == ["octo/app", "octo/lib"]
    assert ("GET", "/api/v3/user/repos") in github_server.requests


def test_list_repositories_with_an_installation_token(github_app_server: FakeGitHub) -> None:
    github_app_server.add_repo("octo/lib", {"a": b"1"})
    with make_github_forge(github_app_server) as forge:
        assert forge.list_repositories() == ["octo/app", "octo/lib"]
        # /user is forbidden for an installation: find_issue matches by title alone
        github_app_server.create_issue("Dependency Dashboard", user="upkeep[bot]")
        found = forge.find_issue("Dependency Dashboard")
    assert found is not None
    assert found.number == 1
    assert ("GET", "/api/v3/installation/repositories") in github_app_server.requests
    assert github_app_server.unhandled == []


def test_bad_token_is_an_auth_error(github_server: FakeGitHub) -> None:
    with make_github_forge(github_server, token="ghp-wrong-0000") as forge:
        for call in (lambda: forge.get_repo(GITHUB_REPO), lambda: forge.find_pr(BRANCH), forge.list_repositories):
            with pytest.raises(PlatformAuthError, match="401 Bad credentials") as info:
                call()
            assert "ghp-" not in str(info.value)
    with pytest.raises(PlatformAuthError):
        GitHubForge("")


def test_unknown_repository_is_a_platform_error(github_server: FakeGitHub) -> None:
    with make_github_forge(github_server, repository="octo/nope") as forge, \
            pytest.raises(PlatformError, match=r"GitHub get pull request #1 \(octo/nope\): 404"):
        forge.get_pr(1)


def test_no_repository_selected(github_server: FakeGitHub) -> None:
    with make_github_forge(github_server, repository=None) as forge, pytest.raises(PlatformError, match="use"):
        forge.get_pr(1)


def test_create_find_update_close_reopen(github_server: FakeGitHub, github_forge: GitHubForge) -> None:
    sha = _branch(github_server)
    pr = github_forge.create_pr(branch=BRANCH, base="main", title="Update nginx", body="b", labels=["deps"])
    assert (pr.number, pr.branch, pr.base, pr.state, pr.labels, pr.head_sha) == (
        1, BRANCH, "main", PrState.OPEN, ("deps",), sha)
    assert pr.url == f"{github_server.url}/octo/app/pull/1"
    assert github_server.prs[1].labels == ["deps"]

    start = len(github_server.requests)
    found = github_forge.find_pr(BRANCH, state=PrState.OPEN)
    assert found is not None
    assert (found.number, found.labels) == (1, ("deps",))
    assert _calls(github_server, start) == [("GET", "/api/v3/repos/octo/app/pulls")]  # one request, no N+1
    assert github_forge.find_pr(BRANCH, state=PrState.CLOSED) is None
    assert github_forge.find_pr(BRANCH, base="develop") is None
    assert github_forge.find_pr("upkeep/other") is None

    github_forge.update_pr(1, title="Update nginx to v1.27.3", body="new body", labels=["deps", "docker"])
    github_forge.update_pr(1, labels=["docker"])  # replaces, not adds
    pr = github_forge.get_pr(1)
    assert (pr.title, pr.body, pr.labels, pr.mergeable) == ("Update nginx to v1.27.3", "new body", ("docker",), True)

    github_forge.update_pr(1, state=PrState.CLOSED)
    assert github_forge.find_pr(BRANCH, state=PrState.OPEN) is None
    closed = github_forge.find_pr(BRANCH, state=PrState.CLOSED)
    assert closed is not None
    assert closed.state is PrState.CLOSED
    github_forge.update_pr(1, state=PrState.OPEN)
    assert github_forge.get_pr(1).state is PrState.OPEN
    github_forge.update_pr(1, labels=[])
    assert github_server.prs[1].labels == []
    with pytest.raises(ValueError, match="merge_pr"):
        github_forge.update_pr(1, state=PrState.MERGED)


def test_find_pr_returns_the_newest(github_server: FakeGitHub, github_forge: GitHubForge) -> None:
    _pr(github_forge, github_server)
    github_server.close_pr(1)
    _pr(github_forge, github_server)
    assert github_forge.find_pr(BRANCH).number == 2  # type: ignore[union-attr]
    assert github_forge.find_pr(BRANCH, state=PrState.CLOSED).number == 1  # type: ignore[union-attr]


def test_create_pr_refusals_name_the_reason(github_server: FakeGitHub, github_forge: GitHubForge) -> None:
    _pr(github_forge, github_server)
    with pytest.raises(PlatformError, match="422 Validation Failed; A pull request already exists"):
        github_forge.create_pr(branch=BRANCH, base="main", title="t", body="b")
    with pytest.raises(PlatformError, match="No commits between main and main"):
        github_forge.create_pr(branch="main", base="main", title="t", body="b")


def test_draft_and_conflicts(github_server: FakeGitHub, github_forge: GitHubForge) -> None:
    number = _pr(github_forge, github_server, draft=True)
    assert github_server.prs[number].draft
    github_server.push_commit("main", {"k8s/web.yaml": b"conflicting\n"})
    pr = github_forge.get_pr(number)
    assert pr.mergeable is False
    assert github_forge.merge_pr(number) is False


def test_assignees_and_reviewers(github_server: FakeGitHub, github_forge: GitHubForge) -> None:
    number = _pr(github_forge, github_server)
    github_forge.add_assignees(number, ["alice", "bob"])
    github_forge.add_assignees(number, ["alice"])
    github_forge.add_assignees(number, [])
    github_forge.add_reviewers(number, ["carol", "team:platform"])
    item = github_server.prs[number]
    assert (item.assignees, item.requested_reviewers, item.requested_teams) == (
        ["alice", "bob"], ["carol"], ["platform"])
    with pytest.raises(PlatformError, match="Review cannot be requested from pull request author"):
        github_forge.add_reviewers(number, [github_server.login])


def test_ensure_comment(github_server: FakeGitHub, github_forge: GitHubForge) -> None:
    number = _pr(github_forge, github_server)
    github_server.add_comment(number, "LGTM")
    assert github_forge.ensure_comment(number, topic="Edited/Blocked", body="Do not touch") is True
    start = len(github_server.requests)
    assert github_forge.ensure_comment(number, topic="Edited/Blocked", body="Do not touch") is False
    assert [m for m, _ in _calls(github_server, start)] == ["GET"]  # second call writes nothing
    assert github_forge.ensure_comment(number, topic="Edited/Blocked", body="Changed") is True
    assert github_forge.ensure_comment(number, topic=None, body="plain") is True
    assert github_forge.ensure_comment(number, topic=None, body="plain") is False
    assert [(c.user, c.body) for c in github_server.comments(number)] == [
        ("alice", "LGTM"),
        (github_server.login, "### Edited/Blocked\n\nChanged"),
        (github_server.login, "plain"),
    ]


@pytest.mark.parametrize(
    ("statuses", "runs", "expected"),
    [
        ([], [], CheckState.NONE),
        ([("ci", "success")], [], CheckState.GREEN),
        ([("ci", "pending")], [], CheckState.PENDING),
        ([("ci", "failure")], [], CheckState.RED),
        ([("ci", "error")], [], CheckState.RED),
        ([("ci", "success"), ("lint", "pending")], [], CheckState.PENDING),
        ([("ci", "failure"), ("ci", "success")], [], CheckState.GREEN),  # the latest per context counts
        ([], [("build", "success")], CheckState.GREEN),
        ([], [("build", "neutral"), ("docs", "skipped")], CheckState.GREEN),
        ([], [("build", None)], CheckState.PENDING),
        ([], [("build", "failure")], CheckState.RED),
        ([], [("build", "cancelled")], CheckState.RED),
        ([], [("build", "timed_out"), ("test", None)], CheckState.RED),
        ([("ci", "success")], [("build", None)], CheckState.PENDING),
        ([("ci", "pending")], [("build", "failure")], CheckState.RED),
        ([("ci", "success")], [("build", "success")], CheckState.GREEN),
    ],
)
def test_check_state(github_server: FakeGitHub, github_forge: GitHubForge,
                     statuses: list[tuple[str, str]], runs: list[tuple[str, str | None]], expected: CheckState) -> None:
    sha = _branch(github_server)
    for context, state in statuses:
        github_server.set_status(sha, state, context)
    for name, conclusion in runs:
        github_server.add_check_run(sha, name, conclusion)
    start = len(github_server.requests)
    assert github_forge.check_state(sha) is expected
    assert len(_calls(github_server, start)) == 2


def test_automerge_merges_when_checks_turn_green(github_server: FakeGitHub, github_forge: GitHubForge) -> None:
    number = _pr(github_forge, github_server)
    sha = github_server.prs[number].head_sha
    assert github_forge.enable_automerge(number) is False  # no checks: "clean status", merge it yourself
    github_server.set_status(sha, "pending", "ci")
    assert github_forge.enable_automerge(number) is True
    assert github_forge.get_pr(number).automerge_enabled
    github_server.set_status(sha, "success", "ci")
    pr = github_forge.get_pr(number)
    assert pr.state is PrState.MERGED
    assert not pr.automerge_enabled
    main = github_server.branch_sha("main")
    assert main is not None
    assert is_ancestor(github_server.repo().path, sha, main)
    assert github_server.read_file("main", "k8s/web.yaml") == NEW_WEB
    assert github_forge.find_pr(BRANCH, state=PrState.MERGED).number == number  # type: ignore[union-attr]
    assert github_forge.enable_automerge(number) is False  # closed
    with pytest.raises(ValueError, match="merge method"):
        github_forge.enable_automerge(number, method="fast-forward")


def test_merge_pr_honours_the_sha(github_server: FakeGitHub, github_forge: GitHubForge) -> None:
    number = _pr(github_forge, github_server)
    old = github_server.prs[number].head_sha
    new = github_server.push_commit(BRANCH, {"extra.txt": b"human\n"})  # someone pushed meanwhile
    assert github_forge.merge_pr(number, sha=old) is False
    assert github_forge.get_pr(number).state is PrState.OPEN
    assert github_forge.merge_pr(number, method="squash", sha=new) is True
    assert github_forge.get_pr(number).state is PrState.MERGED
    assert github_server.read_file("main", "extra.txt") == b"human\n"
    assert github_forge.merge_pr(number) is False  # already merged


def test_delete_branch(github_server: FakeGitHub, github_forge: GitHubForge) -> None:
    number = _pr(github_forge, github_server)
    github_forge.delete_branch(BRANCH)
    assert github_server.branch_sha(BRANCH) is None
    assert github_forge.get_pr(number).state is PrState.CLOSED  # GitHub closes its PR
    github_forge.delete_branch(BRANCH)  # already gone: fine


def test_dashboard_issue_lifecycle(github_server: FakeGitHub, github_forge: GitHubForge) -> None:
    title = "Dependency Dashboard"
    github_server.create_issue(title, "a human's issue with the same title")
    number = _pr(github_forge, github_server)
    github_forge.update_pr(number, title=title)  # a PR is an issue too, but never the dashboard
    assert github_forge.find_issue(title) is None

    issue = github_forge.ensure_issue(title=title, body="one", labels=["dashboard"])
    assert (issue.number, issue.state, issue.body) == (3, "open", "one")
    assert github_server.issues[3].labels == ["dashboard"]
    start = len(github_server.requests)
    assert github_forge.ensure_issue(title=title, body="one", labels=["dashboard"]) == issue
    assert [m for m, _ in _calls(github_server, start)] == ["GET"]  # unchanged: nothing written

    github_server.edit_issue_body(3, "a human ticked a box")
    assert github_forge.find_issue(title).body == "a human ticked a box"  # type: ignore[union-attr]
    assert github_forge.ensure_issue(title=title, body="two").body == "two"
    assert github_server.issues[3].body == "two"

    github_forge.close_issue(3)
    assert github_forge.find_issue(title).state == "closed"  # type: ignore[union-attr]
    reopened = github_forge.ensure_issue(title=title, body="three")
    assert (reopened.number, reopened.state) == (3, "open")
    assert github_server.issues[3].state == "open"


def test_lists_follow_pagination(github_server: FakeGitHub, github_forge: GitHubForge) -> None:
    github_server.create_issue("the oldest", user=github_server.login)
    for n in range(150):
        github_server.create_issue(f"noise {n}", user=github_server.login)
    found = github_forge.find_issue("the oldest")
    assert found is not None
    assert found.number == 1
    assert github_server.requests.count(("GET", "/api/v3/repos/octo/app/issues")) == 2


# -- git over smart HTTP -----------------------------------------------------------------


def _git(*args: str, cwd: Path, header: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(cwd),
           "GIT_AUTHOR_NAME": "upkeep", "GIT_AUTHOR_EMAIL": "bot@upkeep.invalid",
           "GIT_COMMITTER_NAME": "upkeep", "GIT_COMMITTER_EMAIL": "bot@upkeep.invalid"}
    config = ["-c", f"http.extraHeader={header}"] if header else []
    return subprocess.run(["git", *config, *args], cwd=cwd, env=env, capture_output=True, text=True, check=False)


def test_git_clone_and_push_over_smart_http(tmp_path: Path, github_server: FakeGitHub,
                                            github_forge: GitHubForge) -> None:
    header = ": ".join(github_forge.git_auth_header())
    url = github_forge.get_repo(GITHUB_REPO).clone_url

    refused = _git("clone", url, "nope", cwd=tmp_path)
    assert refused.returncode != 0
    assert "could not read Username" in refused.stderr  # a 401: git asks for credentials
    wrong = "Authorization: Basic " + base64.b64encode(b"x-access-token:wrong").decode()
    assert _git("clone", url, "nope", cwd=tmp_path, header=wrong).returncode != 0

    cloned = _git("clone", url, "work", cwd=tmp_path, header=header)
    assert cloned.returncode == 0, cloned.stderr
    work = tmp_path / "work"
    assert (work / "k8s" / "web.yaml").read_bytes().startswith(b"apiVersion")
    (work / "k8s" / "web.yaml").write_bytes(NEW_WEB)
    (work / "big.bin").write_bytes(os.urandom(2_000_000))  # large enough for a chunked, gzipped push
    for args in (("checkout", "-q", "-b", BRANCH), ("add", "-A"), ("commit", "-q", "-m", "Update nginx")):
        assert _git(*args, cwd=work).returncode == 0
    pushed = _git("push", "origin", BRANCH, cwd=work, header=header)
    assert pushed.returncode == 0, pushed.stderr
    head = _git("rev-parse", "HEAD", cwd=work).stdout.strip()
    assert github_server.branch_sha(BRANCH) == head
    assert github_server.read_file(BRANCH, "k8s/web.yaml") == NEW_WEB

    pr = github_forge.create_pr(branch=BRANCH, base="main", title="Update nginx", body="")
    assert pr.head_sha == head
    assert github_forge.merge_pr(pr.number, sha=head) is True
    fetched = _git("fetch", "-q", "origin", cwd=work, header=header)
    assert fetched.returncode == 0, fetched.stderr
    assert _git("log", "-1", "--format=%s", "origin/main", cwd=work).stdout.startswith("Merge pull request #1")


def test_githttp_takes_gzipped_requests(github_server: FakeGitHub, github_forge: GitHubForge) -> None:
    """git gzips large fetch negotiations (``Content-Encoding: gzip``); a hand-made one."""
    main = github_server.branch_sha("main")
    request = f"0032want {main}\n".encode() + b"0000" + b"0009done\n"
    conn = http.client.HTTPConnection(github_server.url.removeprefix("http://"), timeout=10)
    try:
        conn.request("POST", "/octo/app.git/git-upload-pack", body=gzip.compress(request), headers={
            "Content-Type": "application/x-git-upload-pack-request", "Content-Encoding": "gzip",
            github_forge.git_auth_header()[0]: github_forge.git_auth_header()[1]})
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    assert response.status == 200
    assert response.getheader("Content-Type") == "application/x-git-upload-pack-result"
    assert body.startswith(b"0008NAK\n")
    assert b"PACK" in body


def test_unknown_endpoints_are_404_and_recorded(github_server: FakeGitHub) -> None:
    conn = http.client.HTTPConnection(github_server.url.removeprefix("http://"), timeout=10)
    try:
        conn.request("GET", "/api/v3/repos/octo/app/releases?per_page=100",
                     headers={"Authorization": f"token {GITHUB_TOKEN}"})
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    assert (response.status, b'"Not Found"' in body) == (404, True)
    assert github_server.unhandled == [("GET", "/api/v3/repos/octo/app/releases")]
    github_server.unhandled.clear()


def test_the_token_is_never_logged(caplog: pytest.LogCaptureFixture, github_server: FakeGitHub,
                                   github_forge: GitHubForge) -> None:
    caplog.set_level(logging.DEBUG)
    number = _pr(github_forge, github_server)
    github_forge.ensure_comment(number, topic="t", body="b")
    github_forge.merge_pr(number)
    assert caplog.records  # PyGithub and urllib3 did log
    assert GITHUB_TOKEN not in caplog.text
    assert base64.b64encode(f"x-access-token:{GITHUB_TOKEN}".encode()).decode() not in caplog.text
