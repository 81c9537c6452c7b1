"""The frozen data model passed from stage to stage.

extract  -> ``Dependency`` (what a manager found, with its exact span in the file text)
lookup   -> ``Release`` (what a datasource knows) and ``Update`` (what the rules chose)
plan     -> ``Branch`` (updates bundled into one commit / pull request)
apply    -> ``BranchResult``; a whole repository run -> ``RunResult``

Field names follow Renovate's where Renovate has one (``depName``, ``packageName``,
``currentValue``, ``currentDigest``, ``newValue``, ``newDigest``, ``updateType``), in
snake_case here and camelCase in the JSON report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


@dataclass(frozen=True, slots=True, kw_only=True)
class Span:
    """Character offsets ``[start, end)`` into the decoded text of a file."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad span {self.start}..{self.end}")


class UpdateType(StrEnum):
    MAJOR = "major"
    MINOR = "minor"
    PATCH = "patch"
    DIGEST = "digest"
    PIN_DIGEST = "pinDigest"


@dataclass(frozen=True, slots=True, kw_only=True)
class Dependency:
    """One image reference found in one file.

    ``span`` covers exactly the text an update replaces, without surrounding quotes;
    ``replace_string`` is that text as it stands in the file. What the span holds is
    ``span_kind``: the whole reference (``nginx:1.25@sha256:…``, the usual case), only
    the tag (``tag``: Helm values' ``image.tag``, Kustomize's ``newTag``), the tag with its
    digest (``tag-digest``: ``tag: 1.2@sha256:…``), or only the digest (``digest``:
    Kustomize's ``digest``).
    """

    manager: str
    package_file: str
    dep_name: str
    package_name: str
    current_value: str | None
    current_digest: str | None
    replace_string: str
    span: Span
    line: int
    datasource: str = "docker"
    dep_type: str | None = None
    skip_reason: str | None = None
    span_kind: str = "reference"  # "reference" | "tag" | "tag-digest" | "digest"


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """A warning or error for the report: what went wrong, where."""

    level: str  # "warning" | "error"
    message: str
    file: str | None = None
    line: int | None = None
    dep_name: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ExtractResult:
    dependencies: tuple[Dependency, ...]
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Release:
    """One tag of an image repository, as the datasource knows it."""

    version: str
    timestamp: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReleaseInfo:
    """Everything the datasource knows of one image repository."""

    package_name: str
    registry_url: str
    lookup_name: str
    releases: tuple[Release, ...]
    source_url: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Update:
    """One change to one dependency, chosen by versioning and rules."""

    dependency: Dependency
    update_type: UpdateType
    new_value: str | None
    new_digest: str | None
    current_version: str | None = None
    new_version: str | None = None
    new_major: int | None = None
    new_minor: int | None = None
    new_patch: int | None = None
    pending_versions: tuple[str, ...] = ()  # newer versions still held by minimumReleaseAge
    source_url: str | None = None  # from the image's org.opencontainers.image.source label
    branch_name: str = ""

    @property
    def is_major(self) -> bool:
        return self.update_type is UpdateType.MAJOR

    def new_reference(self) -> str:
        """The text that replaces ``dependency.replace_string``."""
        dep = self.dependency
        if dep.span_kind == "tag":
            return self.new_value or ""
        if dep.span_kind == "tag-digest":
            return (self.new_value or "") + (f"@{self.new_digest}" if self.new_digest else "")
        if dep.span_kind == "digest":
            return self.new_digest or ""
        value = self.new_value if self.new_value is not None else dep.current_value
        text = dep.dep_name
        if value:
            text += f":{value}"
        if self.new_digest:
            text += f"@{self.new_digest}"
        return text


@dataclass(frozen=True, slots=True, kw_only=True)
class Branch:
    """Updates that travel together in one commit and one pull request."""

    name: str
    updates: tuple[Update, ...]
    commit_message: str
    pr_title: str
    group_name: str | None = None
    labels: tuple[str, ...] = ()
    assignees: tuple[str, ...] = ()
    reviewers: tuple[str, ...] = ()
    automerge: bool = False
    update_type: str | None = None  # "major" if any update is major, else the first's
    #: Renovate's recreateClosed: a closed PR with this title is recreated (titles
    #: without a version, e.g. a group's, or recreateWhen "always")
    recreate_closed: bool = False
    #: The branch's settings (its first update's, as in Renovate): schedule, automerge
    #: type, rebaseWhen, prBodyColumns…
    settings: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(sorted({u.dependency.package_file for u in self.updates}))


class BranchOutcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    BLOCKED = "blocked"
    ERROR = "error"
    PLANNED = "planned"  # dry run
    NOT_SCHEDULED = "not-scheduled"  # outside the schedule: not created / not updated
    LIMITED = "limited"  # branchConcurrentLimit / prConcurrentLimit / prHourlyLimit reached
    AWAITING_APPROVAL = "awaiting-approval"  # dependencyDashboardApproval
    IGNORED = "ignored"  # its PR was closed unmerged
    AUTOMERGED = "automerged"


@dataclass(frozen=True, slots=True, kw_only=True)
class BranchResult:
    branch: Branch
    result: BranchOutcome
    commit: str | None = None
    message: str | None = None
    pr: int | None = None
    pr_url: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RunResult:
    """The outcome of one repository run; the report is made from it."""

    repository: str
    status: str  # "success" | "partial" | "error" | "disabled"
    dependencies: tuple[Dependency, ...] = ()
    updates: tuple[Update, ...] = ()
    branches: tuple[BranchResult, ...] = ()
    problems: tuple[Problem, ...] = ()
    base_branch: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
