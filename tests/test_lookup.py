"""Choosing updates: Renovate's lookup for docker versioning, on tag tables."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot import config as cfgmod
from bot.errors import ImageNotFound, RegistryUnavailable
from bot.lookup import lookup_all, lookup_target, plan_updates
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
        ("1", {("major", "20260122")}),  # as in Renovate: a bare date has one release part too
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
    assert planned(None) == (set(), None)


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
