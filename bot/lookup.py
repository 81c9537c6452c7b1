"""Dependency + releases + settings -> updates (Renovate's lookupUpdates).

``bot.choose`` decides purely which versions a dependency may move to;
``lookup_dependency`` does the I/O around it: one tags request per image repository,
timestamps where ``minimumReleaseAge`` needs them, one digest request per distinct
(repository, tag); every update then gets its own settings (packageRules again, now
with the update to match on, and the block of its type), and an update whose settings
say ``enabled: false`` is dropped with a reason.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol

from bot import image
from bot.choose import (
    Buckets,
    digest_updates,
    make_update,
    update_settings,
    version_buckets,
    wants_digest,
)
from bot.durations import parse_duration
from bot.errors import DependencyError, RegistryError, UpkeepError
from bot.model import Dependency, Problem, Release, ReleaseInfo, Update, UpdateType
from bot.rules import Context

log = logging.getLogger(__name__)


class Datasource(Protocol):
    async def get_releases(self, registry_url: str, repository: str) -> ReleaseInfo: ...

    async def get_digest(self, registry_url: str, repository: str, tag: str) -> str | None: ...


class FirstSeen(Protocol):
    """When upkeep first saw a digest (for release age where registries give no time)."""

    def first_seen(self, key: str, now: datetime) -> datetime: ...


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
class Planned:
    """An update and the settings that apply to it."""

    update: Update
    settings: Mapping[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class Skipped:
    """An update that exists but will not be made, and why (for the dashboard/report)."""

    dep_name: str
    new_value: str | None
    update_type: str
    reason: str  # "disabled" | "pending" (release age)
    pending_versions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class DepLookup:
    """The result of looking one dependency up."""

    dependency: Dependency
    planned: tuple[Planned, ...] = ()
    skip_reason: str | None = None
    problems: tuple[Problem, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    target: Target | None = None
    filtered: str | None = None  # why newer tags were all filtered out, if they were

    @property
    def updates(self) -> tuple[Update, ...]:
        return tuple(p.update for p in self.planned)


# -- I/O ------------------------------------------------------------------------------------


@dataclass(slots=True)
class LookupRun:
    """Shared state of one repository's lookups: every request made once."""

    datasource: Datasource
    base_branch: str | None = None
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    first_seen: FirstSeen | None = None
    releases: dict[Target, asyncio.Task[ReleaseInfo]] = field(default_factory=dict)
    digests: dict[tuple[Target, str], asyncio.Task[str | None]] = field(default_factory=dict)
    created: dict[tuple[Target, str], asyncio.Task[datetime | None]] = field(default_factory=dict)
    want_sources: bool = False  # PR bodies link the image's source repository
    sources: dict[Target, asyncio.Task[str | None]] = field(default_factory=dict)

    async def source(self, target: Target, tag: str) -> str | None:
        """The image's source repository (OCI label), once per image repository; a PR-body
        nicety, so any failure just means no link."""
        get_source = getattr(self.datasource, "get_source_url", None)
        if get_source is None:
            return None
        if target not in self.sources:
            self.sources[target] = asyncio.ensure_future(get_source(target.registry_url, target.repository, tag))
        try:
            url = await self.sources[target]
        except UpkeepError as exc:
            log.debug("no source URL for %s: %s", target.repository, exc)
            return None
        return url if isinstance(url, str) else None

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

    async def timestamp(self, target: Target, release: Release | None, tag: str) -> datetime | None:
        """A tag's release time: the registry's, else its image's ``created``, else when
        upkeep first saw its digest."""
        if release is not None and release.timestamp is not None:
            return release.timestamp
        get_created = getattr(self.datasource, "get_created", None)
        if get_created is not None:
            key = (target, tag)
            if key not in self.created:
                self.created[key] = asyncio.ensure_future(get_created(target.registry_url, target.repository, tag))
            try:
                created = await self.created[key]
            except DependencyError:
                created = None
            if created is not None:
                return created
        if self.first_seen is None:
            return None
        digest = await self.digest(target, tag)
        if digest is None:
            return None
        return self.first_seen.first_seen(f"{target.registry_url}/{target.repository}@{digest}", self.now)


def _problem(dep: Dependency, message: str, level: str = "warning") -> Problem:
    return Problem(level=level, message=message, file=dep.package_file, line=dep.line, dep_name=dep.dep_name)


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
        return DepLookup(dependency=dep, skip_reason=exc.skip_reason, problems=(_problem(dep, str(exc)),), target=target)
    releases = {r.version: r for r in info.releases}
    buckets = version_buckets(dep, settings, list(releases)) if dep.span_kind != "digest" else None
    digests = wants_digest(dep, settings)
    if buckets is None and not digests:
        return DepLookup(dependency=dep, skip_reason="invalid-value", target=target)

    ctx = Context(dep=dep, base_branch=run.base_branch, registry_url=target.registry_url, now=run.now)
    if dep.current_value and any("matchCurrentAge" in r for r in settings.get("packageRules") or []):
        # the age of the current tag, for rules that ask (Renovate: currentVersionTimestamp)
        current_time = await run.timestamp(target, releases.get(dep.current_value), dep.current_value)
        ctx = replace(ctx, current_timestamp=current_time)
    problems: list[Problem] = []
    skipped: list[Skipped] = []
    candidates: list[tuple[Update, dict[str, Any]]] = []
    if buckets is not None:
        for versions in buckets.buckets.values():
            chosen = await _choose_by_age(run, target, dep, settings, buckets, versions, releases, ctx, skipped)
            if chosen is not None:
                candidates.append(chosen)
    for update in digest_updates(dep, settings):
        candidates.append((update, update_settings(settings, update, ctx)))

    planned: list[Planned] = []
    for update, usettings in candidates:
        if usettings.get("enabled") is False:
            skipped.append(Skipped(dep_name=dep.dep_name, new_value=update.new_value, update_type=str(update.update_type), reason="disabled"))
            continue
        if digests:
            tag = update.new_value or "latest"
            try:
                new_digest = await run.digest(target, tag)
            except DependencyError as exc:
                log.debug("digest lookup failed: %s", exc)
                new_digest = None
            if new_digest is None:
                problems.append(_problem(dep, f"could not determine the digest of {dep.dep_name}:{tag}; update dropped"))
                continue
            if update.update_type in (UpdateType.DIGEST, UpdateType.PIN_DIGEST) and new_digest == dep.current_digest:
                continue
            update = replace(update, new_digest=new_digest)
        planned.append(Planned(update=update, settings=usettings))
    if planned and run.want_sources:
        # as Renovate, the labels of the newest image (the first bucket holds the newest version)
        newest = next((p.update.new_value for p in planned if p.update.new_version), None)
        url = await run.source(target, newest or dep.current_value or "latest")
        if url:
            planned = [replace(p, update=replace(p.update, source_url=url)) for p in planned]
    return DepLookup(
        dependency=dep, planned=tuple(planned), problems=tuple(problems), skipped=tuple(skipped),
        target=target, filtered=buckets.filtered if buckets is not None else None,
    )


async def _choose_by_age(
    run: LookupRun, target: Target, dep: Dependency, settings: Mapping[str, Any], buckets: Buckets,
    versions: list[str], releases: Mapping[str, Release], ctx: Context, skipped: list[Skipped],
) -> tuple[Update, dict[str, Any]] | None:
    """The newest version of a bucket old enough for ``minimumReleaseAge`` (Renovate's
    internal checks, strict): newer ones are reported pending."""
    pending: list[str] = []
    for version in versions:
        tag = buckets.tags[version]
        update = make_update(dep, settings, buckets.current, version, tag)
        usettings = update_settings(settings, update, ctx)
        minimum = usettings.get("minimumReleaseAge")
        if minimum:
            stamp = await run.timestamp(target, releases.get(tag), tag)
            if stamp is None or run.now - stamp < parse_duration(str(minimum)):
                pending.append(tag)
                continue
        if pending:
            update = replace(update, pending_versions=tuple(pending))
        return update, usettings
    if pending:
        newest = make_update(dep, settings, buckets.current, versions[0], buckets.tags[versions[0]])
        skipped.append(Skipped(dep_name=dep.dep_name, new_value=newest.new_value, update_type=str(newest.update_type),
                               reason="pending", pending_versions=tuple(pending)))
    return None


async def lookup_all(
    datasource: Datasource,
    deps: Sequence[Dependency],
    settings: Sequence[Mapping[str, Any]],
    progress: Callable[[str], None] | None = None,
    *,
    base_branch: str | None = None,
    now: datetime | None = None,
    first_seen: FirstSeen | None = None,
    want_sources: bool = False,
) -> list[DepLookup]:
    """Look up every dependency concurrently; tags and digests are fetched once each."""
    run = LookupRun(datasource=datasource, base_branch=base_branch, first_seen=first_seen, want_sources=want_sources)
    if now is not None:
        run.now = now
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
        pending = [*run.releases.values(), *run.digests.values(), *run.created.values(), *run.sources.values()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
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

