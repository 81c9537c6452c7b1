"""Choosing updates: Renovate's lookup for docker versioning, on tag tables."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot import config as cfgmod
from bot.choose import plan_updates
from bot.errors import ImageNotFound, RegistryUnavailable
from bot.lookup import lookup_all, lookup_target
from bot.model import Dependency, Release, ReleaseInfo, Span, UpdateType

TAGS = [
    "latest", "alpine", "1", "1-alpine", "1.24", "1.24.0", "1.25", "1.25-alpine", "1.25.3", "1.25.3-alpine",
    "1.25.4", "1.25.4-alpine", "1.26", "1.26-alpine", "1.26.0", "1.26.0-alpine", "1.27.0-rc1",
    "2", "2.0", "2.0.0", "2.0.0-alpine", "2.1.0-beta", "3.0.0-alpha", "alpine-a1b2c3d", "20260122",
]


def dep(value: str | None, digest: str | None = None, name: str = "nginx") -> Dependency:
    text = name + (f":{value}" if value else "") + (f"@{digest}" if digest else "")
    return Dependency(
        manager="kubernetes", package_file="k.yaml", dep_name=name, package_name=name, current_value=value,
        current_digest=digest, replace_string=text, span=Span(start=0, end=len(text)), line=1,
    )


def settings(**extra: Any) -> dict[str, Any]:
    return cfgmod.effective({}, extra)


def planned(value: str | None, digest: str | None = None, tags: list[str] = TAGS, **extra: Any) -> tuple[set[tuple[str, str | None]], str | None]:
    updates, skip = plan_updates(dep(value, digest), settings(**extra), tags)
    return {(str(u.update_type), u.new_value) for u in updates}, skip


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        ("1.25.3", {("minor", "1.26.0"), ("major", "2.0.0")}),
        ("1.25.3-alpine", {("minor", "1.26.0-alpine"), ("major", "2.0.0-alpine")}),  # same suffix only
        ("1.25", {("minor", "1.26"), ("major", "2.0")}),  # same precision only
        ("1.25-alpine", {("minor", "1.26-alpine")}),
        ("1", {("major", "2")}),  # 20260122 has one release part too, but maxMajorIncrement (500) drops it
        ("1-alpine", set()),
        ("2.0.0", set()),  # 2.1.0-beta is unstable
        ("1.24.0", {("minor", "1.26.0"), ("major", "2.0.0")}),
        ("20260101", {("major", "20260122")}),  # bare dates are versions
    ],
)
def test_version_updates_stay_within_suffix_and_precision(current: str, expected: set[tuple[str, str]]) -> None:
    assert planned(current) == (expected, None)


def test_separate_minor_patch_and_no_separation() -> None:
    assert planned("1.25.3", separateMinorPatch=True)[0] == {("patch", "1.25.4"), ("minor", "1.26.0"), ("major", "2.0.0")}
    assert planned("1.25.3", separateMajorMinor=False)[0] == {("major", "2.0.0")}


def test_separate_multiple_major_gives_one_update_per_major() -> None:
    tags = ["1.0.0", "2.0.0", "2.1.0", "3.0.0"]
    assert planned("1.0.0", tags=tags, separateMultipleMajor=True)[0] == {("major", "2.1.0"), ("major", "3.0.0")}
    assert planned("1.0.0", tags=tags)[0] == {("major", "3.0.0")}


def test_unstable_current_may_move_to_unstable_of_the_same_release() -> None:
    # Docker versioning: a prerelease is glued to the release (1.0.0rc1); after a dash it is a suffix.
    tags = ["1.0.0rc1", "1.0.0rc2", "1.1.0rc1", "1.0.0"]
    assert planned("1.0.0rc1", tags=tags)[0] == {("patch", "1.0.0")}  # 1.0.0 > rc2 > rc1
    assert planned("1.0.0rc1", tags=["1.0.0rc1", "1.0.0rc2", "1.1.0rc1"])[0] == {("patch", "1.0.0rc2")}
    assert planned("1.0.0rc1", tags=tags, ignoreUnstable=False)[0] == {("minor", "1.1.0rc1")}
    # "-rc1" is a suffix: only tags with the same suffix are candidates, and they are stable.
    assert planned("1.0.0-rc1", tags=["1.0.0-rc2", "1.1.0-rc1", "1.0.0"])[0] == {("minor", "1.1.0-rc1")}


@pytest.mark.parametrize("current", ["alpine", "latest", "alpine-a1b2c3d"])
def test_floating_and_immutable_tags_are_skipped_without_digests(current: str) -> None:
    assert planned(current) == (set(), "invalid-value")


def test_floating_tag_with_digest_gets_a_digest_update() -> None:
    assert planned("alpine", "sha256:" + "0" * 64) == ({("digest", "alpine")}, None)


def test_pin_digests_adds_pin_to_every_reference() -> None:
    assert planned("alpine", pinDigests=True) == ({("pinDigest", "alpine")}, None)
    assert planned("1.25.3", pinDigests=True)[0] == {("minor", "1.26.0"), ("major", "2.0.0"), ("pinDigest", "1.25.3")}
    assert planned(None, pinDigests=True) == ({("pinDigest", None)}, None)
    assert planned(None) == (set(), "invalid-value")  # as Renovate: no tag, nothing to pin


def test_lookup_target() -> None:
    t = lookup_target(dep("1", name="nginx"), [])
    assert (t.registry_url, t.repository) == ("https://registry-1.docker.io", "library/nginx")
    t = lookup_target(dep("1", name="ghcr.io/org/app"), ["https://mirror.example"])
    assert (t.registry_url, t.repository) == ("https://ghcr.io", "org/app")  # a named registry wins
    t = lookup_target(dep("1", name="nginx"), ["https://mirror.example/v2/hub"])
    assert (t.registry_url, t.repository) == ("https://mirror.example", "hub/nginx")
    t = lookup_target(dep("1", name="docker.io/bitnami/redis"), ["http://127.0.0.1:5000"])
    assert (t.registry_url, t.repository) == ("http://127.0.0.1:5000", "bitnami/redis")


class FakeDatasource:
    """Counts requests; tags and digests from tables."""

    def __init__(self, tags: dict[str, list[str]], digests: dict[tuple[str, str], str], fail: Exception | None = None):
        self.tags, self.digests, self.fail = tags, digests, fail
        self.calls: list[tuple[str, ...]] = []

    async def get_releases(self, registry_url: str, repository: str) -> ReleaseInfo:
        self.calls.append(("tags", repository))
        await asyncio.sleep(0)
        if self.fail:
            raise self.fail
        return ReleaseInfo(package_name=repository, registry_url=registry_url, lookup_name=repository,
                           releases=tuple(Release(version=t) for t in self.tags[repository]))

    async def get_digest(self, registry_url: str, repository: str, tag: str) -> str | None:
        self.calls.append(("digest", repository, tag))
        await asyncio.sleep(0)
        return self.digests.get((repository, tag))


def test_lookup_all_asks_once_per_repository_and_per_tag() -> None:
    d = "sha256:" + "d" * 64
    ds = FakeDatasource({"library/nginx": ["1.0.0", "1.1.0"]}, {("library/nginx", "1.1.0"): d, ("library/nginx", "1.0.0"): d})
    deps = [dep("1.0.0") for _ in range(20)]
    results = asyncio.run(lookup_all(ds, deps, [settings(pinDigests=True)] * 20))
    assert ds.calls.count(("tags", "library/nginx")) == 1
    assert ds.calls.count(("digest", "library/nginx", "1.1.0")) == 1
    assert all({(u.update_type, u.new_digest) for u in r.updates} == {(UpdateType.MINOR, d), (UpdateType.PIN_DIGEST, d)} for r in results)


def test_missing_image_skips_one_dependency_and_registry_failure_aborts() -> None:
    ds = FakeDatasource({}, {}, fail=ImageNotFound("no such image"))
    [result] = asyncio.run(lookup_all(ds, [dep("1.0.0")], [settings()]))
    assert result.skip_reason == "not-found"
    assert result.problems[0].message == "no such image"
    ds = FakeDatasource({}, {}, fail=RegistryUnavailable("down"))
    with pytest.raises(RegistryUnavailable):
        asyncio.run(lookup_all(ds, [dep("1.0.0"), dep("2.0.0")], [settings(), settings()]))


def test_disabled_and_ignored_dependencies_are_not_looked_up() -> None:
    ds = FakeDatasource({}, {})
    a, b = dep("1.0.0", name="nginx"), dep("1.0.0", name="redis")
    results = asyncio.run(lookup_all(ds, [a, b], [settings(enabled=False), settings(ignoreDeps=["redis"])]))
    assert [r.skip_reason for r in results] == ["disabled", "ignored"]
    assert ds.calls == []


def test_version_compatibility_keeps_the_fixed_part() -> None:
    tags = ["1.2.0-jdk11", "1.3.0-jdk11", "1.4.0-jdk17", "2.0.0-jdk11"]
    pattern = "^(?<version>[^-]+)(?<compatibility>-.*)?$"
    assert planned("1.2.0-jdk11", tags=tags, versionCompatibility=pattern)[0] == {("minor", "1.3.0-jdk11"), ("major", "2.0.0-jdk11")}


def test_allowed_versions_range_regex_and_negated_regex() -> None:
    assert planned("1.25.3", allowedVersions="<2")[0] == {("minor", "1.26.0")}
    assert planned("1.25.3", allowedVersions="/^1\\.25\\./")[0] == {("patch", "1.25.4")}
    assert planned("1.25.3", allowedVersions="!/^2\\./")[0] == {("minor", "1.26.0")}


def test_max_major_increment() -> None:
    tags = ["1.0.0", "2.0.0", "3.0.0", "9.0.0"]
    assert planned("1.0.0", tags=tags, maxMajorIncrement=2)[0] == {("major", "3.0.0")}
    assert planned("1.0.0", tags=tags, maxMajorIncrement=0)[0] == {("major", "9.0.0")}


def test_regex_versioning_from_settings() -> None:
    tags = ["7.2.4-debian-12-r1", "7.2.5-debian-12-r0", "7.2.5-debian-11-r3", "8.0.0-debian-12-r0"]
    versioning = "regex:^(?<major>\\d+)\\.(?<minor>\\d+)\\.(?<patch>\\d+)-(?<compatibility>.+)-r(?<build>\\d+)$"
    assert planned("7.2.4-debian-12-r1", tags=tags, versioning=versioning)[0] == {
        ("patch", "7.2.5-debian-12-r0"), ("major", "8.0.0-debian-12-r0")
    }


def test_update_level_rules_can_disable_major_updates() -> None:
    ds = FakeDatasource({"library/nginx": ["1.0.0", "1.1.0", "2.0.0"]}, {})
    rule = {"matchUpdateTypes": ["major"], "enabled": False}
    [result] = asyncio.run(lookup_all(ds, [dep("1.0.0")], [settings(packageRules=[rule])]))
    assert [(str(u.update_type), u.new_value) for u in result.updates] == [("minor", "1.1.0")]
    assert [(s.update_type, s.reason) for s in result.skipped] == [("major", "disabled")]


def test_minimum_release_age_holds_young_tags_and_falls_back_to_older_ones() -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    stamps = {"1.1.0": now - timedelta(days=10), "1.2.0": now - timedelta(hours=2)}

    class Stamped(FakeDatasource):
        async def get_releases(self, registry_url: str, repository: str) -> ReleaseInfo:
            info = await super().get_releases(registry_url, repository)
            releases = tuple(Release(version=r.version, timestamp=stamps.get(r.version)) for r in info.releases)
            return ReleaseInfo(package_name=info.package_name, registry_url=registry_url, lookup_name=repository, releases=releases)

    ds = Stamped({"library/nginx": ["1.0.0", "1.1.0", "1.2.0"]}, {})
    [result] = asyncio.run(lookup_all(ds, [dep("1.0.0")], [settings(minimumReleaseAge="3 days")], now=now))
    [update] = result.updates
    assert update.new_value == "1.1.0"
    assert update.pending_versions == ("1.2.0",)
    [result] = asyncio.run(lookup_all(ds, [dep("1.1.0")], [settings(minimumReleaseAge="3 days")], now=now))
    assert result.updates == ()
    assert [(s.new_value, s.reason) for s in result.skipped] == [("1.2.0", "pending")]


def test_release_age_without_registry_time_counts_from_first_seen() -> None:
    class Memory:
        def __init__(self) -> None:
            self.seen: dict[str, datetime] = {}

        def first_seen(self, key: str, now: datetime) -> datetime:
            return self.seen.setdefault(key, now)

    d = "sha256:" + "e" * 64
    ds = FakeDatasource({"library/nginx": ["1.0.0", "1.1.0"]}, {("library/nginx", "1.1.0"): d})
    memory = Memory()
    day0 = datetime(2026, 12, 1, tzinfo=UTC)
    [first] = asyncio.run(lookup_all(ds, [dep("1.0.0")], [settings(minimumReleaseAge="3 days")], now=day0, first_seen=memory))
    assert first.updates == ()
    later = day0 + timedelta(days=4)
    [second] = asyncio.run(lookup_all(ds, [dep("1.0.0")], [settings(minimumReleaseAge="3 days")], now=later, first_seen=memory))
    assert [u.new_value for u in second.updates] == ["1.1.0"]


def test_tag_only_and_digest_only_references() -> None:
    from dataclasses import replace

    d = "sha256:" + "c" * 64
    tag_only = replace(dep("1.25.3"), span_kind="tag", replace_string="1.25.3")
    updates, skip = plan_updates(tag_only, settings(pinDigests=True), TAGS)
    assert skip is None
    assert {(str(u.update_type), u.new_value) for u in updates} == {("minor", "1.26.0"), ("major", "2.0.0")}  # no pin
    assert {u.new_reference() for u in updates} == {"1.26.0", "2.0.0"}  # only the tag is written

    digest_only = replace(dep(None, digest=d), span_kind="digest", replace_string=d)
    ds = FakeDatasource({"library/nginx": ["latest"]}, {("library/nginx", "latest"): "sha256:" + "f" * 64})
    [result] = asyncio.run(lookup_all(ds, [digest_only], [settings()]))
    [update] = result.updates
    assert (str(update.update_type), update.new_reference()) == ("digest", "sha256:" + "f" * 64)


def test_match_current_age_uses_the_current_tags_time() -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    stamps = {"1.0.0": now - timedelta(days=500), "1.1.0": now - timedelta(days=30), "1.2.0": now - timedelta(days=10)}

    class Stamped(FakeDatasource):
        async def get_releases(self, registry_url: str, repository: str) -> ReleaseInfo:
            info = await super().get_releases(registry_url, repository)
            return ReleaseInfo(package_name=info.package_name, registry_url=registry_url, lookup_name=repository,
                               releases=tuple(Release(version=r.version, timestamp=stamps[r.version]) for r in info.releases))

    ds = Stamped({"library/nginx": ["1.0.0", "1.1.0", "1.2.0"]}, {})
    rule = {"matchCurrentAge": "> 1 year", "labels": ["stale"]}
    old, recent = asyncio.run(lookup_all(ds, [dep("1.0.0"), dep("1.1.0")], [settings(packageRules=[rule])] * 2, now=now))
    assert old.planned[0].settings.get("labels") == ["stale"]
    assert recent.planned[0].settings.get("labels") == []
