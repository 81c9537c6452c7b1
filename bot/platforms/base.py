"""The interfaces platforms speak.

``Platform`` is what the pipeline needs from wherever branches go (``local`` is one).
``Forge`` is the API of a code-hosting service (GitHub, GitLab): pull/merge requests,
issues, comments, commit statuses, merging. Forges speak only their API: git transport
(clone, fetch, push) is shared in ``bot.git``, and PR lifecycle decisions are made once
for every forge in ``bot.prs``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from bot.git import Git
from bot.model import Branch, BranchResult, RunResult


class Platform(Protocol):
    name: str

    def init_repo(self) -> tuple[Git, str, str]:
        """Open the repository: (git, base branch name, base commit)."""
        ...

    def existing_branches(self, prefix: str) -> dict[str, str]:
        """upkeep's branches (names starting with ``prefix``) as they are now: name -> commit."""
        ...

    def requested(self, dashboard_title: str) -> Mapping[str, set[str]]:
        """What people asked for on the dashboard: action -> branch names
        (``approve``, ``create``, ``rebase``, ``recreate``; ``*`` for all)."""
        ...

    def ensure_branch(self, branch: Branch, base_commit: str, changes: Mapping[str, bytes]) -> BranchResult:
        """Make ``branch`` one commit on top of ``base_commit`` carrying ``changes``
        (and, on a forge, its pull request)."""
        ...

    def finalize(self, result: RunResult) -> RunResult:
        """After every branch: clean up what is no longer needed, update the dashboard."""
        ...


class PrState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # closed without merging
    MERGED = "merged"


class CheckState(StrEnum):
    """The combined state of a commit's statuses and check runs."""

    GREEN = "green"  # every check passed (or there are none and none are required)
    PENDING = "pending"  # at least one check is still running, none failed
    RED = "red"  # at least one check failed or errored
    NONE = "none"  # no checks at all


@dataclass(frozen=True, slots=True, kw_only=True)
class PullRequest:
    """A pull request (GitHub) or merge request (GitLab), as upkeep needs to see it."""

    number: int  # GitHub number / GitLab iid
    branch: str  # source branch
    base: str  # target branch
    title: str
    body: str
    state: PrState
    url: str
    labels: tuple[str, ...] = ()
    head_sha: str | None = None
    mergeable: bool | None = None  # None: the forge has not computed it yet
    automerge_enabled: bool = False  # platform automerge (GitHub auto-merge, GitLab MWPS)


@dataclass(frozen=True, slots=True, kw_only=True)
class Issue:
    number: int
    title: str
    body: str
    state: str  # "open" | "closed"
    url: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class RepoInfo:
    """What upkeep needs to know of a hosted repository."""

    full_name: str  # "owner/name" (GitLab: "group/subgroup/name")
    clone_url: str  # https URL without credentials
    default_branch: str
    archived: bool = False
    extra: Mapping[str, object] = field(default_factory=dict)


class Forge(Protocol):
    """A code-hosting API. Every method raises ``bot.errors.PlatformError`` on failure."""

    name: str  # "github" | "gitlab"

    def git_auth_header(self) -> tuple[str, str]:
        """(header name, value) that authenticates git over HTTPS, e.g.
        ("Authorization", "Basic …"); passed to git via environment, never stored."""
        ...

    def list_repositories(self) -> list[str]:
        """Repositories the token can write to (for ``--autodiscover``)."""
        ...

    def get_repo(self, repository: str) -> RepoInfo: ...

    def find_pr(self, branch: str, *, state: PrState | None = None, base: str | None = None) -> PullRequest | None:
        """The newest PR from ``branch`` (in ``state`` if given, else any state)."""
        ...

    def get_pr(self, number: int) -> PullRequest: ...

    def create_pr(
        self, *, branch: str, base: str, title: str, body: str, labels: Sequence[str] = (), draft: bool = False
    ) -> PullRequest: ...

    def update_pr(
        self,
        number: int,
        *,
        title: str | None = None,
        body: str | None = None,
        state: PrState | None = None,
        labels: Sequence[str] | None = None,
    ) -> None:
        """Change what is given; ``state=CLOSED`` closes, ``state=OPEN`` reopens;
        ``labels`` replaces the label set."""
        ...

    def add_assignees(self, number: int, assignees: Sequence[str]) -> None: ...

    def add_reviewers(self, number: int, reviewers: Sequence[str]) -> None: ...

    def ensure_comment(self, number: int, *, topic: str | None, body: str) -> bool:
        """Make sure the PR has one comment with ``topic`` (a heading: ``### topic``)
        and this body, replacing an older one with the same topic; ``topic=None``:
        a comment with exactly this body. Returns True if something was written."""
        ...

    def check_state(self, sha: str) -> CheckState:
        """Combined commit statuses and check runs (GitHub) / pipelines (GitLab)."""
        ...

    def enable_automerge(self, number: int, *, method: str = "merge") -> bool:
        """GitHub auto-merge / GitLab merge-when-pipeline-succeeds; False if refused."""
        ...

    def merge_pr(self, number: int, *, method: str = "merge", sha: str | None = None) -> bool:
        """Merge now (only if the head is still ``sha``); False if the forge refused."""
        ...

    def delete_branch(self, branch: str) -> None: ...

    def find_issue(self, title: str) -> Issue | None:
        """The newest issue with exactly this title, open or closed."""
        ...

    def ensure_issue(self, *, title: str, body: str, labels: Sequence[str] = ()) -> Issue:
        """Create the issue, or update (and reopen) the newest one with this title."""
        ...

    def close_issue(self, number: int) -> None: ...
