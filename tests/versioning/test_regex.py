"""Regex versioning: cases from Renovate's ``lib/modules/versioning/regex/index.spec.ts``."""

from __future__ import annotations

import itertools

import pytest

from bot.versioning import get_versioning
from bot.versioning.regex import RegexVersioning

# Python docker images: prerelease after the numbers, compatibility after "-"
PYTHON = (
    r"^(?<major>\d+)\.(?<minor>\d+)\.(?<patch>\d+)(?<prerelease>[^.-]+)?(?:-(?<compatibility>.*))?$"
)
regex = RegexVersioning(PYTHON)
# Bitnami: build and revision (Renovate's spec has the "(:?" typo; kept, it still works)
bitnami = RegexVersioning(
    r"^(?<major>\d+)\.(?<minor>\d+)\.(?<patch>\d+)(:?-(?<compatibility>.+)(?<build>\d+)-r(?<revision>\d+))?$"
)


def test_get_versioning_builds_regex() -> None:
    assert get_versioning(f"regex:{PYTHON}").is_valid("1.2.3b2-foo")


@pytest.mark.parametrize("pattern", ["not a regex", r"^(?<major>\d+)(", "^(?<build>\\d+)$"])
def test_invalid_configuration(pattern: str) -> None:
    with pytest.raises(ValueError, match="regex versioning"):
        RegexVersioning(pattern)


def test_without_config_and_missing_version() -> None:
    assert not get_versioning("regex").is_valid("alpine")
    assert RegexVersioning(r"^(?<major>\d+)?(?<compabillity>.+)").is_valid("alpine")


VALID = [
    ("1", False),
    ("aardvark", False),
    ("1.2a1-foo", False),
    ("1.2.3", True),
    ("1.2.3a1", True),
    ("1.2.3b2", True),
    ("1.2.3-foo", True),
    ("1.2.3b2-foo", True),
    ("1.2.3b2-foo-bar", True),
    ("1-foo", False),
    ("1.2", False),
    ("1.2-foo", False),
    ("1.2.3.4.5.6.7", False),
    ("1.2.aardvark", False),
    ("1.2.aardvark-foo", False),
    ("1.2a2.3", False),
]


@pytest.mark.parametrize(("version", "expected"), VALID)
def test_is_valid_version_single(version: str, expected: bool) -> None:
    assert regex.is_valid(version) is expected
    assert regex.is_version(version) is expected
    assert regex.is_single_version(version) is expected


@pytest.mark.parametrize(
    ("version", "current"),
    [
        ("1.2.3", "2.3.4"),
        ("1.2.3a1", "2.3.4"),
        ("1.2.3", "2.3.4b1"),
        ("1.2.3-foobar", "2.3.4-foobar"),
        ("1.2.3a1-foobar", "2.3.4-foobar"),
        ("1.2.3-foobar", "2.3.4b1-foobar"),
    ],
)
def test_compatible(version: str, current: str) -> None:
    assert regex.is_compatible(version, current)


@pytest.mark.parametrize(
    ("version", "current"),
    [
        ("1.2.3", "2.3.4-foobar"),
        ("1.2.3a1", "2.3.4-foobar"),
        ("1.2.3", "2.3.4b1-foobar"),
        ("1.2.3-foobar", "2.3.4"),
        ("1.2.3a1-foobar", "2.3.4"),
        ("1.2.3-foobar", "2.3.4b1"),
        ("1.2.3-foo", "2.3.4-bar"),
        ("1.2.3a1-foo", "2.3.4-bar"),
        ("1.2.3-foo", "2.3.4b1-bar"),
    ],
)
def test_incompatible(version: str, current: str) -> None:
    assert not regex.is_compatible(version, current)


@pytest.mark.parametrize(
    ("version", "expected"),
    [("1.2.3", True), ("1.2.3-foo", True), ("1.2.3alpha", False), ("1.2.3b3-foo", False)],
)
def test_is_stable(version: str, expected: bool) -> None:
    assert regex.is_stable(version) is expected


@pytest.mark.parametrize("version", ["1.2.3", "1.2.3a1", "1.2.3a1-foo"])
def test_sections(version: str) -> None:
    assert (regex.get_major(version), regex.get_minor(version), regex.get_patch(version)) == (
        1,
        2,
        3,
    )


# Ascending; compatibility takes no part in order. Spec's sortVersions case is a subset.
ORDERED = [
    "1.0.0",
    "1.2.2a1",
    "1.2.2",
    "1.2.3a1",
    "1.2.3",
    "1.2.4a1",
    "1.2.4",
    "1.3.4",
    "2.0.1",
    "2.1.0",
    "2.2.0",
    "2.2.1",
    "3.0.0a1",
    "3.0.0a2",
    "3.0.0a10",  # numbers in prereleases compare by value
    "3.0.0b1",
    "3.0.0b2",
    "3.0.0",
]


@pytest.mark.parametrize(
    ("suffix_a", "suffix_b"), [("", ""), ("", "-bar"), ("-foo", ""), ("-foo", "-bar")]
)
def test_ordered_table(suffix_a: str, suffix_b: str) -> None:
    """Spec's isGreaterThan, isLessThanRange and matches tables, for every pair."""
    for lo, hi in itertools.combinations(ORDERED, 2):
        a, b = lo + suffix_a, hi + suffix_b  # compatibility takes no part in order
        assert regex.compare(a, b) < 0, (a, b)
        assert regex.is_greater_than(b, a)
        assert not regex.is_greater_than(a, b)
        assert regex.is_less_than_range(a, b)
        assert not regex.is_less_than_range(b, a)
        assert not regex.matches(a, b)
        assert not regex.matches(b, a)


def test_sort_versions() -> None:
    assert sorted(["1.2.3a1", "2.0.1", "1.3.4", "1.2.3"], key=regex.sort_key) == [
        "1.2.3a1",
        "1.2.3",
        "1.3.4",
        "2.0.1",
    ]


@pytest.mark.parametrize("version", ["1.2.2", "1.2.2a1", "1.2.3"])
@pytest.mark.parametrize(
    ("suffix_a", "suffix_b"), [("", ""), ("", "-bar"), ("-foo", ""), ("-foo", "-bar")]
)
def test_equal_regardless_of_compatibility(version: str, suffix_a: str, suffix_b: str) -> None:
    a, b = version + suffix_a, version + suffix_b
    assert regex.equals(a, b)
    assert regex.matches(a, b)
    assert not regex.is_greater_than(a, b)
    assert not regex.is_less_than_range(a, b)


SATISFY_SHARED = [
    (["2.1.5", "2.1.6a1", "2.1.6", "2.1.6-foo"], "2.1.6", "2.1.6"),
    (["2.1.5", "2.1.6a1", "2.1.6", "2.1.6-foo"], "2.1.6-foo", "2.1.6"),
    (["1.2.3", "1.2.4"], "3.5.0", None),
    (["1.2.3", "1.2.4"], "!@#", None),
]


@pytest.mark.parametrize(
    ("versions", "range_", "expected"),
    [*SATISFY_SHARED, (["2.1.5-foo", "2.1.6"], "2.1.6-foo", "2.1.6")],
)
def test_get_satisfying_version(versions: list[str], range_: str, expected: str | None) -> None:
    assert regex.get_satisfying_version(versions, range_) == expected


@pytest.mark.parametrize(
    ("versions", "range_", "expected"),
    [*SATISFY_SHARED, (["2.1.5", "2.1.6-foo"], "2.1.5-foo", "2.1.5")],
)
def test_min_satisfying_version(versions: list[str], range_: str, expected: str | None) -> None:
    assert regex.min_satisfying_version(versions, range_) == expected


def test_new_value() -> None:
    assert regex.new_value(current_value="", new_version="1.2.3") == "1.2.3"


@pytest.mark.parametrize(
    ("a", "b", "greater"),
    [
        ("12.7.0-debian-10-r69", "12.7.0-debian-10-r100", False),
        ("12.7.0-debian-10-r169", "12.7.0-debian-10-r100", True),
    ],
)
def test_build_and_revision(a: str, b: str, greater: bool) -> None:
    assert bitnami.is_valid(a)
    assert bitnami.is_compatible(a, b)
    assert bitnami.is_greater_than(a, b) is greater


def test_build_and_revision_matches_and_satisfying() -> None:
    versions = ["12.7.0-debian-10-r69", "12.7.0-debian-10-r100", "12.7.0-debian-10-r101"]
    assert bitnami.matches("12.7.0-debian-9-r69", "12.7.0-debian-9-r69")
    assert not bitnami.matches("12.7.0-debian-9-r69", "12.7.0-debian-10-r68")
    assert bitnami.get_satisfying_version(versions, "12.7.0-debian-10-r100") == versions[1]
    assert bitnami.min_satisfying_version(versions, "12.7.0-debian-10-r100") == versions[1]
    assert bitnami.get_satisfying_version(versions, "12.7.0-debian-12-r100") is None
    assert bitnami.get_major("12.7.0-debian-10-r69") == 12


def test_prefixed_date_tags_opt_in() -> None:
    """DESIGN.md: ordering ``alpine-20260122`` style tags is opt-in via regex versioning."""
    dated = RegexVersioning(r"^(?<compatibility>[a-z]+)-(?<major>\d{8})$")
    assert dated.is_greater_than("alpine-20260123", "alpine-20260122")
    assert dated.is_compatible("alpine-20260123", "alpine-20260122")
    assert not dated.is_compatible("slim-20260123", "alpine-20260122")
    assert not dated.is_valid("alpine-a1b2c3d")


def test_non_numeric_group_is_not_a_version() -> None:
    tautulli = RegexVersioning(r"^v(?<major>\d+)\.(?<minor>\d+)\.(?<patch>\d+)-ls(?<build>.+)$")
    assert tautulli.get_patch("v2.13.4-ls12") == 4
    assert not tautulli.is_valid("v2.13.4-lsabc")  # Renovate: NaN build, never ordered
