"""A stateful fake GitHub (REST v3 + the GraphQL auto-merge mutations) on 127.0.0.1.

Laid out like GitHub Enterprise: the REST API at ``{url}/api/v3``, GraphQL at
``{url}/api/graphql``, and each repository's branches in a real bare git repository
served over smart HTTP at ``{url}/{owner}/{name}.git`` (see ``githttp``). PyGithub runs
unmodified against it::

    with FakeGitHub(tmp_path, token="t0k3n", repos={"octo/app": {"README.md": b"hi\\n"}}) as gh:
        Github(auth=Auth.Token("t0k3n"), base_url=gh.api_url)...

State lives in memory, per repository: issues and pull requests (one number sequence, as
on GitHub), comments, labels, assignees, requested reviewers, auto-merge, commit
statuses and check runs per sha. A pull request's head sha is read from the bare
repository while it is open; merging is a real merge in the bare repository (a merge
commit for ``merge``, one commit for ``squash``, a fast-forward for ``rebase``).

API calls need ``Authorization: token T`` or ``Bearer T``; git calls need Basic auth
with password T (any user name, ``x-access-token`` by convention); anything else is 401.
With ``app=True`` the token behaves as a GitHub App installation token: ``/user`` and
``/user/repos`` answer 403, ``/installation/repositories`` lists the repositories.

Tests drive the humans and the CI through helpers: ``set_status``, ``add_check_run``,
``push_commit``, ``merge_pr``, ``close_pr``, ``edit_issue_body``, ``add_comment``; and
inspect ``prs``, ``issues``, ``comments(n)``, ``branch_sha``, ``read_file``,
``requests`` (method, path) and ``unhandled`` (calls the fake does not implement: 404).
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import re
import threading
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode

from tests.fakes.githttp import (
    commit_files,
    git,
    is_ancestor,
    make_bare_repo,
    merge_commit,
    read_file,
    serve_git,
)

DOCS = "https://docs.github.com/rest"
GREEN_CONCLUSIONS = {"success", "neutral", "skipped"}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Comment:
    id: int
    number: int
    body: str
    user: str
    created_at: str = field(default_factory=_now)
    updated_at: str = field(default_factory=_now)


@dataclass
class Item:
    """An issue, or a pull request when ``pull`` (GitHub's PRs are issues too)."""

    number: int
    title: str
    body: str | None
    user: str
    pull: bool = False
    state: str = "open"
    state_reason: str | None = None
    labels: list[str] = field(default_factory=list)
    assignees: list[str] = field(default_factory=list)
    created_at: str = field(default_factory=_now)
    updated_at: str = field(default_factory=_now)
    closed_at: str | None = None
    # pull requests only
    head: str = ""
    base: str = ""
    head_sha: str = ""
    draft: bool = False
    merged: bool = False
    merged_at: str | None = None
    merge_commit_sha: str | None = None
    requested_reviewers: list[str] = field(default_factory=list)
    requested_teams: list[str] = field(default_factory=list)
    auto_merge: dict[str, Any] | None = None


@dataclass
class Repo:
    id: int
    owner: str
    name: str
    path: Path
    default_branch: str = "main"
    archived: bool = False
    push: bool = True
    items: dict[int, Item] = field(default_factory=dict)
    comments: dict[int, Comment] = field(default_factory=dict)
    labels: dict[str, dict[str, Any]] = field(default_factory=dict)
    statuses: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    check_runs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    def sha(self, ref: str) -> str | None:
        return git(self.path, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False) or None

    def head_sha(self, item: Item) -> str:
        if item.state == "open":  # follows the branch while open, frozen once closed
            item.head_sha = self.sha(f"refs/heads/{item.head}") or item.head_sha
        return item.head_sha

    def check_state(self, sha: str) -> str:
        """'green', 'red', 'pending' or 'none', from the latest status per context and
        the latest check run per name."""
        states = [s["state"] for s in _latest(self.statuses.get(sha, []), "context")]
        for run in _latest(self.check_runs.get(sha, []), "name"):
            states.append("pending" if run["status"] != "completed"
                          else "success" if run["conclusion"] in GREEN_CONCLUSIONS else "failure")
        if not states:
            return "none"
        if any(s in ("failure", "error") for s in states):
            return "red"
        return "pending" if "pending" in states else "green"


def _latest(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """The newest row per ``key`` (rows are kept oldest first), newest first."""
    seen: dict[str, dict[str, Any]] = {}
    for row in reversed(rows):
        seen.setdefault(row[key], row)
    return list(seen.values())


class Reply(Exception):
    """Raised by a route to answer with an error status."""

    def __init__(self, status: int, message: str, **extra: Any):
        super().__init__(message)
        self.status, self.body = status, {"message": message, "documentation_url": DOCS, **extra}


def _validation(message: str) -> Reply:
    return Reply(422, "Validation Failed", errors=[{"resource": "PullRequest", "code": "custom", "message": message}])


REPO = r"/repos/(?P<owner>[^/]+)/(?P<name>[^/]+)"
NUM = r"/(?P<n>\d+)"
ROUTES: list[tuple[str, str, str]] = [
    ("GET", r"/user", "get_user"),
    ("GET", r"/user/repos", "list_user_repos"),
    ("GET", r"/installation/repositories", "list_installation_repos"),
    ("GET", REPO, "get_repo"),
    ("GET", REPO + r"/pulls", "list_pulls"),
    ("POST", REPO + r"/pulls", "create_pull"),
    ("GET", REPO + r"/pulls" + NUM, "get_pull"),
    ("PATCH", REPO + r"/pulls" + NUM, "edit_pull"),
    ("PUT", REPO + r"/pulls" + NUM + r"/merge", "merge_pull"),
    ("POST", REPO + r"/pulls" + NUM + r"/requested_reviewers", "request_reviewers"),
    ("GET", REPO + r"/issues", "list_issues"),
    ("POST", REPO + r"/issues", "create_issue"),
    ("GET", REPO + r"/issues" + NUM, "get_issue"),
    ("PATCH", REPO + r"/issues" + NUM, "edit_issue"),
    ("GET", REPO + r"/issues" + NUM + r"/labels", "get_labels"),
    ("PUT", REPO + r"/issues" + NUM + r"/labels", "set_labels"),
    ("POST", REPO + r"/issues" + NUM + r"/labels", "add_labels"),
    ("POST", REPO + r"/issues" + NUM + r"/assignees", "add_assignees"),
    ("GET", REPO + r"/issues" + NUM + r"/comments", "list_comments"),
    ("POST", REPO + r"/issues" + NUM + r"/comments", "create_comment"),
    ("PATCH", REPO + r"/issues/comments/(?P<id>\d+)", "edit_comment"),
    ("DELETE", REPO + r"/issues/comments/(?P<id>\d+)", "delete_comment"),
    ("GET", REPO + r"/commits/(?P<ref>.+)/status", "combined_status"),
    ("GET", REPO + r"/commits/(?P<ref>.+)/check-runs", "list_check_runs"),
    ("DELETE", REPO + r"/git/refs/heads/(?P<branch>.+)", "delete_ref"),
]
_COMPILED = [(m, re.compile(p + "$"), name) for m, p, name in ROUTES]


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    json: Any
    params: dict[str, str]
    repo: Repo = None  # type: ignore[assignment]  # set for /repos/{owner}/{name}/... routes
    headers: dict[str, str] = field(default_factory=dict)  # extra response headers


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30
    wbufsize = -1  # one write per response (flushed by handle_one_request)...
    disable_nagle_algorithm = True  # ...and no delayed-ACK stalls on keep-alive
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.server.fake.handle(self)

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeGitHub


class FakeGitHub:
    def __init__(self, root: Path, *, token: str = "ghp-fake-token",
                 repos: dict[str, dict[str, bytes]] | None = None,
                 login: str = "upkeep-bot", app: bool = False):
        self.root, self.token, self.app = Path(root), token, app
        self.login = "upkeep[bot]" if app else login
        self.repos: dict[str, Repo] = {}
        self.requests: list[tuple[str, str]] = []
        self.unhandled: list[tuple[str, str]] = []
        self.lock = threading.RLock()
        self._ids = itertools.count(1001)
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self.url = ""
        for full_name, files in (repos or {"octo/app": {"README.md": b"# app\n"}}).items():
            self.add_repo(full_name, files)

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> FakeGitHub:
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.fake = self
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            assert self._thread is not None
            self._thread.join()
            self._httpd = None

    def __enter__(self) -> FakeGitHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/v3"

    def clone_url(self, full_name: str | None = None) -> str:
        return f"{self.url}/{self.repo(full_name).full_name}.git"

    # -- test-side helpers (full_name=None: the first repository) ---------------------

    def add_repo(self, full_name: str, files: dict[str, bytes], *, archived: bool = False,
                 push: bool = True) -> Repo:
        owner, name = full_name.split("/")
        path = make_bare_repo(self.root / owner / f"{name}.git", files)
        repo = Repo(id=next(self._ids), owner=owner, name=name, path=path, archived=archived, push=push)
        self.repos[full_name] = repo
        return repo

    def repo(self, full_name: str | None = None) -> Repo:
        return self.repos[full_name] if full_name else next(iter(self.repos.values()))

    @property
    def prs(self) -> dict[int, Item]:
        return {n: i for n, i in self.repo().items.items() if i.pull}

    @property
    def issues(self) -> dict[int, Item]:
        return {n: i for n, i in self.repo().items.items() if not i.pull}

    def comments(self, number: int, full_name: str | None = None) -> list[Comment]:
        return [c for c in self.repo(full_name).comments.values() if c.number == number]

    def add_comment(self, number: int, body: str, *, user: str = "alice", full_name: str | None = None) -> Comment:
        with self.lock:
            comment = Comment(id=next(self._ids), number=number, body=body, user=user)
            self.repo(full_name).comments[comment.id] = comment
            return comment

    def branch_sha(self, branch: str, full_name: str | None = None) -> str | None:
        return self.repo(full_name).sha(f"refs/heads/{branch}")

    def read_file(self, branch: str, path: str, full_name: str | None = None) -> bytes | None:
        return read_file(self.repo(full_name).path, f"refs/heads/{branch}", path)

    def push_commit(self, branch: str, files: dict[str, bytes | None], *, author: str = "Alice <alice@example.invalid>",
                    message: str = "Human change", full_name: str | None = None) -> str:
        with self.lock:
            return commit_files(self.repo(full_name).path, branch, files, author=author, message=message)

    def set_status(self, sha: str, state: str, context: str = "ci/test", *, full_name: str | None = None) -> None:
        with self.lock:
            repo = self.repo(full_name)
            sid = next(self._ids)
            repo.statuses.setdefault(sha, []).append({
                "url": f"{self.api_url}/repos/{repo.full_name}/statuses/{sha}", "id": sid,
                "node_id": f"SC_{sid}", "state": state, "description": f"{context} is {state}",
                "target_url": f"https://ci.example.invalid/{sid}", "context": context,
                "created_at": _now(), "updated_at": _now(), "creator": self._user("ci-bot"),
            })
            self._run_automerge(repo)

    def add_check_run(self, sha: str, name: str, conclusion: str | None = "success", *,
                      full_name: str | None = None) -> None:
        """A check run; ``conclusion=None`` is one still in progress."""
        with self.lock:
            repo = self.repo(full_name)
            cid = next(self._ids)
            repo.check_runs.setdefault(sha, []).append({
                "id": cid, "node_id": f"CR_{cid}", "head_sha": sha, "external_id": "",
                "url": f"{self.api_url}/repos/{repo.full_name}/check-runs/{cid}",
                "html_url": f"{self.url}/{repo.full_name}/runs/{cid}", "details_url": None,
                "status": "in_progress" if conclusion is None else "completed", "conclusion": conclusion,
                "started_at": _now(), "completed_at": None if conclusion is None else _now(), "name": name,
                "output": {"title": None, "summary": None, "text": None, "annotations_count": 0,
                           "annotations_url": f"{self.api_url}/repos/{repo.full_name}/check-runs/{cid}/annotations"},
                "check_suite": {"id": cid}, "app": {"id": 1, "slug": "ci", "name": "CI"}, "pull_requests": [],
            })
            self._run_automerge(repo)

    def close_pr(self, number: int, full_name: str | None = None) -> None:
        with self.lock:
            self._close(self.repo(full_name).items[number])

    def merge_pr(self, number: int, method: str = "merge", full_name: str | None = None) -> str:
        """Merge as a human would in the UI; returns the new base sha."""
        with self.lock:
            repo = self.repo(full_name)
            return str(self._merge(repo, repo.items[number], method, None, "alice")["sha"])

    def create_issue(self, title: str, body: str = "", *, user: str = "alice", full_name: str | None = None) -> Item:
        """An issue opened by someone (a human, by default)."""
        with self.lock:
            item = self._new_item(self.repo(full_name), title=title, body=body)
            item.user = user
            return item

    def edit_issue_body(self, number: int, body: str, full_name: str | None = None) -> None:
        with self.lock:
            item = self.repo(full_name).items[number]
            item.body, item.updated_at = body, _now()

    # -- dispatch ----------------------------------------------------------------------

    def handle(self, h: _Handler) -> None:
        path, _, query = h.path.partition("?")
        with self.lock:
            self.requests.append((h.command, path))
        if not path.startswith("/api/"):
            if not self._git_authorized(h.headers.get("Authorization", "")):
                return self._send(h, 401, {"message": "Authentication failed"}, close=True,
                                  headers={"WWW-Authenticate": 'Basic realm="GitHub"'})
            return serve_git(h, self.root, path)
        auth = h.headers.get("Authorization", "")
        if auth not in (f"token {self.token}", f"Bearer {self.token}"):
            return self._send(h, 401, {"message": "Bad credentials", "documentation_url": DOCS}, close=True)
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        req = Request(h.command, path, {k: v[-1] for k, v in parse_qs(query).items()},
                      json.loads(raw) if raw else {}, {})
        with self.lock:
            status, body = self._dispatch(req)
        if req.method == "GET" and isinstance(body, list) and status == 200:
            body = self._paginate(req, body)
        self._send(h, status, body, headers=req.headers)

    def _dispatch(self, req: Request) -> tuple[int, Any]:
        try:
            if req.method == "POST" and req.path == "/api/graphql":
                return 200, self.api_graphql(req)
            sub = req.path.removeprefix("/api/v3")
            for method, pattern, name in _COMPILED:
                match = pattern.match(sub)
                if match and method == req.method:
                    req.params = {k: unquote(v) for k, v in match.groupdict().items()}
                    if "owner" in req.params:
                        repo = self.repos.get(f"{req.params['owner']}/{req.params['name']}")
                        if repo is None:
                            raise Reply(404, "Not Found")
                        req.repo = repo
                    result: tuple[int, Any] = getattr(self, f"api_{name}")(req)
                    return result
            self.unhandled.append((req.method, req.path))
            raise Reply(404, "Not Found")
        except Reply as reply:
            return reply.status, reply.body

    def _paginate(self, req: Request, rows: list[Any]) -> list[Any]:
        per_page, page = int(req.query.get("per_page", 30)), int(req.query.get("page", 1))
        last = max(1, -(-len(rows) // per_page))
        links = []
        for rel, target in (("next", page + 1), ("last", last)):
            if page < last:
                links.append(f'<{self.url}{req.path}?{urlencode({**req.query, "page": target})}>; rel="{rel}"')
        if links:
            req.headers["Link"] = ", ".join(links)
        return rows[(page - 1) * per_page: page * per_page]

    def _send(self, h: _Handler, status: int, body: Any, *, close: bool = False,
              headers: dict[str, str] | None = None) -> None:
        data = b"" if status == 204 or body is None else json.dumps(body).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json; charset=utf-8")
        h.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            h.send_header(name, value)
        if close:
            h.send_header("Connection", "close")
            h.close_connection = True
        h.end_headers()
        h.wfile.write(data)

    def _git_authorized(self, header: str) -> bool:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            _user, _, password = base64.b64decode(value).decode().partition(":")
        except ValueError:
            return False
        return password == self.token

    # -- JSON shapes -------------------------------------------------------------------

    def _user(self, login: str) -> dict[str, Any]:
        return {"login": login, "id": zlib.crc32(login.encode()) % 10**6, "node_id": f"U_{login}",
                "avatar_url": f"{self.url}/avatars/{login}", "url": f"{self.api_url}/users/{login}",
                "html_url": f"{self.url}/{login}", "type": "Bot" if login.endswith("[bot]") else "User",
                "site_admin": False}

    def _repo_json(self, repo: Repo) -> dict[str, Any]:
        api = f"{self.api_url}/repos/{repo.full_name}"
        return {
            "id": repo.id, "node_id": f"R_{repo.id}", "name": repo.name, "full_name": repo.full_name,
            "owner": self._user(repo.owner), "private": True, "visibility": "private", "fork": False,
            "html_url": f"{self.url}/{repo.full_name}", "description": None, "url": api,
            "clone_url": f"{self.url}/{repo.full_name}.git", "git_url": f"git://127.0.0.1/{repo.full_name}.git",
            "ssh_url": f"git@127.0.0.1:{repo.full_name}.git", "default_branch": repo.default_branch,
            "archived": repo.archived, "disabled": False, "allow_auto_merge": True,
            "allow_merge_commit": True, "allow_squash_merge": True, "allow_rebase_merge": True,
            "delete_branch_on_merge": False, "created_at": "2024-01-01T00:00:00Z",
            "updated_at": _now(), "pushed_at": _now(),
            "permissions": {"admin": False, "maintain": False, "push": repo.push, "triage": True, "pull": True},
        }

    def _label(self, repo: Repo, name: str) -> dict[str, Any]:
        if name not in repo.labels:
            lid = next(self._ids)
            repo.labels[name] = {"id": lid, "node_id": f"LA_{lid}", "name": name, "color": "ededed",
                                 "url": f"{self.api_url}/repos/{repo.full_name}/labels/{name}",
                                 "default": False, "description": None}
        return repo.labels[name]

    def _issue_json(self, repo: Repo, item: Item) -> dict[str, Any]:
        api = f"{self.api_url}/repos/{repo.full_name}"
        kind = "pull" if item.pull else "issues"
        data = {
            "id": repo.id * 10000 + item.number, "node_id": f"I_{repo.id}_{item.number}",
            "url": f"{api}/issues/{item.number}", "repository_url": api,
            "labels_url": f"{api}/issues/{item.number}/labels{{/name}}",
            "comments_url": f"{api}/issues/{item.number}/comments",
            "events_url": f"{api}/issues/{item.number}/events",
            "html_url": f"{self.url}/{repo.full_name}/{kind}/{item.number}",
            "number": item.number, "title": item.title, "body": item.body, "user": self._user(item.user),
            "labels": [self._label(repo, name) for name in item.labels], "state": item.state,
            "state_reason": item.state_reason, "locked": False, "milestone": None,
            "assignee": self._user(item.assignees[0]) if item.assignees else None,
            "assignees": [self._user(a) for a in item.assignees],
            "comments": len([c for c in repo.comments.values() if c.number == item.number]),
            "created_at": item.created_at, "updated_at": item.updated_at, "closed_at": item.closed_at,
            "author_association": "NONE", "active_lock_reason": None,
        }
        if item.pull:
            data["pull_request"] = {"url": f"{api}/pulls/{item.number}", "html_url": data["html_url"],
                                    "diff_url": f"{data['html_url']}.diff", "patch_url": f"{data['html_url']}.patch",
                                    "merged_at": item.merged_at}
        return data

    def _pull_json(self, repo: Repo, item: Item, *, full: bool = True) -> dict[str, Any]:
        """A pull request; ``full=False`` is the list shape (no merged/mergeable fields)."""
        api = f"{self.api_url}/repos/{repo.full_name}"
        issue = self._issue_json(repo, item)
        head_sha = repo.head_sha(item)

        def part(ref: str, sha: str) -> dict[str, Any]:
            return {"label": f"{repo.owner}:{ref}", "ref": ref, "sha": sha,
                    "user": self._user(repo.owner), "repo": self._repo_json(repo)}

        data = {
            **{k: issue[k] for k in ("number", "title", "body", "user", "labels", "state", "locked", "milestone",
                                     "assignee", "assignees", "created_at", "updated_at", "closed_at",
                                     "author_association", "active_lock_reason", "html_url")},
            "id": repo.id * 100000 + item.number, "node_id": f"PR_{repo.id}_{item.number}",
            "url": f"{api}/pulls/{item.number}", "issue_url": issue["url"],
            "diff_url": f"{issue['html_url']}.diff", "patch_url": f"{issue['html_url']}.patch",
            "commits_url": f"{api}/pulls/{item.number}/commits", "comments_url": issue["comments_url"],
            "review_comments_url": f"{api}/pulls/{item.number}/comments",
            "review_comment_url": f"{api}/pulls/comments{{/number}}", "statuses_url": f"{api}/statuses/{head_sha}",
            "merged_at": item.merged_at, "merge_commit_sha": item.merge_commit_sha, "draft": item.draft,
            "requested_reviewers": [self._user(r) for r in item.requested_reviewers],
            "requested_teams": [{"slug": t, "name": t} for t in item.requested_teams],
            "head": part(item.head, head_sha), "auto_merge": item.auto_merge,
            "base": part(item.base, repo.sha(f"refs/heads/{item.base}") or ""),
        }
        if full:
            mergeable = None
            if item.state == "open":
                mergeable = merge_commit(repo.path, data["base"]["sha"], head_sha, message="probe") is not None
            checks = repo.check_state(head_sha)
            data.update({
                "merged": item.merged, "mergeable": mergeable, "rebaseable": mergeable,
                "mergeable_state": "unknown" if mergeable is None else "dirty" if not mergeable
                else {"green": "clean", "none": "clean", "red": "unstable"}.get(checks, "blocked"),
                "merged_by": self._user("alice") if item.merged else None, "comments": issue["comments"],
                "review_comments": 0, "maintainer_can_modify": False, "commits": 1,
                "additions": 1, "deletions": 1, "changed_files": 1,
            })
        return data

    def _comment_json(self, repo: Repo, c: Comment) -> dict[str, Any]:
        api = f"{self.api_url}/repos/{repo.full_name}"
        return {"id": c.id, "node_id": f"IC_{c.id}", "url": f"{api}/issues/comments/{c.id}",
                "html_url": f"{self.url}/{repo.full_name}/issues/{c.number}#issuecomment-{c.id}",
                "issue_url": f"{api}/issues/{c.number}", "body": c.body, "user": self._user(c.user),
                "created_at": c.created_at, "updated_at": c.updated_at, "author_association": "NONE"}

    # -- state changes shared by routes and helpers -------------------------------------

    def _item(self, req: Request, *, pull: bool = False) -> Item:
        item = req.repo.items.get(int(req.params["n"]))
        if item is None or (pull and not item.pull):
            raise Reply(404, "Not Found")
        return item

    def _close(self, item: Item) -> None:
        item.state, item.closed_at, item.updated_at = "closed", _now(), _now()
        item.auto_merge = None

    def _merge(self, repo: Repo, item: Item, method: str, sha: str | None, actor: str) -> dict[str, Any]:
        if item.state != "open":
            raise Reply(405, "Pull Request is not mergeable")
        head = repo.head_sha(item)
        if sha and sha != head:
            raise Reply(409, "Head branch was modified. Review and try the merge again.")
        base = repo.sha(f"refs/heads/{item.base}")
        assert base is not None
        author = f"{actor} <{actor}@users.noreply.example.invalid>"
        if method == "rebase":
            if not is_ancestor(repo.path, base, head):
                raise Reply(405, "fake GitHub: rebase merges only fast-forward")
            new: str | None = head
        else:
            title = f"{item.title} (#{item.number})" if method == "squash" else \
                f"Merge pull request #{item.number} from {repo.owner}/{item.head}\n\n{item.title}"
            new = merge_commit(repo.path, base, head, message=title, author=author, squash=method == "squash")
        if new is None:
            raise Reply(405, "Pull Request is not mergeable")
        git(repo.path, "update-ref", f"refs/heads/{item.base}", new, base)
        self._close(item)
        item.merged, item.merged_at, item.merge_commit_sha = True, item.closed_at, new
        return {"sha": new, "merged": True, "message": "Pull Request successfully merged"}

    def _run_automerge(self, repo: Repo) -> None:
        for item in list(repo.items.values()):
            if item.pull and item.state == "open" and item.auto_merge \
                    and repo.check_state(repo.head_sha(item)) == "green":
                with contextlib.suppress(Reply):  # conflicts: GitHub keeps auto-merge on and waits
                    self._merge(repo, item, item.auto_merge["merge_method"], None, self.login)

    def _new_item(self, repo: Repo, **kwargs: Any) -> Item:
        item = Item(number=max(repo.items, default=0) + 1, user=self.login, **kwargs)
        repo.items[item.number] = item
        return item

    # -- routes: users and repositories -------------------------------------------------

    def _forbidden_for_app(self) -> None:
        if self.app:
            raise Reply(403, "Resource not accessible by integration")

    def api_get_user(self, req: Request) -> tuple[int, Any]:
        self._forbidden_for_app()
        return 200, self._user(self.login)

    def api_list_user_repos(self, req: Request) -> tuple[int, Any]:
        self._forbidden_for_app()
        return 200, [self._repo_json(r) for r in self.repos.values()]

    def api_list_installation_repos(self, req: Request) -> tuple[int, Any]:
        if not self.app:
            raise Reply(403, "This endpoint can only be accessed with a GitHub App installation token")
        rows = self._paginate(req, [self._repo_json(r) for r in self.repos.values()])
        return 200, {"total_count": len(self.repos), "repositories": rows}

    def api_get_repo(self, req: Request) -> tuple[int, Any]:
        return 200, self._repo_json(req.repo)

    # -- routes: pull requests ----------------------------------------------------------

    def api_list_pulls(self, req: Request) -> tuple[int, Any]:
        repo, q = req.repo, req.query
        head = q.get("head")
        if head is not None and ":" not in head:
            raise Reply(422, "fake GitHub: head must be 'owner:branch'")
        rows = [i for i in sorted(repo.items.values(), key=lambda i: -i.number) if i.pull
                and q.get("state", "open") in (i.state, "all")
                and (head is None or head == f"{repo.owner}:{i.head}")
                and q.get("base", i.base) == i.base]
        return 200, [self._pull_json(repo, i, full=False) for i in rows]

    def api_create_pull(self, req: Request) -> tuple[int, Any]:
        repo, body = req.repo, req.json
        head, base = body["head"].removeprefix(f"{repo.owner}:"), body["base"]
        head_sha, base_sha = repo.sha(f"refs/heads/{head}"), repo.sha(f"refs/heads/{base}")
        if head_sha is None or base_sha is None:
            raise Reply(422, "Validation Failed", errors=[{"resource": "PullRequest", "code": "invalid",
                                                          "field": "head" if head_sha is None else "base"}])
        if any(i.pull and i.state == "open" and (i.head, i.base) == (head, base) for i in repo.items.values()):
            raise _validation(f"A pull request already exists for {repo.owner}:{head}.")
        if is_ancestor(repo.path, head_sha, base_sha):
            raise _validation(f"No commits between {base} and {head}")
        item = self._new_item(repo, pull=True, title=body["title"], body=body.get("body"), head=head,
                              base=base, head_sha=head_sha, draft=bool(body.get("draft")))
        return 201, self._pull_json(repo, item)

    def api_get_pull(self, req: Request) -> tuple[int, Any]:
        return 200, self._pull_json(req.repo, self._item(req, pull=True))

    def api_edit_pull(self, req: Request) -> tuple[int, Any]:
        item = self._item(req, pull=True)
        self._edit(req.repo, item, req.json)
        return 200, self._pull_json(req.repo, item)

    def api_merge_pull(self, req: Request) -> tuple[int, Any]:
        item = self._item(req, pull=True)
        return 200, self._merge(req.repo, item, req.json.get("merge_method", "merge"), req.json.get("sha"),
                                self.login)

    def api_request_reviewers(self, req: Request) -> tuple[int, Any]:
        item = self._item(req, pull=True)
        reviewers = req.json.get("reviewers", [])
        if item.user in reviewers:
            raise Reply(422, "Review cannot be requested from pull request author.")
        item.requested_reviewers += [r for r in reviewers if r not in item.requested_reviewers]
        item.requested_teams += [t for t in req.json.get("team_reviewers", []) if t not in item.requested_teams]
        return 201, self._pull_json(req.repo, item, full=False)

    # -- routes: issues, labels, assignees, comments -------------------------------------

    def _edit(self, repo: Repo, item: Item, body: dict[str, Any]) -> None:
        if "title" in body:
            item.title = body["title"]
        if "body" in body:
            item.body = body["body"]
        if "labels" in body:
            item.labels = list(dict.fromkeys(body["labels"]))
        if "assignees" in body:
            item.assignees = list(body["assignees"])
        if body.get("state") == "closed" and item.state == "open":
            self._close(item)
            item.state_reason = body.get("state_reason", "completed") if not item.pull else None
        elif body.get("state") == "open" and item.state == "closed":
            if item.merged:
                raise Reply(422, "Validation Failed", errors=[{"code": "custom", "message": "merged"}])
            if item.pull and repo.sha(f"refs/heads/{item.head}") is None:
                raise _validation(f"state cannot be changed. The {item.head} branch has been deleted.")
            item.state, item.closed_at, item.state_reason = "open", None, "reopened" if not item.pull else None
        item.updated_at = _now()

    def api_list_issues(self, req: Request) -> tuple[int, Any]:
        repo, q = req.repo, req.query
        wanted = set(filter(None, q.get("labels", "").split(",")))
        rows = [i for i in sorted(repo.items.values(), key=lambda i: -i.number)
                if q.get("state", "open") in (i.state, "all") and q.get("creator", i.user) == i.user
                and wanted <= set(i.labels)]
        return 200, [self._issue_json(repo, i) for i in rows]

    def api_create_issue(self, req: Request) -> tuple[int, Any]:
        repo, body = req.repo, req.json
        item = self._new_item(repo, title=body["title"], body=body.get("body"),
                              labels=list(dict.fromkeys(body.get("labels", []))),
                              assignees=list(body.get("assignees", [])))
        return 201, self._issue_json(repo, item)

    def api_get_issue(self, req: Request) -> tuple[int, Any]:
        return 200, self._issue_json(req.repo, self._item(req))

    def api_edit_issue(self, req: Request) -> tuple[int, Any]:
        item = self._item(req)
        self._edit(req.repo, item, req.json)
        return 200, self._issue_json(req.repo, item)

    def api_get_labels(self, req: Request) -> tuple[int, Any]:
        return 200, [self._label(req.repo, n) for n in self._item(req).labels]

    def api_set_labels(self, req: Request) -> tuple[int, Any]:
        self._item(req).labels = []
        return self.api_add_labels(req)

    def api_add_labels(self, req: Request) -> tuple[int, Any]:
        item = self._item(req)
        given = req.json.get("labels", []) if isinstance(req.json, dict) else req.json
        item.labels = list(dict.fromkeys([*item.labels, *given]))
        return 200, self.api_get_labels(req)[1]

    def api_add_assignees(self, req: Request) -> tuple[int, Any]:
        item = self._item(req)
        item.assignees += [a for a in req.json.get("assignees", []) if a not in item.assignees]
        return 201, self._issue_json(req.repo, item)

    def api_list_comments(self, req: Request) -> tuple[int, Any]:
        number = self._item(req).number
        return 200, [self._comment_json(req.repo, c) for c in self.comments(number, req.repo.full_name)]

    def api_create_comment(self, req: Request) -> tuple[int, Any]:
        comment = Comment(id=next(self._ids), number=self._item(req).number, body=req.json["body"], user=self.login)
        req.repo.comments[comment.id] = comment
        return 201, self._comment_json(req.repo, comment)

    def _comment(self, req: Request) -> Comment:
        comment = req.repo.comments.get(int(req.params["id"]))
        if comment is None:
            raise Reply(404, "Not Found")
        return comment

    def api_edit_comment(self, req: Request) -> tuple[int, Any]:
        comment = self._comment(req)
        comment.body, comment.updated_at = req.json["body"], _now()
        return 200, self._comment_json(req.repo, comment)

    def api_delete_comment(self, req: Request) -> tuple[int, Any]:
        del req.repo.comments[self._comment(req).id]
        return 204, None

    # -- routes: statuses, checks, refs -------------------------------------------------

    def _commit(self, req: Request) -> str:
        sha = req.repo.sha(req.params["ref"])
        if sha is None:
            raise Reply(422, f"No commit found for SHA: {req.params['ref']}")
        return sha

    def api_combined_status(self, req: Request) -> tuple[int, Any]:
        repo, sha = req.repo, self._commit(req)
        statuses = _latest(repo.statuses.get(sha, []), "context")
        states = {s["state"] for s in statuses}
        state = "failure" if states & {"failure", "error"} else \
            "pending" if not statuses or "pending" in states else "success"
        return 200, {"state": state, "statuses": statuses, "sha": sha, "total_count": len(statuses),
                     "repository": self._repo_json(repo),
                     "commit_url": f"{self.api_url}/repos/{repo.full_name}/commits/{sha}",
                     "url": f"{self.api_url}/repos/{repo.full_name}/commits/{sha}/status"}

    def api_list_check_runs(self, req: Request) -> tuple[int, Any]:
        repo, sha = req.repo, self._commit(req)
        runs = repo.check_runs.get(sha, [])
        runs = list(reversed(runs)) if req.query.get("filter") == "all" else _latest(runs, "name")
        return 200, {"total_count": len(runs), "check_runs": self._paginate(req, runs)}

    def api_delete_ref(self, req: Request) -> tuple[int, Any]:
        repo, branch = req.repo, req.params["branch"]
        if repo.sha(f"refs/heads/{branch}") is None:
            raise Reply(422, "Reference does not exist")
        for item in repo.items.values():  # GitHub closes the PRs of a deleted head branch
            if item.pull and item.state == "open" and item.head == branch:
                repo.head_sha(item)
                self._close(item)
        git(repo.path, "update-ref", "-d", f"refs/heads/{branch}")
        return 204, None

    # -- GraphQL: the auto-merge mutations ----------------------------------------------

    def api_graphql(self, req: Request) -> dict[str, Any]:
        match = re.search(r"\{\s*(\w+)\(input:", req.json.get("query", ""))
        name = match.group(1) if match else ""
        if name not in ("enablePullRequestAutoMerge", "disablePullRequestAutoMerge"):
            self.unhandled.append(("POST", f"/api/graphql {name or '?'}"))
            return {"errors": [{"type": "UNKNOWN", "message": f"fake GitHub: {name or 'query'} not supported"}]}
        given = req.json["variables"]["input"]
        found = [(r, i) for r in self.repos.values() for i in r.items.values()
                 if f"PR_{r.id}_{i.number}" == given.get("pullRequestId")]
        if not found:
            return {"data": {name: None}, "errors": [{"type": "NOT_FOUND", "path": [name], "message":
                    f"Could not resolve to a node with the global id of '{given.get('pullRequestId')}'"}]}
        repo, item = found[0]
        if name == "disablePullRequestAutoMerge":
            item.auto_merge = None
        else:
            head, checks = repo.head_sha(item), repo.check_state(repo.head_sha(item))
            problem = ("Pull request is closed" if item.state != "open"
                       else "Pull request is in clean status" if checks in ("green", "none")
                       else "Head sha didn't match expected head oid"
                       if given.get("expectedHeadOid") not in (None, head) else None)
            if problem:
                return {"data": {name: None},
                        "errors": [{"type": "UNPROCESSABLE", "path": [name], "message": f"Pull request {problem}"}]}
            item.auto_merge = {"enabled_by": self._user(self.login),
                               "merge_method": given.get("mergeMethod", "MERGE").lower(),
                               "commit_title": given.get("commitHeadline"), "commit_message": given.get("commitBody")}
            self._run_automerge(repo)
        actor = {"avatarUrl": f"{self.url}/avatars/{self.login}", "login": self.login,
                 "resourcePath": f"/{self.login}", "url": f"{self.url}/{self.login}"}
        return {"data": {name: {"actor": actor, "clientMutationId": given.get("clientMutationId")}}}

