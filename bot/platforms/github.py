"""GitHub and GitHub Enterprise as a ``Forge``, through PyGithub.

::

    forge = GitHubForge(token, repository="octo/app")            # github.com
    forge = GitHubForge(token, endpoint="https://ghe.example/api/v3")
    forge.use("octo/app")        # select (or switch) the repository the PR methods act on
    ...
    forge.close()                # or: with GitHubForge(...) as forge:

The token is a personal access token (classic or fine-grained) or a GitHub App
installation token. Both work everywhere; with an installation token ``GET /user`` is
forbidden, so ``list_repositories`` lists ``/installation/repositories`` instead of
``/user/repos``, and ``find_issue`` matches issues by title from any author (with a user
token, only the token's own issues count, so a human's issue is never taken over).

Requests: PyGithub is made lazy (``Github(lazy=True)``), so selecting a repository or a
pull request costs nothing until a call needs its data, and one ``Forge`` call is one
request where the REST API allows it (``find_pr`` is one ``GET /pulls?head=owner:branch``,
``check_state`` is ``GET …/status`` plus ``GET …/check-runs``); lists use ``per_page=100``.
Objects that come from a list are read from the JSON the list returned: touching an
attribute a list leaves out would make PyGithub fetch every object again.

Failures: 5xx answers and connection errors are retried a few times with a short
backoff, secondary rate limits (403 with a rate-limit message) after GitHub's wait, but
never longer than ``max_rate_limit_wait`` seconds; POST is never retried (a retried
create could make two pull requests). By default PyGithub also paces requests (0.25 s
apart, 1 s between writes), as GitHub asks of integrations; ``throttle=False`` turns
that off (tests, a GHE of one's own). Every PyGithub error becomes ``PlatformError``
(401 and permission 403s: ``PlatformAuthError``) naming the call, never the token.
"""

from __future__ import annotations

import base64
import dataclasses
import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

from github import Auth, Github, GithubException, GithubRetry
from github.GithubObject import GithubObject
from github.PaginatedList import PaginatedList
from github.Repository import Repository

from bot.errors import PlatformAuthError, PlatformError
from bot.platforms.base import CheckState, Issue, PrState, PullRequest, RepoInfo

log = logging.getLogger(__name__)

DEFAULT_ENDPOINT = "https://api.github.com"
MERGE_METHODS = ("merge", "squash", "rebase")
GREEN_CONCLUSIONS = frozenset({"success", "neutral", "skipped"})
# Retry 5xx and connection errors on requests that are safe to repeat.
RETRY_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})


def _data(obj: GithubObject) -> dict[str, Any]:
    """The JSON PyGithub holds for ``obj``, without completing it: ``raw_data`` (or any
    attribute a list response leaves out) would GET each listed object again."""
    data: dict[str, Any] = obj._rawData
    return data


def _to_pr(d: Mapping[str, Any]) -> PullRequest:
    state = PrState.MERGED if d.get("merged_at") else PrState(str(d["state"]))
    mergeable = d.get("mergeable")
    return PullRequest(
        number=int(d["number"]),
        branch=str(d["head"]["ref"]),
        base=str(d["base"]["ref"]),
        title=str(d["title"]),
        body=str(d.get("body") or ""),
        state=state,
        url=str(d["html_url"]),
        labels=tuple(str(label["name"]) for label in d.get("labels") or ()),
        head_sha=str(d["head"]["sha"]),
        mergeable=None if mergeable is None else bool(mergeable),
        automerge_enabled=d.get("auto_merge") is not None,
    )


def _to_issue(d: Mapping[str, Any]) -> Issue:
    return Issue(number=int(d["number"]), title=str(d["title"]), body=str(d.get("body") or ""),
                 state=str(d["state"]), url=str(d.get("html_url") or ""))


def _message(exc: GithubException) -> str:
    """GitHub's own words: the message, the validation errors, GraphQL's errors."""
    data = exc.data if isinstance(exc.data, dict) else {}
    parts = [str(data.get("message") or exc.message or "")]
    for error in data.get("errors") or ():
        if isinstance(error, dict) and error.get("message"):
            parts.append(str(error["message"]))
    return "; ".join(p for p in parts if p) or "no message"


class GitHubForge:
    """A GitHub (Enterprise) repository's pull requests, issues, statuses and merges."""

    name = "github"

    def __init__(
        self,
        token: str,
        *,
        endpoint: str = DEFAULT_ENDPOINT,
        repository: str | None = None,
        throttle: bool = True,
        retries: int = 3,
        max_rate_limit_wait: float = 120.0,
        timeout: int = 30,
    ):
        if not token:
            raise PlatformAuthError("GitHub: no token given")
        self._token = token
        self.endpoint = endpoint.rstrip("/")
        retry = GithubRetry(
            total=retries, backoff_factor=0.5, backoff_max=8.0, allowed_methods=RETRY_METHODS,
            secondary_rate_wait=60.0, max_rate_limit_wait=max_rate_limit_wait,
        )
        self._gh = Github(
            auth=Auth.Token(token), base_url=self.endpoint, per_page=100, retry=retry,
            timeout=timeout, lazy=True,
            seconds_between_requests=0.25 if throttle else None,
            seconds_between_writes=1.0 if throttle else None,
        )
        self._repo: Repository | None = None
        self.repository: str | None = None
        self._login: str | None = None
        self._login_known = False
        if repository is not None:
            self.use(repository)

    def __repr__(self) -> str:
        return f"GitHubForge(endpoint={self.endpoint!r}, repository={self.repository!r})"

    def __enter__(self) -> GitHubForge:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close PyGithub's connection pool."""
        self._gh.close()

    def use(self, repository: str) -> None:
        """Make ``repository`` ("owner/name") the one the PR and issue methods act on.
        No request is made: a missing repository shows on the first call."""
        self.repository = repository
        self._repo = self._gh.get_repo(repository)

    # -- plumbing ----------------------------------------------------------------------

    @property
    def _r(self) -> Repository:
        if self._repo is None:
            raise PlatformError("GitHub: no repository selected (call use('owner/name') first)")
        return self._repo

    @contextmanager
    def _api(self, what: str) -> Iterator[None]:
        """Turn PyGithub's and requests' errors into upkeep's, naming ``what``."""
        where = f"GitHub {what}" + (f" ({self.repository})" if self.repository else "")
        try:
            yield
        except GithubException as exc:
            message = _message(exc)
            if exc.status == 401 or (exc.status == 403 and "rate limit" not in message.lower()):
                raise PlatformAuthError(f"{where}: {exc.status} {message}") from None
            raise PlatformError(f"{where}: {exc.status} {message}") from None
        except OSError as exc:  # requests' ConnectionError, Timeout… (all OSErrors)
            raise PlatformError(f"{where}: {type(exc).__name__}: {exc}") from None

    def _owner(self) -> str:
        assert self.repository is not None
        return self.repository.split("/", 1)[0]

    def _own_login(self) -> str | None:
        """The token's user, or None for an installation token (``/user`` is forbidden)."""
        if not self._login_known:
            with self._api("get authenticated user"):
                try:
                    self._login = self._gh.get_user().login
                except GithubException as exc:
                    if exc.status != 403:
                        raise
                    self._login = None  # a GitHub App installation token
            self._login_known = True
        return self._login

    # -- Forge -------------------------------------------------------------------------

    def git_auth_header(self) -> tuple[str, str]:
        basic = base64.b64encode(f"x-access-token:{self._token}".encode()).decode()
        return ("Authorization", f"Basic {basic}")

    def list_repositories(self) -> list[str]:
        """Unarchived repositories the token can push to: ``/user/repos`` for a user
        token, ``/installation/repositories`` for a GitHub App installation token."""
        with self._api("list repositories"):
            try:
                rows = [_data(r) for r in self._gh.get_user().get_repos()]
            except GithubException as exc:
                if exc.status != 403:
                    raise
                listing: PaginatedList[Repository] = PaginatedList(
                    Repository, self._gh.requester, "/installation/repositories", None,
                    list_item="repositories",
                )
                rows = [_data(r) for r in listing]
        return sorted(
            str(row["full_name"]) for row in rows
            if not row.get("archived") and (row.get("permissions") or {}).get("push", True)
        )

    def get_repo(self, repository: str) -> RepoInfo:
        with self._api(f"get repository {repository}"):
            d = self._gh.get_repo(repository).raw_data
        extra: dict[str, object] = {k: d[k] for k in ("id", "private", "html_url", "allow_auto_merge", "permissions") if k in d}
        return RepoInfo(full_name=str(d["full_name"]), clone_url=str(d["clone_url"]),
                        default_branch=str(d["default_branch"]), archived=bool(d.get("archived")), extra=extra)

    def find_pr(self, branch: str, *, state: PrState | None = None, base: str | None = None) -> PullRequest | None:
        params = {"state": "all" if state is None else "open" if state is PrState.OPEN else "closed",
                  "head": f"{self._owner()}:{branch}"}
        if base is not None:
            params["base"] = base
        with self._api(f"find pull request from {branch}"):
            for pull in self._r.get_pulls(**params):  # newest first
                pr = _to_pr(_data(pull))
                if state is None or pr.state is state:
                    return pr
        return None

    def get_pr(self, number: int) -> PullRequest:
        with self._api(f"get pull request #{number}"):
            return _to_pr(self._r.get_pull(number).raw_data)

    def create_pr(
        self, *, branch: str, base: str, title: str, body: str, labels: Sequence[str] = (), draft: bool = False
    ) -> PullRequest:
        with self._api(f"create pull request from {branch}"):
            pull = self._r.create_pull(base=base, head=branch, title=title, body=body, draft=draft)
            pr = _to_pr(pull.raw_data)
            if labels:
                self._r.get_issue(pr.number).set_labels(*labels)
                pr = dataclasses.replace(pr, labels=tuple(labels))
        log.info("created pull request", extra={"number": pr.number, "branch": branch})
        return pr

    def update_pr(
        self,
        number: int,
        *,
        title: str | None = None,
        body: str | None = None,
        state: PrState | None = None,
        labels: Sequence[str] | None = None,
    ) -> None:
        if state is PrState.MERGED:
            raise ValueError("a pull request is merged with merge_pr, not update_pr")
        fields: dict[str, Any] = {k: v for k, v in (("title", title), ("body", body)) if v is not None}
        if state is not None:
            fields["state"] = state.value
        with self._api(f"update pull request #{number}"):
            if fields:
                self._r.get_pull(number).edit(**fields)
            if labels is not None:
                self._r.get_issue(number).set_labels(*labels)

    def add_assignees(self, number: int, assignees: Sequence[str]) -> None:
        if assignees:
            with self._api(f"add assignees to #{number}"):
                self._r.get_issue(number).add_to_assignees(*assignees)

    def add_reviewers(self, number: int, reviewers: Sequence[str]) -> None:
        """Request reviews; ``team:slug`` names a team (as in Renovate's ``reviewers``)."""
        users = [r for r in reviewers if not r.startswith("team:")]
        teams = [r.removeprefix("team:") for r in reviewers if r.startswith("team:")]
        if users or teams:
            with self._api(f"request reviewers for #{number}"):
                self._r.get_pull(number).create_review_request(reviewers=users, team_reviewers=teams)

    def ensure_comment(self, number: int, *, topic: str | None, body: str) -> bool:
        heading = f"### {topic}" if topic else None
        content = f"{heading}\n\n{body}" if heading else body
        with self._api(f"comment on #{number}"):
            issue = self._r.get_issue(number)
            comments = list(issue.get_comments())
            if heading is None:
                if any(_data(c).get("body") == content for c in comments):
                    return False
            else:
                same_topic = [c for c in comments
                              if str(_data(c).get("body") or "").split("\n", 1)[0].strip() == heading]
                if same_topic:
                    if _data(same_topic[-1]).get("body") == content:
                        return False
                    same_topic[-1].edit(content)
                    return True
            issue.create_comment(content)
        return True

    def check_state(self, sha: str) -> CheckState:
        states: list[CheckState] = []
        with self._api(f"get checks of {sha[:12]}"):
            commit = self._r.get_commit(sha)
            combined = commit.get_combined_status()
            if combined.total_count:
                states.append({"success": CheckState.GREEN, "pending": CheckState.PENDING}.get(
                    combined.state, CheckState.RED))
            for run in commit.get_check_runs():
                d = _data(run)
                states.append(CheckState.PENDING if d.get("status") != "completed"
                              else CheckState.GREEN if d.get("conclusion") in GREEN_CONCLUSIONS
                              else CheckState.RED)
        for state in (CheckState.RED, CheckState.PENDING, CheckState.GREEN):
            if state in states:
                return state
        return CheckState.NONE

    def enable_automerge(self, number: int, *, method: str = "merge") -> bool:
        """GitHub auto-merge (GraphQL ``enablePullRequestAutoMerge``). GitHub refuses it
        when the PR could be merged right now ("clean status"), when the repository does
        not allow auto-merge, or for a closed PR: False, and the caller merges itself."""
        if method not in MERGE_METHODS:
            raise ValueError(f"unknown merge method {method!r} (one of {', '.join(MERGE_METHODS)})")
        with self._api(f"enable auto-merge for #{number}"):
            pull = self._r.get_pull(number)
            try:
                pull.enable_automerge(merge_method=method.upper())
            except GithubException as exc:
                if exc.status != 400:  # GraphQL's errors come as 400
                    raise
                log.info("auto-merge refused", extra={"number": number, "reason": _message(exc)})
                return False
        return True

    def merge_pr(self, number: int, *, method: str = "merge", sha: str | None = None) -> bool:
        if method not in MERGE_METHODS:
            raise ValueError(f"unknown merge method {method!r} (one of {', '.join(MERGE_METHODS)})")
        kwargs: dict[str, Any] = {"merge_method": method}
        if sha is not None:
            kwargs["sha"] = sha
        with self._api(f"merge pull request #{number}"):
            try:
                status = self._r.get_pull(number).merge(**kwargs)
            except GithubException as exc:
                if exc.status not in (405, 409, 422):  # not mergeable / head moved / invalid
                    raise
                log.info("merge refused", extra={"number": number, "reason": _message(exc)})
                return False
        return bool(status.merged)

    def delete_branch(self, branch: str) -> None:
        """Delete ``branch``; a branch that is already gone is not an error."""
        url = f"{self._r.url}/git/refs/heads/{quote(branch)}"
        with self._api(f"delete branch {branch}"):
            try:
                self._gh.requester.requestJsonAndCheck("DELETE", url)
            except GithubException as exc:
                if exc.status != 422:  # "Reference does not exist"
                    raise

    def _find_issue_data(self, title: str) -> dict[str, Any] | None:
        creator = self._own_login()
        params: dict[str, Any] = {"state": "all"} if creator is None else {"state": "all", "creator": creator}
        with self._api(f"find issue {title!r}"):
            for issue in self._r.get_issues(**params):  # newest first; pull requests are issues too
                d = _data(issue)
                if "pull_request" not in d and d.get("title") == title:
                    return d
        return None

    def find_issue(self, title: str) -> Issue | None:
        d = self._find_issue_data(title)
        return None if d is None else _to_issue(d)

    def ensure_issue(self, *, title: str, body: str, labels: Sequence[str] = ()) -> Issue:
        d = self._find_issue_data(title)
        if d is None:
            with self._api(f"create issue {title!r}"):
                return _to_issue(self._r.create_issue(title=title, body=body, labels=list(labels)).raw_data)
        issue = _to_issue(d)
        have_labels = {str(label["name"]) for label in d.get("labels") or ()}
        if issue.body == body and issue.state == "open" and (not labels or set(labels) == have_labels):
            return issue
        fields: dict[str, Any] = {"body": body, "state": "open"}
        if labels:
            fields["labels"] = list(labels)
        with self._api(f"update issue #{issue.number}"):
            self._r.get_issue(issue.number).edit(**fields)
        return dataclasses.replace(issue, body=body, state="open")

    def close_issue(self, number: int) -> None:
        with self._api(f"close issue #{number}"):
            self._r.get_issue(number).edit(state="closed")
