"""GitLab as a ``Forge``, through python-gitlab (REST API v4).

A pull request here is a merge request (``PullRequest.number`` is the MR ``iid``); the
Dependency Dashboard is an issue; check state combines the commit statuses of a sha with
its latest pipeline. gitlab.com and self-managed instances work alike: ``endpoint`` is
the instance's base URL (``https://gitlab.example.com``, or with a relative URL root
``https://example.com/gitlab``), without ``/api/v4``.

Selecting the repository: every MR, issue, comment, status and branch call works on one
project, given as ``repository="group/subgroup/name"`` to the constructor or later with
``use(name)`` (as ``GitHubForge.use``; alias ``use_repository``); autodiscover is
``list_repositories()`` then ``use`` per repository on one forge (the API client and its
connections are shared). ``get_repo(name)`` reads any project and selects nothing. The
project is addressed by its URL-encoded path (``group%2Fname``), so selecting it costs
no call::

    with GitLabForge(token, endpoint="https://gitlab.example.com", repository="grp/app") as forge:
        forge.find_pr("upkeep/nginx-1.x")

Errors: every python-gitlab exception becomes ``PlatformError`` naming the call
(``GitLab create merge request for 'upkeep/x' failed: 409: ...``); 401 and 403 become
``PlatformAuthError``, except that the merge endpoint's refusals (401 "not allowed to
merge" among them) make ``merge_pr``/``enable_automerge`` return False. The token travels in the ``PRIVATE-TOKEN`` header only: it is
never logged, and never part of a message or a URL.

Lists ask for ``per_page=100`` and follow GitLab's pagination (``Link``/``X-Next-Page``).
Connection errors, 5xx and 429 are retried by python-gitlab with backoff (``RETRIES``
times, ``Retry-After`` honoured), then reported.

Automerge is GitLab's "merge when pipeline succeeds" (``PUT .../merge`` with
``merge_when_pipeline_succeeds=true``, which python-gitlab sends; GitLab 17 also knows
it as ``auto_merge``), with ``sha`` = the head it looked at. When the head has no
running pipeline GitLab merges at once, and the pipeline of a fresh push appears a
moment after the push: so, as Renovate does, ``enable_automerge`` first waits (a few
short backoffs, ``automerge_waits``) until the MR has a head pipeline, then goes ahead
either way (a project without CI merges at once; ``get_pr`` then says MERGED). The merge
method is a project setting on GitLab; ``method="squash"`` asks for a squash.
"""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import Any

import gitlab
import gitlab.exceptions
from gitlab.v4.objects import Project

from bot import __version__
from bot.errors import PlatformAuthError, PlatformError
from bot.platforms.base import CheckState, Issue, PrState, PullRequest, RepoInfo

log = logging.getLogger(__name__)

PER_PAGE = 100
RETRIES = 3  # python-gitlab's default, 10, backs off for ~100 s in all
AUTOMERGE_WAITS = (0.1, 0.4, 0.9, 1.6, 2.5)  # Renovate's: 100 ms * attempt**2
DEVELOPER = 30  # GitLab access level that may push branches and open merge requests

_MR_STATE = {"opened": PrState.OPEN, "locked": PrState.OPEN, "closed": PrState.CLOSED, "merged": PrState.MERGED}
_MR_FILTER = {PrState.OPEN: "opened", PrState.CLOSED: "closed", PrState.MERGED: "merged"}

# detailed_merge_status values (GitLab >= 15.6) that mean "not computed yet" / "conflicts"
_MERGE_UNKNOWN = {"unchecked", "checking", "preparing", "approvals_syncing"}
_MERGE_CONFLICT = {"conflict", "need_rebase", "broken_status"}

# Commit status and pipeline states, as Renovate maps them: skipped counts as failed
# (GitLab's "pipelines must succeed" refuses a skipped pipeline too).
_GREEN = {"success"}
_RED = {"failed", "canceled", "canceling", "skipped"}

# Errors with which the merge endpoint refuses: 401 not allowed to merge (GitLab's
# ``unauthorized!``; a bad token fails every earlier call), 405 not mergeable (draft,
# closed, pipeline must succeed), 406/422 conflicts, 409 head moved.
_MERGE_REFUSED = {401, 403, 405, 406, 409, 422}


class _Client(gitlab.Gitlab):
    """python-gitlab with ``RETRIES`` retries of transient errors."""

    def http_request(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("max_retries", RETRIES)
        return super().http_request(*args, **kwargs)


class GitLabForge:
    """A GitLab project's merge requests, issues, notes, statuses and branches."""

    name = "gitlab"

    def __init__(
        self,
        token: str,
        *,
        endpoint: str = "https://gitlab.com",
        repository: str | None = None,
        timeout: float = 30.0,
        automerge_waits: Sequence[float] = AUTOMERGE_WAITS,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if not token:
            raise PlatformAuthError("GitLab: no token given")
        self.endpoint = endpoint.rstrip("/")
        self._token = token
        self._gl = _Client(
            self.endpoint,
            private_token=token,
            per_page=PER_PAGE,
            timeout=timeout,
            retry_transient_errors=True,
            keep_base_url=True,
            user_agent=f"upkeep/{__version__}",
        )
        self._automerge_waits = tuple(automerge_waits)
        self._sleep = sleep
        self._users: dict[str, int | None] = {}
        self._project: Project | None = None
        self.repository: str | None = None
        if repository is not None:
            self.use(repository)

    # -- lifecycle -------------------------------------------------------------------

    def close(self) -> None:
        """Close the HTTP connections."""
        self._gl.session.close()

    def __enter__(self) -> GitLabForge:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:  # never shows the token
        return f"GitLabForge(endpoint={self.endpoint!r}, repository={self.repository!r})"

    def use(self, repository: str) -> None:
        """Select (or switch) the project (``group/subgroup/name``) the other calls work on."""
        self.repository = repository.strip("/")
        self._project = self._gl.projects.get(self.repository, lazy=True)

    use_repository = use

    @property
    def project(self) -> Project:
        if self._project is None:
            raise PlatformError("GitLab: no repository selected (repository= or use())")
        return self._project

    @contextmanager
    def _api(self, what: str) -> Iterator[None]:
        """Turn python-gitlab's and requests' errors into PlatformError naming ``what``."""
        try:
            yield
        except gitlab.exceptions.GitlabError as exc:
            code = exc.response_code
            if isinstance(exc, gitlab.exceptions.GitlabAuthenticationError) or code in (401, 403):
                raise PlatformAuthError(
                    f"GitLab {what}: {self.endpoint} refused the token ({code}: {_message(exc)})"
                ) from exc
            raise PlatformError(f"GitLab {what} failed: {code}: {_message(exc)}") from exc
        except OSError as exc:  # requests.RequestException is an OSError
            raise PlatformError(f"GitLab {what}: cannot reach {self.endpoint}: {type(exc).__name__}") from exc

    # -- repositories ----------------------------------------------------------------

    def git_auth_header(self) -> tuple[str, str]:
        basic = base64.b64encode(f"oauth2:{self._token}".encode()).decode()
        return "Authorization", f"Basic {basic}"

    def list_repositories(self) -> list[str]:
        with self._api("list projects"):
            projects = self._gl.projects.list(
                membership=True,
                min_access_level=DEVELOPER,
                archived=False,
                with_merge_requests_enabled=True,
                simple=True,
                order_by="id",
                sort="asc",
                iterator=True,
            )
            names = [str(p.path_with_namespace) for p in projects]
        return sorted(names)

    def get_repo(self, repository: str) -> RepoInfo:
        with self._api(f"get project {repository!r}"):
            project = self._gl.projects.get(repository.strip("/"))
        attrs: dict[str, Any] = project.asdict()
        if not attrs.get("default_branch"):
            raise PlatformError(f"GitLab project {repository!r} is empty (no default branch)")
        extra: dict[str, object] = {
            key: attrs[key]
            for key in ("id", "web_url", "visibility", "merge_method", "only_allow_merge_if_pipeline_succeeds")
            if key in attrs
        }
        return RepoInfo(
            full_name=attrs["path_with_namespace"],
            clone_url=attrs["http_url_to_repo"],
            default_branch=attrs["default_branch"],
            archived=bool(attrs.get("archived", False)),
            extra=extra,
        )

    # -- merge requests --------------------------------------------------------------

    def find_pr(self, branch: str, *, state: PrState | None = None, base: str | None = None) -> PullRequest | None:
        filters: dict[str, Any] = {"source_branch": branch, "state": _MR_FILTER[state] if state else "all"}
        if base is not None:
            filters["target_branch"] = base
        with self._api(f"find merge request for {branch!r}"):
            mrs = self.project.mergerequests.list(
                **filters, order_by="created_at", sort="desc", per_page=1, get_all=False
            )
        return _pull_request(mrs[0].asdict()) if mrs else None

    def get_pr(self, number: int) -> PullRequest:
        with self._api(f"get merge request !{number}"):
            mr = self.project.mergerequests.get(number)
        return _pull_request(mr.asdict())

    def create_pr(
        self, *, branch: str, base: str, title: str, body: str, labels: Sequence[str] = (), draft: bool = False
    ) -> PullRequest:
        data: dict[str, Any] = {
            "source_branch": branch,
            "target_branch": base,
            "title": f"Draft: {title}" if draft else title,
            "description": body,
            "remove_source_branch": True,
        }
        if labels:
            data["labels"] = ",".join(labels)
        with self._api(f"create merge request for {branch!r}"):
            mr = self.project.mergerequests.create(data)
        return _pull_request(mr.asdict())

    def update_pr(
        self,
        number: int,
        *,
        title: str | None = None,
        body: str | None = None,
        state: PrState | None = None,
        labels: Sequence[str] | None = None,
    ) -> None:
        data: dict[str, Any] = {}
        if title is not None:
            data["title"] = title
        if body is not None:
            data["description"] = body
        if labels is not None:
            data["labels"] = ",".join(labels)  # replaces; "" removes every label
        if state is PrState.CLOSED:
            data["state_event"] = "close"
        elif state is PrState.OPEN:
            data["state_event"] = "reopen"
        elif state is PrState.MERGED:
            raise PlatformError(f"GitLab update merge request !{number}: merge with merge_pr()")
        if not data:
            return
        with self._api(f"update merge request !{number}"):
            result = self.project.mergerequests.update(number, data)
        if state is not None and _MR_STATE.get(str(result.get("state"))) is not state:
            raise PlatformError(
                f"GitLab update merge request !{number}: state is {result.get('state')!r}, not {state.value!r}"
            )

    def add_assignees(self, number: int, assignees: Sequence[str]) -> None:
        self._add_people(number, assignees, field="assignees")

    def add_reviewers(self, number: int, reviewers: Sequence[str]) -> None:
        self._add_people(number, reviewers, field="reviewers")

    def _add_people(self, number: int, usernames: Sequence[str], *, field: str) -> None:
        """Add users to an MR's assignees/reviewers, keeping the ones it has."""
        wanted = [uid for uid in (self._user_id(name) for name in dict.fromkeys(usernames)) if uid is not None]
        if not wanted:
            return
        with self._api(f"get merge request !{number}"):
            mr = self.project.mergerequests.get(number)
        current = [int(user["id"]) for user in (getattr(mr, field, None) or [])]
        ids = list(dict.fromkeys([*current, *wanted]))
        if ids == current:
            return
        key = "assignee_ids" if field == "assignees" else "reviewer_ids"
        with self._api(f"set {field} of merge request !{number}"):
            self.project.mergerequests.update(number, {key: ids})

    def _user_id(self, username: str) -> int | None:
        username = username.removeprefix("@")
        if username not in self._users:
            with self._api(f"find user {username!r}"):
                users = self._gl.users.list(username=username, get_all=False)
            self._users[username] = int(users[0].id) if users else None
            if not users:
                log.warning("GitLab user %r not found; not added", username)
        return self._users[username]

    def ensure_comment(self, number: int, *, topic: str | None, body: str) -> bool:
        content = f"### {topic}\n\n{body}" if topic else body
        mr = self.project.mergerequests.get(number, lazy=True)
        with self._api(f"list notes of merge request !{number}"):
            notes = [
                n for n in mr.notes.list(sort="asc", order_by="created_at", iterator=True)
                if not getattr(n, "system", False)
            ]
        if topic:
            heading = f"### {topic}"
            same = [n for n in notes if n.body == heading or str(n.body).startswith(heading + "\n")]
        else:
            same = [n for n in notes if n.body == content]
        if not same:
            with self._api(f"comment on merge request !{number}"):
                mr.notes.create({"body": content})
            return True
        keep, *extra = same[::-1]  # the newest stays
        written = False
        with self._api(f"update comment on merge request !{number}"):
            for note in extra:
                mr.notes.delete(note.id)
                written = True
            if keep.body != content:
                mr.notes.update(keep.id, {"body": content})
                written = True
        return written

    # -- checks and merging ----------------------------------------------------------

    def check_state(self, sha: str) -> CheckState:
        with self._api(f"get statuses of {sha[:12]}"):
            statuses = self.project.commits.get(sha, lazy=True).statuses.list(iterator=True)
            states = [
                "success" if s.status in _RED and getattr(s, "allow_failure", False) else str(s.status)
                for s in statuses
            ]
        with self._api(f"get pipelines of {sha[:12]}"):
            pipelines = self.project.pipelines.list(sha=sha, order_by="id", sort="desc", per_page=1, get_all=False)
        states += [str(p.status) for p in pipelines]
        return combine_states(states)

    def enable_automerge(self, number: int, *, method: str = "merge") -> bool:
        args = _method_args(method)
        head = self._await_pipeline(number)
        if head:
            args["sha"] = head  # merge only what was looked at
        result = self._merge(number, "enable auto-merge of", merge_when_pipeline_succeeds=True, **args)
        if result is None:
            return False
        return bool(result.get("merge_when_pipeline_succeeds")) or result.get("state") == "merged"

    def _await_pipeline(self, number: int) -> str | None:
        """The MR's head, once it has a pipeline or after ``automerge_waits``."""
        for delay in (*self._automerge_waits, None):
            with self._api(f"get merge request !{number}"):
                attrs = self.project.mergerequests.get(number).asdict()
            if attrs.get("head_pipeline") or attrs.get("pipeline") or attrs.get("state") != "opened":
                break
            if delay is not None:
                log.debug("merge request !%d has no pipeline yet; waiting %.1f s", number, delay)
                self._sleep(delay)
        head = attrs.get("sha")
        return str(head) if head else None

    def merge_pr(self, number: int, *, method: str = "merge", sha: str | None = None) -> bool:
        args = _method_args(method)
        if sha is not None:
            args["sha"] = sha
        result = self._merge(number, "merge", **args)
        return result is not None and result.get("state") == "merged"

    def _merge(self, number: int, what: str, **args: Any) -> dict[str, Any] | None:
        """``PUT .../merge``; None when GitLab refuses (see ``_MERGE_REFUSED``)."""
        mr = self.project.mergerequests.get(number, lazy=True)
        with self._api(f"{what} merge request !{number}"):
            try:
                return mr.merge(**args)
            except (gitlab.exceptions.GitlabMRClosedError, gitlab.exceptions.GitlabAuthenticationError) as exc:
                if exc.response_code not in _MERGE_REFUSED:
                    raise
                log.info("GitLab refused to %s merge request !%d: %s", what, number, _message(exc))
                return None

    def delete_branch(self, branch: str) -> None:
        with self._api(f"delete branch {branch!r}"):
            try:
                self.project.branches.delete(branch)
            except gitlab.exceptions.GitlabDeleteError as exc:
                if exc.response_code != 404:  # already gone
                    raise

    # -- issues ----------------------------------------------------------------------

    def find_issue(self, title: str) -> Issue | None:
        attrs = self._find_issue(title)
        return _issue(attrs) if attrs is not None else None

    def _find_issue(self, title: str) -> dict[str, Any] | None:
        """The newest issue with exactly this title (search is by words; filter here)."""
        with self._api(f"find issue {title!r}"):
            for issue in self.project.issues.list(
                search=title, order_by="created_at", sort="desc", iterator=True, **{"in": "title"}
            ):
                if issue.title == title:
                    return issue.asdict()
        return None

    def ensure_issue(self, *, title: str, body: str, labels: Sequence[str] = ()) -> Issue:
        existing = self._find_issue(title)
        if existing is None:
            data: dict[str, Any] = {"title": title, "description": body}
            if labels:
                data["labels"] = ",".join(labels)
            with self._api(f"create issue {title!r}"):
                created = self.project.issues.create(data)
            return _issue(created.asdict())
        changes: dict[str, Any] = {}
        if (existing.get("description") or "") != body:
            changes["description"] = body
        if existing.get("state") != "opened":
            changes["state_event"] = "reopen"
        if labels and sorted(existing.get("labels") or ()) != sorted(labels):
            changes["labels"] = ",".join(labels)
        if not changes:
            return _issue(existing)
        number = int(existing["iid"])
        with self._api(f"update issue #{number}"):
            updated = self.project.issues.update(number, changes)
        return _issue(updated)

    def close_issue(self, number: int) -> None:
        with self._api(f"close issue #{number}"):
            self.project.issues.update(number, {"state_event": "close"})


def combine_states(states: Sequence[str]) -> CheckState:
    """One state from GitLab commit status / pipeline states."""
    if not states:
        return CheckState.NONE
    if any(s in _RED for s in states):
        return CheckState.RED
    if all(s in _GREEN for s in states):
        return CheckState.GREEN
    return CheckState.PENDING  # running, pending, created, manual, scheduled, …


def _method_args(method: str) -> dict[str, Any]:
    if method == "squash":
        return {"squash": True}
    if method not in ("merge", "rebase", "fast-forward"):
        raise PlatformError(f"GitLab: unknown merge method {method!r}")
    return {}  # GitLab's merge method is the project's setting


def _message(exc: gitlab.exceptions.GitlabError) -> str:
    message = exc.error_message
    return message if isinstance(message, str) else str(message)


def _mergeable(attrs: Mapping[str, Any]) -> bool | None:
    if attrs.get("state") not in ("opened", "locked"):
        return None
    if attrs.get("has_conflicts"):
        return False
    detailed = attrs.get("detailed_merge_status")
    if detailed is not None:
        if detailed in _MERGE_UNKNOWN:
            return None
        return detailed not in _MERGE_CONFLICT
    legacy = attrs.get("merge_status")
    return {"can_be_merged": True, "cannot_be_merged": False}.get(str(legacy))


def _pull_request(attrs: Mapping[str, Any]) -> PullRequest:
    return PullRequest(
        number=int(attrs["iid"]),
        branch=attrs["source_branch"],
        base=attrs["target_branch"],
        title=attrs["title"],
        body=attrs.get("description") or "",
        state=_MR_STATE.get(attrs["state"], PrState.CLOSED),
        url=attrs.get("web_url") or "",
        labels=tuple(attrs.get("labels") or ()),
        head_sha=attrs.get("sha"),
        mergeable=_mergeable(attrs),
        automerge_enabled=bool(attrs.get("merge_when_pipeline_succeeds") or attrs.get("auto_merge_enabled")),
    )


def _issue(attrs: Mapping[str, Any]) -> Issue:
    return Issue(
        number=int(attrs["iid"]),
        title=attrs["title"],
        body=attrs.get("description") or "",
        state="open" if attrs["state"] == "opened" else "closed",
        url=attrs.get("web_url") or "",
    )
