"""Loose versioning: cases from Renovate's ``lib/modules/versioning/loose/index.spec.ts``
plus one ordered table from which the ordering assertions are derived."""

from __future__ import annotations

import itertools

import pytest

from bot.model import UpdateType
from bot.versioning.loose import LooseVersion, LooseVersioning

loose = LooseVersioning()


@pytest.mark.parametrize("version", ["1.1", "1.3.RC2", "2.1-rc2"])
def test_is_version(version: str) -> None:
    assert loose.is_version(version)


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("v1.4", True),
        ("V0.5", True),
        ("3.5.0", True),
        ("4.2.21.Final", True),
        ("0.6.5.1", True),
        ("20100527", True),
        ("2.1.0-M3", True),
        ("4.3.20.RELEASE", True),
        ("1.1-groovy-2.4", True),
        ("0.8a", True),
        ("3.1.0.GA", True),
        ("3.0.0-beta.3", True),
        ("foo", False),
        ("1.2.3.4.5.6.7", False),
        ("0a1b2c3", False),
        ("0a1b2c3d", False),
        ("0a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d", False),
        ("0a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0", True),
        ("0a1b2C3", True),
        ("0z1b2c3", True),
        ("0A1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d", True),
        ("123098140293", True),
    ],
)
def test_is_valid(version: str, expected: bool) -> None:
    assert loose.is_valid(version) is expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("2.4", "2.4", True),
        ("2.4.0", "2.4.0", True),
        ("2.4.0", "2.4", False),
        ("2.4.1", "2.4", False),
        ("2.4.2", "2.4.1", False),
    ],
)
def test_equals(a: str, b: str, expected: bool) -> None:
    assert loose.equals(a, b) is expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("2.4.0", "2.4", True),
        ("2.4.2", "2.4.1", True),
        ("2.4.100", "2.4.99", True),
        ("2.4.beta", "2.4.alpha", True),
        ("1.9", "2", False),
        ("1.9", "1.9.1", False),
        ("2.4", "2.4.beta", True),
        ("2.4.0", "2.4.beta", True),
        ("2.4.beta", "2.4", False),
        ("2.4.beta", "2.4.0", False),
        ("2024-07-21T11-33-05.abc123", "2023-06-21T11-33-05.abc123", True),
        ("2023-07-21T11-33-05.abc123", "2023-07-21T11-33-04.abc123", True),
        ("2023-07-21-113305-abc123", "2023-07-21-113304-abc123", True),
        ("1.1.5-100", "1.1.5-99", True),
    ],
)
def test_is_greater_than(a: str, b: str, expected: bool) -> None:
    assert loose.is_greater_than(a, b) is expected


def test_compatible_and_single() -> None:
    assert loose.is_compatible("1.2.0", "0.1")
    assert loose.is_single_version("1.2.0")
    assert not loose.is_single_version("^1.2.0")


# Ascending: shorter release is *smaller* here (unlike docker), a suffix sorts below none.
ORDERED = [
    "0.8a",
    "0.8",
    "1.1.5-99",
    "1.1.5-100",
    "1.1.5",
    "1.9",
    "1.9.1",
    "2",
    "2.4.alpha",
    "2.4.beta",
    "2.4",
    "2.4.0",
    "2.4.1",
    "2.4.99",
    "2.4.100",
    "3.0.0-beta.3",
    "3.0.0",
    "2023-07-21T11-33-04.abc123",
    "2023-07-21T11-33-05.abc123",
    "2024-07-21T11-33-05.abc123",
    "20100527",
]


def test_ordered_table() -> None:
    for a, b in itertools.combinations(ORDERED, 2):
        assert loose.compare(a, b) < 0, (a, b)
        assert loose.compare(b, a) > 0, (b, a)
    assert sorted(reversed(ORDERED), key=loose.sort_key) == ORDERED


def test_parse_and_no_prerelease() -> None:
    parsed = LooseVersion.parse("4.2.21.Final")
    assert parsed is not None
    assert (parsed.release, parsed.suffix, parsed.prerelease) == ((4, 2, 21), ".Final", None)
    assert loose.is_stable("2.1-rc2")  # Renovate's loose has no notion of unstable


@pytest.mark.parametrize(
    ("version", "range_", "expected"),
    [
        ("1.5", "<2", True),
        ("1.x", "1.x", True),  # "1.x" is a loose version, so equality (as Renovate)
        ("1.5", "1.x", False),
        ("4.2.21.Final", ">=4.2 <4.3", True),
    ],
)
def test_matches(version: str, range_: str, expected: bool) -> None:
    assert loose.matches(version, range_) is expected


def test_update_type() -> None:
    assert loose.update_type("2.4", "2.4.1") is UpdateType.PATCH
    assert loose.update_type("2.4", "2.5") is UpdateType.MINOR
    assert loose.update_type("2.4", "3") is UpdateType.MAJOR
