"""SemVer 2.0 versioning and npm ranges.

Cases from Renovate's ``lib/modules/versioning/semver/index.spec.ts`` (isBreaking is
not part of upkeep's interface), the SemVer 2.0 precedence example, and npm range cases
checked against node-semver 7.8.5 (the version Renovate pins).
"""

from __future__ import annotations

import itertools

import pytest

from bot.model import UpdateType
from bot.versioning.semver import SemVer, SemverVersioning, parse_range

semver = SemverVersioning()


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("17.04.0", False),
        ("1.2.3", True),
        ("1.2.3-foo", True),
        ("1.2.3foo", False),
        ("~1.2.3", False),
        ("^1.2.3", False),
        (">1.2.3", False),
        ("renovatebot/renovate", False),
        ("renovatebot/renovate#master", False),
        ("https://github.com/renovatebot/renovate.git", False),
        # node-semver details
        ("v1.2.3", True),
        ("1.2", False),
        ("1.2.3-01", False),
        ("1.2.3+build.01", True),
    ],
)
def test_is_valid(version: str, expected: bool) -> None:
    assert semver.is_valid(version) is expected


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("1.2.3", True),
        ("1.2.3-alpha.1", True),
        ("=1.2.3", False),
        ("= 1.2.3", False),
        ("1.x", False),
    ],
)
def test_is_single_version(version: str, expected: bool) -> None:
    assert semver.is_single_version(version) is expected


@pytest.mark.parametrize(
    ("current_value", "current_version", "new_version", "expected"),
    [("=1.0.0", "1.0.0", "1.1.0", "1.1.0"), ("1.0.0", "v1.0.0", "v2.0.0", "2.0.0")],
)
def test_new_value(
    current_value: str, current_version: str, new_version: str, expected: str
) -> None:
    assert semver.new_value(current_value, new_version, current_version) == expected


def test_is_compatible() -> None:
    assert semver.is_compatible("1.2.0", "1.0.0")


# SemVer 2.0 section 11, ascending
ORDERED = [
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-alpha.beta",
    "1.0.0-beta",
    "1.0.0-beta.2",
    "1.0.0-beta.11",
    "1.0.0-rc.1",
    "1.0.0",
    "1.0.1",
    "1.1.0",
    "2.0.0",
    "10.0.0",
]


def test_ordered_table() -> None:
    for a, b in itertools.combinations(ORDERED, 2):
        assert semver.compare(a, b) < 0, (a, b)
        assert semver.is_greater_than(b, a)
    assert sorted(reversed(ORDERED), key=semver.sort_key) == ORDERED


def test_build_metadata_is_ignored() -> None:
    assert semver.equals("1.2.3+a", "1.2.3+b")
    assert semver.compare("v1.2.3", "1.2.3") == 0
    assert SemVer.parse("1.2.3+a") == SemVer.parse("1.2.3")


@pytest.mark.parametrize(
    ("version", "stable", "sections"),
    [("1.2.3", True, (1, 2, 3)), ("1.2.3-rc.1", False, (1, 2, 3)), ("1.2", False, (None,) * 3)],
)
def test_stable_and_sections(version: str, stable: bool, sections: tuple[int | None, ...]) -> None:
    assert semver.is_stable(version) is stable
    assert (
        semver.get_major(version),
        semver.get_minor(version),
        semver.get_patch(version),
    ) == sections


@pytest.mark.parametrize(
    ("version", "range_", "expected"),
    [
        ("1.2.3", "1.2.3", True),
        ("1.2.3", "=1.2.3", True),
        ("1.9.9", "<2", True),
        ("2.0.0-rc.1", "<2", False),  # prereleases only match a same-tuple prerelease bound
        ("2.0.0", "<2", False),
        ("1.3.0", ">=1.2 <1.4", True),
        ("1.4.0", ">=1.2 <1.4", False),
        ("1.2.9", "~1.2", True),
        ("1.3.0", "~1.2", False),
        ("1.9.0", "^1.2", True),
        ("0.2.5", "^0.2.3", True),
        ("0.3.0", "^0.2.3", False),
        ("0.0.4", "^0.0.3", False),
        ("1.7.0", "1.x", True),
        ("1.2.9", "1.2.*", True),
        ("5.0.0", "*", True),
        ("5.0.0-beta", "*", False),
        ("1.5.0", "1.2 - 2.3.4", True),
        ("2.3.5", "1.2 - 2.3.4", False),
        ("2.3.9", "1.2.3 - 2.3", True),
        ("2.4.0", "1.2.3 - 2.3", False),
        ("3.0.0", "<2 || >=3", True),
        ("2.0.0", ">1", True),
        ("1.9.0", ">1", False),
        ("1.3.0", "<=1.2", False),
        ("1.2.9", "<=1.2", True),
        ("1.2.4-beta.3", ">=1.2.4-beta.2 <1.3", True),
        ("1.2.5-beta.3", ">=1.2.4-beta.2 <1.3", False),
        ("1.2.3", ">= 1.2.3", True),
        ("1.0.0", "~>1.0", True),
    ],
)
def test_matches(version: str, range_: str, expected: bool) -> None:
    assert semver.matches(version, range_) is expected


@pytest.mark.parametrize("range_", ["foo", "1.2.3.4", "x.1", "<1.x.3", ">=1.2.3 - 2", "~1.2 -"])
def test_invalid_ranges(range_: str) -> None:
    assert parse_range(range_) is None
    with pytest.raises(ValueError, match="neither a semver version nor an npm range"):
        semver.matches("1.2.3", range_)


@pytest.mark.parametrize(
    ("version", "range_", "expected"),
    [
        ("1.0.0", "^1.2", True),
        ("1.2.0", "^1.2", False),
        ("3.0.0", "^1.2", False),
        ("0.0.0", "<1 || >2", False),
        ("0.5.0", "~1.0 || ~2.0", True),
        ("0.0.0", "~0.x.1 ~3.0", False),  # node-semver's answer (drops >=0.0.0 first)
    ],
)
def test_is_less_than_range(version: str, range_: str, expected: bool) -> None:
    assert semver.is_less_than_range(version, range_) is expected


def test_satisfying_versions() -> None:
    versions = ["1.2.3", "1.3.0", "1.2.9", "2.0.0", "nope"]
    assert semver.get_satisfying_version(versions, "~1.2") == "1.2.9"
    assert semver.min_satisfying_version(versions, "^1.2") == "1.2.3"
    assert semver.get_satisfying_version(versions, "^3") is None
    assert semver.get_satisfying_version(versions, "foo") is None


@pytest.mark.parametrize(
    ("current", "new", "expected"),
    [
        ("1.2.3", "1.2.4", UpdateType.PATCH),
        ("1.2.3", "1.3.0", UpdateType.MINOR),
        ("1.2.3", "2.0.0", UpdateType.MAJOR),
        (
            "2.0.0",
            "1.0.0",
            UpdateType.PATCH,
        ),  # Renovate: semver has no isSame, downgrades are patch
    ],
)
def test_update_type(current: str, new: str, expected: UpdateType) -> None:
    assert semver.update_type(current, new) is expected
