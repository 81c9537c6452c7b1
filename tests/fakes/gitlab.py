"""A stateful fake GitLab (REST API v4) on 127.0.0.1, for python-gitlab and for git.

Projects keep their branches in real bare repositories (``tests.fakes.githttp``), served
over git's smart HTTP at ``{url}/{group}/{name}.git`` with Basic auth (any user, the
token as password: ``oauth2:<token>``). API calls need ``PRIVATE-TOKEN: <token>`` or
``Authorization: Bearer <token>``; anything else gets 401. Merge requests, issues, notes,
commit statuses and pipelines live in memory and answer in GitLab's documented shapes,
with GitLab's pagination (``X-Total``, ``X-Next-Page``…, ``Link``)::

    with FakeGitLab(tmp_path, files={"compose.yml": b"..."}) as server:
        forge = GitLabForge(server.token, endpoint=server.url, repository=server.project.path)
        server.set_pipeline(sha, "success")                            # CI
        server.close_mr(1); server.push_commit("upkeep/x", {"a": b"1"})  # humans
        assert server.unhandled == []          # nothing called outside the route table

Routes are one table (``_ROUTES``, filled by ``@_route``); an unknown endpoint answers 404
and is recorded in ``server.unhandled``; a handler that crashes answers 500 and leaves its
traceback in ``server.errors``. Test helpers work on the default project unless given
``project=``. ``server.requests`` records (method, path) of every request, never headers.

Merging is real: fast-forward when the target is an ancestor of the head, else a merge
commit (``git merge-tree``); conflicts give 422 "Branch cannot be merged", a ``sha`` that
is not the head 409. Merge when pipeline succeeds (``merge_when_pipeline_succeeds`` or
``auto_merge``) waits while the head's checks are pending and merges when ``set_status``
/ ``set_pipeline`` turn them green; with nothing pending it merges at once; failed checks
or a moved source branch cancel it, as on GitLab.

Simplified: one token user (``upkeep-bot``, member of every project at the project's
``access_level``); ``search`` is a substring match; commit statuses are not jobs of a
pipeline (a single MR's ``head_pipeline`` is made up from them when there is no
pipeline); ``detailed_merge_status`` is computed at once (never ``checking``); pushes over
git trigger no pipeline; no approvals, discussions, protected branches or rate limits.
"""

from __future__ import annotations

import base64
import itertools
import json
import math
import os
import re
import subprocess
import threading
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from tests.fakes.githttp import commit_files, git, make_bare_repo, merge_commit, serve_git

TOKEN = "glpat-fake-token-0123456789"
HUMAN = "Human <human@example.invalid>"
RED = frozenset({"failed", "canceled", "canceling", "skipped"})
_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
_DRAFT = re.compile(r"^\s*(\[draft\]|\(draft\)|draft:|draft\s-|wip:|\[wip\])", re.I)


class ApiError(Exception):
    """Answer ``status`` with ``{"message": message}`` (or ``message`` if a dict)."""

    def __init__(self, status: int, message: object):
        super().__init__(message)
        self.status = status
        self.payload = message if isinstance(message, dict) else {"message": message}


@dataclass(kw_only=True)
class Note:
    id: int
    body: str
    author_id: int
    created_at: str
    updated_at: str
    system: bool = False


@dataclass(kw_only=True)
class Issue:
    id: int
    iid: int
    title: str
    description: str
    author_id: int
    created_at: str
    updated_at: str
    state: str = "opened"  # opened | closed (| merged for MRs)
    labels: list[str] = field(default_factory=list)
    closed_at: str | None = None


@dataclass(kw_only=True)
class MergeRequest(Issue):
    source_branch: str
    target_branch: str
    assignee_ids: list[int] = field(default_factory=list)
    reviewer_ids: list[int] = field(default_factory=list)
    merge_when_pipeline_succeeds: bool = False
    auto_merge_sha: str | None = None  # the head when auto-merge was set
    remove_source_branch: bool = False
    squash: bool = False
    sha: str | None = None  # the head; frozen once the MR is not open
    merge_commit_sha: str | None = None
    merged_at: str | None = None
    notes: list[Note] = field(default_factory=list)


@dataclass(kw_only=True)
class Project:
    id: int
    path: str  # group/subgroup/name
    repo: Path | None  # the bare repository; None for API-only projects
    default_branch: str = "main"
    archived: bool = False
    access_level: int = 40  # the token user's: 30 developer, 40 maintainer
    only_allow_merge_if_pipeline_succeeds: bool = False
    mrs: dict[int, MergeRequest] = field(default_factory=dict)
    issues: dict[int, Issue] = field(default_factory=dict)
    statuses: list[dict[str, Any]] = field(default_factory=list)
    pipelines: list[dict[str, Any]] = field(default_factory=list)


Handler = Callable[..., Any]
_ROUTES: list[tuple[str, re.Pattern[str], Handler]] = []


def _route(method: str, pattern: str) -> Callable[[Handler], Handler]:
    regex = "/api/v4" + pattern.replace("{project}", r"/projects/(?P<pid>[^/]+)").replace("{iid}", r"(?P<iid>\d+)")

    def register(fn: Handler) -> Handler:
        _ROUTES.append((method, re.compile(regex), fn))
        return fn

    return register


def _git_run(repo: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """git in ``repo`` when its exit status or exact output bytes matter."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, env=env, check=False)


def _truthy(value: object) -> bool:
    return str(value).lower() in ("true", "1", "yes")


def _names(value: object) -> list[str]:
    """GitLab's labels: a comma string or an array."""
    items = value if isinstance(value, list) else str(value or "").split(",")
    return list(dict.fromkeys(s.strip() for s in items if str(s).strip()))


def _ids(value: object) -> list[int]:
    items = value if isinstance(value, list) else [value]
    return [int(str(i)) for i in items if str(i) not in ("", "0", "None")]


def _order(items: list[Any], q: Mapping[str, Any]) -> list[Any]:
    """GitLab's ``order_by`` (created_at, updated_at) and ``sort`` (default desc)."""
    key = "updated_at" if q.get("order_by") == "updated_at" else "created_at"
    return sorted(items, key=lambda x: (getattr(x, key), x.id), reverse=q.get("sort", "desc") != "asc")


class FakeGitLab:
    """The fake server; see the module docstring. ``start()``/``stop()`` or ``with``."""

    def __init__(self, root: Path, *, token: str = TOKEN, project: str = "upkeep/demo",
                 files: Mapping[str, bytes] | None = None, default_branch: str = "main"):
        self.root, self.token = Path(root), token
        self.lock = threading.RLock()
        self.requests: list[tuple[str, str]] = []
        self.unhandled: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self.users: dict[str, int] = {}
        self.projects: dict[str, Project] = {}
        self._ids, self._ticks = itertools.count(1), itertools.count(1)
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.bot_id = self.add_user("upkeep-bot")  # the token's user
        self.add_user("alice")
        self.add_user("bob")
        files = files if files is not None else {"README.md": b"# demo\n"}
        self.project = self.add_project(project, files=files, default_branch=default_branch)

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> FakeGitLab:
        fake = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as python-gitlab's session expects
            disable_nagle_algorithm = True  # no 40 ms delayed-ACK stalls between requests

            def do_GET(self) -> None:
                fake._handle(self)

            do_POST = do_PUT = do_DELETE = do_GET

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None and self._thread is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join()
            self._httpd = self._thread = None

    def __enter__(self) -> FakeGitLab:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._httpd is not None, "start() first"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    # -- set-up and test-side helpers ------------------------------------------------

    def add_user(self, username: str) -> int:
        self.users[username] = next(self._ids)
        return self.users[username]

    def add_project(self, path: str, *, files: Mapping[str, bytes] | None = None, default_branch: str = "main",
                    archived: bool = False, access_level: int = 40) -> Project:
        """A project; with ``files`` it has a bare repository whose default branch holds them."""
        repo = make_bare_repo(self.root / "repos" / f"{path}.git", files, default_branch) if files is not None else None
        project = Project(id=next(self._ids), path=path, repo=repo, default_branch=default_branch,
                          archived=archived, access_level=access_level)
        self.projects[path] = project
        return project

    @property
    def mrs(self) -> dict[int, MergeRequest]:
        return self.project.mrs

    @property
    def issues(self) -> dict[int, Issue]:
        return self.project.issues

    def notes(self, iid: int, *, project: Project | None = None) -> list[Note]:
        return (project or self.project).mrs[iid].notes

    def branch_sha(self, name: str, *, project: Project | None = None) -> str | None:
        repo = (project or self.project).repo
        assert repo is not None, "an API-only project has no branches"
        return git(repo, "rev-parse", "--verify", "--quiet", f"refs/heads/{name}", check=False) or None

    def read_file(self, branch: str, path: str, *, project: Project | None = None) -> bytes | None:
        repo = (project or self.project).repo
        assert repo is not None, "an API-only project has no files"
        proc = _git_run(repo, "cat-file", "blob", f"refs/heads/{branch}:{path}")
        return proc.stdout if proc.returncode == 0 else None

    def push_commit(self, branch: str, files: Mapping[str, bytes | None], *, author: str = HUMAN,
                    message: str = "A human change", base: str | None = None,
                    project: Project | None = None) -> str:
        """A commit on ``branch`` (made from ``base`` or the default branch if missing); ``None`` deletes."""
        p = project or self.project
        assert p.repo is not None
        with self.lock:
            parent = self.branch_sha(branch, project=p) or self.branch_sha(base or p.default_branch, project=p)
            return commit_files(p.repo, branch, files, author=author, message=message, parent=parent)

    def set_status(self, sha: str | None, state: str, name: str = "ci", *, allow_failure: bool = False,
                   project: Project | None = None) -> None:
        """A commit status (external CI): success, pending, running, failed, canceled…"""
        p = project or self.project
        assert sha is not None
        with self.lock:
            now = self._now()
            p.statuses.append({
                "id": next(self._ids), "sha": sha, "ref": None, "status": state, "name": name, "target_url": None,
                "description": None, "created_at": now, "started_at": now, "allow_failure": allow_failure,
                "finished_at": None if state in ("pending", "running") else now, "coverage": None,
                "author": self._user(self.bot_id),
            })
            self._checks_changed(p, sha)

    def set_pipeline(self, sha: str | None, status: str, *, new: bool = False, ref: str | None = None,
                     project: Project | None = None) -> None:
        """Set the status of the sha's latest pipeline (``new=True``: start another one)."""
        p = project or self.project
        assert sha is not None
        with self.lock:
            mine = [x for x in p.pipelines if x["sha"] == sha]
            if mine and not new:
                mine[-1].update(status=status, updated_at=self._now())
            else:
                pid, now = next(self._ids), self._now()
                p.pipelines.append({
                    "id": pid, "iid": len(p.pipelines) + 1, "project_id": p.id, "sha": sha, "status": status,
                    "ref": ref or p.default_branch, "source": "push", "created_at": now, "updated_at": now,
                    "web_url": f"{self.url}/{p.path}/-/pipelines/{pid}",
                })
            self._checks_changed(p, sha)

    def close_mr(self, iid: int, *, project: Project | None = None) -> None:
        p = project or self.project
        with self.lock:
            self._set_mr_state(p, p.mrs[iid], "close")

    def merge_mr(self, iid: int, *, project: Project | None = None) -> None:
        """A human merges now, whatever the checks say."""
        p = project or self.project
        with self.lock:
            assert p.mrs[iid].state == "opened"
            self._merge(p, p.mrs[iid], squash=False)

    def edit_issue_body(self, iid: int, body: str, *, project: Project | None = None) -> None:
        issue = (project or self.project).issues[iid]
        issue.description, issue.updated_at = body, self._now()

    # -- state logic -----------------------------------------------------------------

    def _now(self) -> str:
        return (_EPOCH + timedelta(seconds=next(self._ticks))).isoformat().replace("+00:00", ".000Z")

    def _head(self, p: Project, mr: MergeRequest) -> str | None:
        if mr.state == "opened" and p.repo is not None:
            mr.sha = self.branch_sha(mr.source_branch, project=p) or mr.sha
        return mr.sha

    def ci_state(self, p: Project, sha: str | None) -> str:
        """success | failed | pending | none, from the latest status per name and the latest pipeline."""
        latest = {s["name"]: "success" if s["allow_failure"] and s["status"] in RED else s["status"]
                  for s in p.statuses if s["sha"] == sha}
        states = [*latest.values(), *[x["status"] for x in p.pipelines if x["sha"] == sha][-1:]]
        if not states:
            return "none"
        if any(s in RED for s in states):
            return "failed"
        return "success" if all(s == "success" for s in states) else "pending"

    def _conflicts(self, p: Project, mr: MergeRequest) -> bool:
        head, target = self._head(p, mr), self.branch_sha(mr.target_branch, project=p)
        if p.repo is None or head is None or target is None:
            return False
        return _git_run(p.repo, "merge-tree", "--write-tree", target, head).returncode != 0

    def _detailed_status(self, p: Project, mr: MergeRequest) -> str:
        if mr.state != "opened":
            return "not_open"
        if _DRAFT.match(mr.title):
            return "draft_status"
        if self._conflicts(p, mr):
            return "conflict"
        ci = self.ci_state(p, mr.sha)
        if p.only_allow_merge_if_pipeline_succeeds and ci != "success":
            return "ci_still_running" if ci == "pending" else "ci_must_pass"
        return "mergeable"

    def _system_note(self, mr: MergeRequest, body: str) -> None:
        now = self._now()
        mr.notes.append(Note(id=next(self._ids), body=body, author_id=self.bot_id, created_at=now,
                             updated_at=now, system=True))

    def _checks_changed(self, p: Project, sha: str) -> None:
        """Merge when pipeline succeeds: merge, or cancel, the MRs waiting for ``sha``."""
        for mr in p.mrs.values():
            if mr.state != "opened" or not mr.merge_when_pipeline_succeeds:
                continue
            head, ci = self._head(p, mr), self.ci_state(p, sha)
            reason = "the source branch was updated" if head != mr.auto_merge_sha else None
            if head == mr.auto_merge_sha == sha and ci == "success":
                try:
                    self._merge(p, mr, squash=mr.squash)
                except ApiError:
                    reason = "the merge failed"
            elif head == mr.auto_merge_sha == sha and ci == "failed":
                reason = "the pipeline failed"
            if reason:
                mr.merge_when_pipeline_succeeds = False
                self._system_note(mr, f"aborted the automatic merge because {reason}")

    def _merge(self, p: Project, mr: MergeRequest, *, squash: bool) -> None:
        """A real merge in the bare repository; moves the target branch."""
        repo, head, target = p.repo, self._head(p, mr), self.branch_sha(mr.target_branch, project=p)
        if repo is None or head is None or target is None:
            raise ApiError(422, "Branch cannot be merged")
        ff = not squash and _git_run(repo, "merge-base", "--is-ancestor", target, head).returncode == 0
        new: str | None = head
        if not ff:
            message = mr.title if squash else (f"Merge branch '{mr.source_branch}' into '{mr.target_branch}'\n\n"
                                               f"{mr.title}\n\nSee merge request {p.path}!{mr.iid}")
            new = merge_commit(repo, target, head, message=message, squash=squash)
        if new is None:
            raise ApiError(422, "Branch cannot be merged")
        git(repo, "update-ref", f"refs/heads/{mr.target_branch}", new, target)
        mr.state, mr.merged_at = "merged", self._now()
        mr.updated_at, mr.merge_commit_sha = mr.merged_at, None if ff else new
        if mr.remove_source_branch:
            git(repo, "update-ref", "-d", f"refs/heads/{mr.source_branch}", head)

    def _set_mr_state(self, p: Project, mr: MergeRequest, event: str) -> None:
        if event == "close" and mr.state == "opened":
            self._head(p, mr)
            mr.state, mr.closed_at, mr.merge_when_pipeline_succeeds = "closed", self._now(), False
        elif event == "reopen" and mr.state == "closed" and self.branch_sha(mr.source_branch, project=p):
            mr.state, mr.closed_at = "opened", None
        mr.updated_at = self._now()

    # -- JSON shapes -----------------------------------------------------------------

    def _user(self, uid: int) -> dict[str, Any]:
        name = next(n for n, i in self.users.items() if i == uid)
        return {"id": uid, "username": name, "name": name.title(), "state": "active", "locked": False,
                "avatar_url": None, "web_url": f"{self.url}/{name}"}

    def _project_json(self, p: Project) -> dict[str, Any]:
        """The full shape, also for ``simple=true`` (which only leaves fields out)."""
        group, _, name = p.path.rpartition("/")
        return {
            "id": p.id, "name": name, "path": name, "path_with_namespace": p.path, "description": None,
            "name_with_namespace": p.path.replace("/", " / "), "default_branch": p.default_branch,
            "web_url": f"{self.url}/{p.path}", "http_url_to_repo": f"{self.url}/{p.path}.git",
            "ssh_url_to_repo": f"git@127.0.0.1:{p.path}.git", "created_at": _EPOCH.isoformat(),
            "last_activity_at": _EPOCH.isoformat(), "topics": [], "star_count": 0, "forks_count": 0,
            "namespace": {"id": 1, "name": group, "path": group.rpartition("/")[2], "kind": "group",
                          "full_path": group, "web_url": f"{self.url}/groups/{group}"},
            "archived": p.archived, "visibility": "private", "merge_method": "merge",
            "only_allow_merge_if_pipeline_succeeds": p.only_allow_merge_if_pipeline_succeeds,
            "merge_requests_enabled": True, "issues_enabled": True, "empty_repo": p.repo is None,
            "permissions": {"project_access": {"access_level": p.access_level, "notification_level": 3},
                            "group_access": None},
        }

    def _issue_json(self, p: Project, issue: Issue) -> dict[str, Any]:
        kind = "merge_requests" if isinstance(issue, MergeRequest) else "issues"
        sign = "!" if kind == "merge_requests" else "#"
        return {
            "id": issue.id, "iid": issue.iid, "project_id": p.id, "title": issue.title,
            "description": issue.description, "state": issue.state, "created_at": issue.created_at,
            "updated_at": issue.updated_at, "closed_at": issue.closed_at, "labels": list(issue.labels),
            "author": self._user(issue.author_id), "assignees": [], "confidential": False,
            "references": {"short": f"{sign}{issue.iid}", "full": f"{p.path}{sign}{issue.iid}"},
            "web_url": f"{self.url}/{p.path}/-/{kind}/{issue.iid}",
        }

    def _mr_json(self, p: Project, mr: MergeRequest, *, single: bool = True) -> dict[str, Any]:
        """An MR as GET/PUT answer it; lists (``single=False``) leave out ``head_pipeline``."""
        head, detailed, draft = self._head(p, mr), self._detailed_status(p, mr), bool(_DRAFT.match(mr.title))
        users = [self._user(i) for i in mr.assignee_ids]
        pipes = [x for x in p.pipelines if x["sha"] == head]
        if not pipes and any(s["sha"] == head for s in p.statuses):  # GitLab makes an "external" one
            pipes = [{"id": 0, "sha": head, "status": self.ci_state(p, head), "source": "external"}]
        pipeline = pipes[-1] if pipes else None
        return {
            **({"head_pipeline": pipeline, "pipeline": pipeline} if single else {}),
            **self._issue_json(p, mr), "merged_at": mr.merged_at, "target_branch": mr.target_branch,
            "source_branch": mr.source_branch, "source_project_id": p.id, "target_project_id": p.id,
            "assignee": users[0] if users else None, "assignees": users,
            "reviewers": [self._user(i) for i in mr.reviewer_ids], "draft": draft, "work_in_progress": draft,
            "merge_when_pipeline_succeeds": mr.merge_when_pipeline_succeeds,
            "merge_status": "cannot_be_merged" if detailed == "conflict" else "can_be_merged",
            "detailed_merge_status": detailed, "has_conflicts": detailed == "conflict", "sha": head,
            "merge_commit_sha": mr.merge_commit_sha, "squash_commit_sha": None, "squash": mr.squash,
            "force_remove_source_branch": mr.remove_source_branch, "user_notes_count": len(mr.notes),
            "should_remove_source_branch": mr.remove_source_branch,
        }

    def _note_json(self, mr: MergeRequest, note: Note) -> dict[str, Any]:
        return {
            "id": note.id, "type": None, "body": note.body, "attachment": None, "author": self._user(note.author_id),
            "created_at": note.created_at, "updated_at": note.updated_at, "system": note.system,
            "noteable_id": mr.id, "noteable_type": "MergeRequest", "noteable_iid": mr.iid,
            "resolvable": False, "confidential": False, "internal": False,
        }

    # -- HTTP ------------------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        split = urlsplit(h.path)
        self.requests.append((h.command, split.path))
        if not split.path.startswith("/api/"):
            return self._serve_git(h, split.path)
        raw = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        if self.token not in (h.headers.get("PRIVATE-TOKEN"), h.headers.get("Authorization", "").removeprefix("Bearer ")):
            return self._send(h, 401, {"message": "401 Unauthorized"})
        params: dict[str, Any] = {}
        for key, value in parse_qsl(split.query, keep_blank_values=True):
            if key.endswith("[]"):
                params.setdefault(key[:-2], []).append(value)
            else:
                params[key] = value
        if raw:
            json_body = "json" in h.headers.get("Content-Type", "")
            params.update(json.loads(raw) if json_body else parse_qsl(raw.decode(), keep_blank_values=True))
        found = [(m, fn) for method, regex, fn in _ROUTES if method == h.command and (m := regex.fullmatch(split.path))]
        if not found:
            self.unhandled.append((h.command, split.path))
            return self._send(h, 404, {"message": "404 Not Found (not faked)"})
        match, fn = found[0]
        args: dict[str, Any] = {k: unquote(v) for k, v in match.groupdict().items()}
        status, headers = 200, dict[str, str]()
        try:
            with self.lock:
                if "pid" in args:
                    args["p"] = self._find_project(args.pop("pid"))
                if "iid" in args:
                    args["iid"] = int(args["iid"])
                result = fn(self, params, **args)
                if isinstance(result, tuple):
                    status, result = result
                if isinstance(result, list):
                    result, headers = self._paginate(result, params, split.path)
        except ApiError as exc:
            return self._send(h, exc.status, exc.payload)
        except Exception:
            self.errors.append(traceback.format_exc())
            return self._send(h, 500, {"message": "500 Internal Server Error"})
        self._send(h, status, result, headers)

    def _send(self, h: BaseHTTPRequestHandler, status: int, payload: object,
              headers: Mapping[str, str] | None = None) -> None:
        body = b"" if status == 204 else json.dumps(payload).encode()
        h.send_response(status)
        for name, value in {"Content-Type": "application/json", "Content-Length": str(len(body)),
                            **(headers or {})}.items():
            h.send_header(name, value)
        h.end_headers()
        h.wfile.write(body)

    def _paginate(self, items: list[Any], q: Mapping[str, Any], path: str) -> tuple[list[Any], dict[str, str]]:
        per_page = max(1, min(int(q.get("per_page") or 20), 100))
        page, pages = max(1, int(q.get("page") or 1)), max(1, math.ceil(len(items) / per_page))
        query = {k: v for k, v in q.items() if k != "page" and not isinstance(v, list)}
        rels = {"next": page + 1 if page < pages else None, "prev": page - 1 if page > 1 else None,
                "first": 1, "last": pages}
        links = [f'<{self.url}{path}?{urlencode({**query, "page": n})}>; rel="{rel}"' for rel, n in rels.items() if n]
        headers = {
            "X-Page": str(page), "X-Per-Page": str(per_page), "X-Total": str(len(items)),
            "X-Total-Pages": str(pages), "X-Next-Page": str(rels["next"] or ""),
            "X-Prev-Page": str(rels["prev"] or ""), "Link": ", ".join(links),
        }
        return items[(page - 1) * per_page: page * per_page], headers

    def _serve_git(self, h: BaseHTTPRequestHandler, path: str) -> None:
        match = re.fullmatch(r"/(?P<path>.+?)\.git(?P<rest>/.*)", path)
        project = self.projects.get(match["path"]) if match else None
        h.close_connection = True  # git's body is not read on refusals
        if match is None or project is None or project.repo is None:
            return self._send(h, 404, {"message": "404 Not Found"}, {"Connection": "close"})
        scheme, _, cred = h.headers.get("Authorization", "").partition(" ")
        try:
            password = base64.b64decode(cred).decode().partition(":")[2]
        except ValueError:
            password = ""
        if scheme.lower() != "basic" or password != self.token:
            return self._send(h, 401, {"message": "HTTP Basic: Access denied"},
                              {"WWW-Authenticate": 'Basic realm="GitLab"', "Connection": "close"})
        h.close_connection = False
        serve_git(h, self.root / "repos", f"/{project.path}.git{match['rest']}")

    def _edit(self, item: Issue, q: Mapping[str, Any]) -> Issue:
        """The fields MRs and issues share: title, description, labels (replaced)."""
        item.title, item.updated_at = q.get("title") or item.title, self._now()
        item.description = q["description"] or "" if "description" in q else item.description
        item.labels = _names(q["labels"]) if "labels" in q else item.labels
        return item

    def _find_project(self, pid: str) -> Project:
        found = [p for p in self.projects.values() if pid in (p.path, str(p.id))]
        if not found:
            raise ApiError(404, "404 Project Not Found")
        return found[0]

    def _get_mr(self, p: Project, iid: int) -> MergeRequest:
        if iid not in p.mrs:
            raise ApiError(404, "404 Not found")
        return p.mrs[iid]

    def _get_note(self, mr: MergeRequest, note_id: str) -> Note:
        found = [n for n in mr.notes if n.id == int(note_id)]
        if not found:
            raise ApiError(404, "404 Note Not Found")
        return found[0]

    # -- routes: users and projects ----------------------------------------------------

    @_route("GET", "/user")
    def _current_user(self, q: dict[str, Any]) -> Any:
        return {**self._user(self.bot_id), "email": "bot@example.invalid", "is_admin": False}

    @_route("GET", "/users")
    def _list_users(self, q: dict[str, Any]) -> Any:
        return [self._user(uid) for name, uid in self.users.items() if q.get("username") in (None, name)]

    @_route("GET", "/projects")
    def _list_projects(self, q: dict[str, Any]) -> Any:
        found = [p for p in self.projects.values() if p.access_level >= int(q.get("min_access_level") or 0)
                 and ("archived" not in q or p.archived == _truthy(q["archived"]))]
        found.sort(key=lambda p: p.id, reverse=q.get("sort", "desc") != "asc")
        return [self._project_json(p) for p in found]

    @_route("GET", "{project}")
    def _get_project(self, q: dict[str, Any], p: Project) -> Any:
        return self._project_json(p)

    # -- routes: merge requests and notes ----------------------------------------------

    @_route("GET", "{project}/merge_requests")
    def _list_mrs(self, q: dict[str, Any], p: Project) -> Any:
        found = [mr for mr in p.mrs.values()
                 if q.get("state", "all") in ("all", mr.state) and set(_names(q.get("labels"))) <= set(mr.labels)
                 and q.get("source_branch") in (None, mr.source_branch)
                 and q.get("target_branch") in (None, mr.target_branch)
                 and ("iids" not in q or str(mr.iid) in q["iids"])]
        return [self._mr_json(p, mr, single=False) for mr in _order(found, q)]

    @_route("POST", "{project}/merge_requests")
    def _create_mr(self, q: dict[str, Any], p: Project) -> Any:
        for key in ("source_branch", "target_branch", "title"):
            if not q.get(key):
                raise ApiError(400, {"error": f"{key} is missing"})
        source, target = q["source_branch"], q["target_branch"]
        if self.branch_sha(source, project=p) is None:
            raise ApiError(409, [f'Source branch "{source}" does not exist'])
        for other in p.mrs.values():
            if other.state == "opened" and (other.source_branch, other.target_branch) == (source, target):
                raise ApiError(409, [f"Another open merge request already exists for this source branch: !{other.iid}"])
        now, users = self._now(), set(self.users.values())
        mr = MergeRequest(
            id=next(self._ids), iid=max(p.mrs, default=0) + 1, title=q["title"], description=q.get("description") or "",
            author_id=self.bot_id, created_at=now, updated_at=now, labels=_names(q.get("labels")),
            source_branch=source, target_branch=target,
            assignee_ids=[i for i in _ids(q.get("assignee_ids", [])) if i in users],
            reviewer_ids=[i for i in _ids(q.get("reviewer_ids", [])) if i in users],
            remove_source_branch=_truthy(q.get("remove_source_branch")), squash=_truthy(q.get("squash")),
        )
        p.mrs[mr.iid] = mr
        return 201, self._mr_json(p, mr)

    @_route("GET", "{project}/merge_requests/{iid}")
    def _get_mr_route(self, q: dict[str, Any], p: Project, iid: int) -> Any:
        return self._mr_json(p, self._get_mr(p, iid))

    @_route("PUT", "{project}/merge_requests/{iid}")
    def _update_mr(self, q: dict[str, Any], p: Project, iid: int) -> Any:
        mr, users = self._get_mr(p, iid), set(self.users.values())
        self._edit(mr, q)
        for key in ("assignee_ids", "reviewer_ids"):
            if key in q:
                setattr(mr, key, [i for i in _ids(q[key]) if i in users])
        for key in ("remove_source_branch", "squash"):
            if key in q:
                setattr(mr, key, _truthy(q[key]))
        if q.get("state_event") in ("close", "reopen"):
            self._set_mr_state(p, mr, q["state_event"])
        return self._mr_json(p, mr)

    @_route("PUT", "{project}/merge_requests/{iid}/merge")
    def _merge_route(self, q: dict[str, Any], p: Project, iid: int) -> Any:
        mr = self._get_mr(p, iid)
        head = self._head(p, mr)
        if mr.state != "opened" or _DRAFT.match(mr.title):
            raise ApiError(405, "405 Method Not Allowed")
        if q.get("sha") and q["sha"] != head:
            raise ApiError(409, "SHA does not match HEAD of source branch")
        if self._conflicts(p, mr):
            raise ApiError(422, "Branch cannot be merged")
        squash, ci = _truthy(q.get("squash")) or mr.squash, self.ci_state(p, head)
        if (_truthy(q.get("merge_when_pipeline_succeeds")) or _truthy(q.get("auto_merge"))) and ci == "pending":
            mr.merge_when_pipeline_succeeds, mr.auto_merge_sha, mr.squash = True, head, squash
            self._system_note(mr, f"enabled an automatic merge when the pipeline for {head} succeeds")
        elif p.only_allow_merge_if_pipeline_succeeds and ci != "success":
            raise ApiError(405, "405 Method Not Allowed")
        else:
            self._merge(p, mr, squash=squash)
        return self._mr_json(p, mr)

    @_route("GET", "{project}/merge_requests/{iid}/notes")
    def _list_notes(self, q: dict[str, Any], p: Project, iid: int) -> Any:
        mr = self._get_mr(p, iid)
        return [self._note_json(mr, n) for n in _order(mr.notes, q)]

    @_route("POST", "{project}/merge_requests/{iid}/notes")
    def _create_note(self, q: dict[str, Any], p: Project, iid: int) -> Any:
        mr, now = self._get_mr(p, iid), self._now()
        if not q.get("body"):
            raise ApiError(400, {"error": "body is missing"})
        mr.notes.append(Note(id=next(self._ids), body=q["body"], author_id=self.bot_id, created_at=now, updated_at=now))
        return 201, self._note_json(mr, mr.notes[-1])

    @_route("PUT", "{project}/merge_requests/{iid}/notes/(?P<note_id>\\d+)")
    def _update_note(self, q: dict[str, Any], p: Project, iid: int, note_id: str) -> Any:
        mr = self._get_mr(p, iid)
        note = self._get_note(mr, note_id)
        note.body, note.updated_at = q.get("body") or note.body, self._now()
        return self._note_json(mr, note)

    @_route("DELETE", "{project}/merge_requests/{iid}/notes/(?P<note_id>\\d+)")
    def _delete_note(self, q: dict[str, Any], p: Project, iid: int, note_id: str) -> Any:
        mr = self._get_mr(p, iid)
        mr.notes.remove(self._get_note(mr, note_id))
        return 204, None

    # -- routes: CI and branches -------------------------------------------------------

    @_route("GET", "{project}/repository/commits/(?P<sha>[0-9a-f]{7,40})/statuses")
    def _list_statuses(self, q: dict[str, Any], p: Project, sha: str) -> Any:
        mine = [s for s in p.statuses if s["sha"] == sha and q.get("name") in (None, s["name"])]
        return mine if _truthy(q.get("all")) else list({s["name"]: s for s in mine}.values())

    @_route("GET", "{project}/pipelines")
    def _list_pipelines(self, q: dict[str, Any], p: Project) -> Any:
        found = [dict(x) for x in p.pipelines if q.get("sha") in (None, x["sha"])
                 and q.get("ref") in (None, x["ref"]) and q.get("status") in (None, x["status"])]
        return sorted(found, key=lambda x: x["id"], reverse=q.get("sort", "desc") != "asc")

    @_route("DELETE", "{project}/repository/branches/(?P<branch>[^/]+)")
    def _delete_branch(self, q: dict[str, Any], p: Project, branch: str) -> Any:
        sha = self.branch_sha(branch, project=p) if p.repo else None
        if p.repo is None or sha is None:
            raise ApiError(404, "404 Branch Not Found")
        git(p.repo, "update-ref", "-d", f"refs/heads/{branch}", sha)
        return 204, None

    # -- routes: issues ----------------------------------------------------------------

    @_route("GET", "{project}/issues")
    def _list_issues(self, q: dict[str, Any], p: Project) -> Any:
        search, fields = str(q.get("search") or "").lower(), _names(q.get("in") or "title,description")
        found = [i for i in p.issues.values()
                 if q.get("state", "all") in ("all", i.state) and set(_names(q.get("labels"))) <= set(i.labels)
                 and (not search or any(search in str(getattr(i, f, "")).lower() for f in fields))]
        return [self._issue_json(p, i) for i in _order(found, q)]

    @_route("POST", "{project}/issues")
    def _create_issue(self, q: dict[str, Any], p: Project) -> Any:
        if not q.get("title"):
            raise ApiError(400, {"error": "title is missing"})
        now = self._now()
        issue = Issue(id=next(self._ids), iid=max(p.issues, default=0) + 1, title=q["title"], created_at=now,
                      description=q.get("description") or "", author_id=self.bot_id, updated_at=now,
                      labels=_names(q.get("labels")))
        p.issues[issue.iid] = issue
        return 201, self._issue_json(p, issue)

    @_route("PUT", "{project}/issues/{iid}")
    def _update_issue(self, q: dict[str, Any], p: Project, iid: int) -> Any:
        if iid not in p.issues:
            raise ApiError(404, "404 Not found")
        issue = self._edit(p.issues[iid], q)
        if q.get("state_event") == "close" and issue.state == "opened":
            issue.state, issue.closed_at = "closed", self._now()
        elif q.get("state_event") == "reopen" and issue.state == "closed":
            issue.state, issue.closed_at = "opened", None
        return self._issue_json(p, issue)
