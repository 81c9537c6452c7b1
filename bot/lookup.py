"""Dependency + releases + settings -> candidate updates (Renovate's lookupUpdates).

``plan_updates`` is pure: it takes one dependency, its effective settings and the tags
the registry has, and returns the version updates and the digest work it needs.
``lookup_all`` does the I/O around it: one tags request per image repository, one
digest request per distinct (repository, tag), all concurrent and deduplicated.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from bot import image
from bot.errors import DependencyError, RegistryError
from bot.model import Dependency, Problem, ReleaseInfo, Update, UpdateType
from bot.versioning import Versioning, get_versioning

log = logging.getLogger(__name__)


class Datasource(Protocol):
    async def get_releases(self, registry_url: str, repository: str) -> ReleaseInfo: ...

    async def get_digest(self, registry_url: str, repository: str, tag: str) -> str | None: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """Where a dependency is looked up: registry base URL and repository path."""

    registry_url: str
    repository: str


def lookup_target(dep: Dependency, registry_urls: Sequence[str]) -> Target:
    """Renovate's getRegistryRepository: a registry named in the image wins; else the
    first of ``registryUrls`` (a Docker Hub mirror), else Docker Hub."""
    ref = image.parse(dep.package_name)
    if ref.registry is not None and not ref.is_docker_hub:
        return Target(registry_url=image.registry_url_for(ref.registry), repository=ref.repository)
    if registry_urls:
        base, prefix = image.split_registry_url(registry_urls[0])
        if base != image.DOCKER_HUB_API:
            path = ref.name if ref.registry is None else ref.name.split("/", 1)[1]
            return Target(registry_url=base, repository=f"{prefix}/{path}" if prefix else path)
    return Target(registry_url=image.DOCKER_HUB_API, repository=ref.repository)


@dataclass(frozen=True, slots=True, kw_only=True)
class DepLookup:
    """The result of looking one dependency up."""

    dependency: Dependency
    updates: tuple[Update, ...] = ()
    skip_reason: str | None = None
    problems: tuple[Problem, ...] = ()
    target: Target | None = None


def _bucket(settings: Mapping[str, Any], v: Versioning, current: str, new: str) -> str:
    if not settings.get("separateMajorMinor", True):
        return "latest"
    if v.get_major(current) != v.get_major(new):
        return f"v{v.get_major(new)}" if settings.get("separateMultipleMajor") else "major"
    if v.get_minor(current) != v.get_minor(new):
        return "minor" if settings.get("separateMinorPatch") else "non-major"
    return "patch" if settings.get("separateMinorPatch") else "non-major"


def _filter_unstable(v: Versioning, current: str, tags: Sequence[str], candidates: list[str]) -> list[str]:
    current_known = any(v.equals(t, current) for t in tags if v.is_version(t))
    if current_known and v.is_stable(current):
        return [c for c in candidates if v.is_stable(c)]
    same = (v.get_major(current), v.get_minor(current), v.get_patch(current))
    return [c for c in candidates if v.is_stable(c) or (v.get_major(c), v.get_minor(c), v.get_patch(c)) == same]


def version_updates(dep: Dependency, settings: Mapping[str, Any], v: Versioning, tags: Sequence[str]) -> list[Update]:
    """The newest compatible tag per bucket (major / non-major by default)."""
    current = dep.current_value
    assert current is not None
    candidates = [t for t in tags if v.is_version(t) and v.is_greater_than(t, current)]
    if settings.get("ignoreUnstable", True):
        candidates = _filter_unstable(v, current, tags, candidates)
    candidates = [t for t in candidates if v.is_compatible(t, current)]
    buckets: dict[str, str] = {}
    for tag in candidates:
        key = _bucket(settings, v, current, tag)
        best = buckets.get(key)
        if best is None or v.compare(tag, best) > 0:
            buckets[key] = tag
    updates = []
    for tag in buckets.values():
        updates.append(
            Update(
                dependency=dep,
                update_type=UpdateType(v.update_type(current, tag)),
                new_value=tag,
                new_digest=None,
                current_version=current,
                new_version=tag,
                new_major=v.get_major(tag),
                new_minor=v.get_minor(tag),
                new_patch=v.get_patch(tag),
            )
        )
    updates.sort(key=lambda u: v.sort_key(str(u.new_value)))
    return updates


def plan_updates(dep: Dependency, settings: Mapping[str, Any], tags: Sequence[str]) -> tuple[list[Update], str | None]:
    """Candidate updates (without new digests yet) and a skip reason, if any."""
    v = get_versioning(str(settings.get("versioning") or "docker"))
    wants_digest = bool(settings.get("pinDigests")) or dep.current_digest is not None
    updates: list[Update] = []
    current = dep.current_value
    if current and v.is_version(current):
        updates = version_updates(dep, settings, v, tags)
    elif not wants_digest:
        return [], "invalid-value" if current else None
    if dep.current_digest:
        updates.append(Update(dependency=dep, update_type=UpdateType.DIGEST, new_value=current, new_digest=None))
    elif settings.get("pinDigests"):
        updates.append(Update(dependency=dep, update_type=UpdateType.PIN_DIGEST, new_value=current, new_digest=None))
    return updates, None


@dataclass(slots=True)
class LookupRun:
    """Shared state of one repository's lookups."""

    datasource: Datasource
    releases: dict[Target, asyncio.Task[ReleaseInfo]] = field(default_factory=dict)
    digests: dict[tuple[Target, str], asyncio.Task[str | None]] = field(default_factory=dict)

    def tags(self, target: Target) -> asyncio.Task[ReleaseInfo]:
        if target not in self.releases:
            self.releases[target] = asyncio.ensure_future(
                self.datasource.get_releases(target.registry_url, target.repository)
            )
        return self.releases[target]

    def digest(self, target: Target, tag: str) -> asyncio.Task[str | None]:
        key = (target, tag)
        if key not in self.digests:
            self.digests[key] = asyncio.ensure_future(
                self.datasource.get_digest(target.registry_url, target.repository, tag)
            )
        return self.digests[key]


async def lookup_dependency(run: LookupRun, dep: Dependency, settings: Mapping[str, Any]) -> DepLookup:
    """Look one dependency up. ``RegistryError`` propagates (the run is aborted)."""
    if dep.skip_reason:
        return DepLookup(dependency=dep, skip_reason=dep.skip_reason)
    if settings.get("enabled") is False:
        return DepLookup(dependency=dep, skip_reason="disabled")
    ignored = settings.get("ignoreDeps") or []
    if dep.dep_name in ignored or dep.package_name in ignored:
        return DepLookup(dependency=dep, skip_reason="ignored")
    try:
        target = lookup_target(dep, list(settings.get("registryUrls") or []))
    except image.InvalidReference:
        return DepLookup(dependency=dep, skip_reason="invalid-value")
    try:
        info = await run.tags(target)
    except DependencyError as exc:
        problem = Problem(level="warning", message=str(exc), file=dep.package_file, line=dep.line, dep_name=dep.dep_name)
        return DepLookup(dependency=dep, skip_reason=exc.skip_reason, problems=(problem,), target=target)
    tags = [r.version for r in info.releases]
    candidates, skip = plan_updates(dep, settings, tags)
    if skip:
        return DepLookup(dependency=dep, skip_reason=skip, target=target)
    wants_digest = bool(settings.get("pinDigests")) or dep.current_digest is not None
    problems: list[Problem] = []
    updates: list[Update] = []
    for update in candidates:
        if wants_digest:
            tag = update.new_value or "latest"
            try:
                new_digest = await run.digest(target, tag)
            except DependencyError as exc:
                new_digest = None
                log.debug("digest lookup failed: %s", exc)
            if new_digest is None:
                problems.append(
                    Problem(
                        level="warning",
                        message=f"could not determine the digest of {dep.dep_name}:{tag}; update dropped",
                        file=dep.package_file,
                        line=dep.line,
                        dep_name=dep.dep_name,
                    )
                )
                continue
            if update.update_type in (UpdateType.DIGEST, UpdateType.PIN_DIGEST) and new_digest == dep.current_digest:
                continue
            update = replace(update, new_digest=new_digest)
        updates.append(update)
    return DepLookup(dependency=dep, updates=tuple(updates), problems=tuple(problems), target=target)


async def lookup_all(
    datasource: Datasource,
    deps: Sequence[Dependency],
    settings: Sequence[Mapping[str, Any]],
    progress: Callable[[str], None] | None = None,
) -> list[DepLookup]:
    """Look up every dependency concurrently; tags and digests are fetched once each."""
    run = LookupRun(datasource=datasource)
    done = 0

    async def one(dep: Dependency, s: Mapping[str, Any]) -> DepLookup:
        nonlocal done
        result = await lookup_dependency(run, dep, s)
        done += 1
        if progress is not None:
            progress(f"looking up {done}/{len(deps)} image references ({len(run.releases)} repositories)")
        return result

    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(one(d, s)) for d, s in zip(deps, settings, strict=True)]
    except BaseExceptionGroup as eg:
        for task in [*run.releases.values(), *run.digests.values()]:
            task.cancel()
        await asyncio.gather(*run.releases.values(), *run.digests.values(), return_exceptions=True)
        registry_errors = eg.subgroup(RegistryError)
        if registry_errors is not None:
            raise _first(registry_errors) from None
        raise
    return [t.result() for t in tasks]


def _first(group: BaseExceptionGroup[RegistryError]) -> RegistryError:
    exc: BaseException = group
    while isinstance(exc, BaseExceptionGroup):
        exc = exc.exceptions[0]
    assert isinstance(exc, RegistryError)
    return exc
