"""Docker versioning.

The first block ports every case of Renovate's
``lib/modules/versioning/docker/index.spec.ts``; the rest are upkeep's own.
"""

from __future__ import annotations

import itertools
import random

import pytest

from bot.model import UpdateType
from bot.versioning import get_versioning
from bot.versioning.docker import DockerTag, DockerVersioning

docker = DockerVersioning()
semver = get_versioning("semver")

# --- ported from renovate lib/modules/versioning/docker/index.spec.ts ---


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("", False),  # spec: null
        ("1.2.3", True),
        ("18.04", True),
        ("10.1", True),
        ("3", True),
        ("foo", False),
        ("0a1b2c3", False),
        ("0a1b2c3d", False),
        ("0a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d", False),
        ("0a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0", True),  # 41 chars: not a hash
        ("0a1b2C3", True),
        ("0z1b2c3", True),
        ("0A1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d", True),
        ("123098140293", True),
        ("01aecc#v2.1.0", False),
    ],
)
def test_is_valid(version: str, expected: bool) -> None:
    assert docker.is_valid(version) is expected


@pytest.mark.parametrize(
    ("version", "major", "minor", "patch"),
    [
        ("1.2.3", 1, 2, 3),
        ("18.04", 18, 4, None),
        ("10.1", 10, 1, None),
        ("3", 3, None, None),
        ("foo", None, None, None),
    ],
)
def test_get_sections(
    version: str, major: int | None, minor: int | None, patch: int | None
) -> None:
    assert (docker.get_major(version), docker.get_minor(version), docker.get_patch(version)) == (
        major,
        minor,
        patch,
    )


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("1.2.3", "1.2", False),
        ("18.04", "18.1", True),
        ("10.1", "10.1.2", True),
        ("3", "2", True),
        ("1.2.3", "1.2.3", False),
    ],
)
def test_is_greater_than(a: str, b: str, expected: bool) -> None:
    assert docker.is_greater_than(a, b) is expected


@pytest.mark.parametrize(
    ("version", "range_", "expected"),
    [
        ("1.2.3", "2.0", True),
        ("18.04", "18.1", False),
        ("10.1", "10.0.4", False),
        ("3", "4.0", True),
        ("1.2", "1.3.4", True),
    ],
)
def test_is_less_than_range(version: str, range_: str, expected: bool) -> None:
    assert docker.is_less_than_range(version, range_) is expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("1.2.3", "1.2.3", True),
        ("18.04", "18.4", True),
        ("10.0", "10.0.4", False),
        ("3", "4.0", False),
        ("1.2", "1.2.3", False),
    ],
)
def test_equals(a: str, b: str, expected: bool) -> None:
    assert docker.equals(a, b) is expected


SATISFYING_VERSIONS = ["0.9.8", "1.1.1", "1.1", "1.2.3", "1.2", "1", "2.2.2", "2.2", "2"]


@pytest.mark.parametrize(
    ("range_", "expected"),
    [("1.2.3", "1.2.3"), ("1.2", "1.2"), ("1", "1"), ("1.3", None), ("0.9", None)],
)
def test_satisfying_versions(range_: str, expected: str | None) -> None:
    assert docker.get_satisfying_version(SATISFYING_VERSIONS, range_) == expected
    assert docker.min_satisfying_version(SATISFYING_VERSIONS, range_) == expected


@pytest.mark.parametrize(
    ("a", "b"), [("1.1.1", "1.2.3"), ("1.2.3", "1.3.4"), ("2.0.1", "1.2.3"), ("1.2.3", "0.9.5")]
)
def test_sort_like_semver(a: str, b: str) -> None:
    assert docker.compare(a, b) == semver.compare(a, b)


def test_sorts_unstable() -> None:
    versions = [
        "3.7.0",
        "3.7-alpine",
        "3.7.0b1",
        "3.7.0b5",
        "3.8.0b1-alpine",
        "3.8.0-alpine",
        "3.8.2",
        "3.8.0",
    ]
    assert sorted(versions, key=docker.sort_key) == [
        "3.7.0b1",
        "3.7.0b5",
        "3.7.0",
        "3.7-alpine",
        "3.8.0b1-alpine",
        "3.8.0-alpine",
        "3.8.0",
        "3.8.2",
    ]


def test_new_value() -> None:
    # spec: currentValue, rangeStrategy and currentVersion null
    assert docker.new_value(current_value="", new_version="1.2.3") == "1.2.3"


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("3.7.0", True),
        ("3.7.0b1", False),
        ("3.7-alpine", True),
        ("3.8.0-alpine", True),
        ("3.8.0b1-alpine", False),
        ("3.8.2", True),
    ],
)
def test_is_stable(version: str, expected: bool) -> None:
    assert docker.is_stable(version) is expected


@pytest.mark.parametrize(
    ("version", "current", "expected"),
    [
        ("3.7.0", "3.7.0", True),
        ("3.7.0b1", "3.7.0", True),
        ("3.7-alpine", "3.7.0", False),
        ("3.8.0-alpine", "3.7.0", False),
        ("3.8.0b1-alpine", "3.7.0", False),
        ("3.8.2", "3.7.0", True),
        ("3.7.0", "3.7.0-alpine", False),
        ("3.7.0b1", "3.7.0-alpine", False),
        ("3.7-alpine", "3.7.0-alpine", False),
        ("3.8.0-alpine", "3.7.0-alpine", True),
        ("3.8.0b1-alpine", "3.7.0-alpine", True),
        ("3.8.2", "3.7.0-alpine", False),
    ],
)
def test_is_compatible(version: str, current: str, expected: bool) -> None:
    assert docker.is_compatible(version, current) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3.7.0", "3.7.0"),
        ("3.7.0b1", "3.7.0b1"),
        ("3.7-alpine", "3.7"),
        ("3.8.0-alpine", "3.8.0"),
        ("3.8.0b1-alpine", "3.8.0b1"),
        ("3.8.2", "3.8.2"),
        ("", ""),  # spec: undefined -> undefined
    ],
)
def test_value_to_version(value: str, expected: str) -> None:
    assert docker.value_to_version(value) == expected


# --- upkeep's own cases ---

# Ascending; every ordering assertion below is derived from this one table.
ORDERED = [
    "0.9.8",
    "1.0.0a1",
    "1.0.0b1-alpine",  # prerelease decides before the suffix
    "1.0.0b2",
    "1.0.0rc10",  # prereleases compare as text: rc10 < rc2
    "1.0.0rc2",
    "1.0.0-slim",  # suffixes in reverse alphabetical order, below no suffix
    "1.0.0-bookworm",
    "1.0.0-alpine3.19",
    "1.0.0-alpine",
    "1.0.0",
    "v1.0.1",
    "1.0",  # shorter is greater: the floating tag is the newest of its line
    "1.1.0.1",
    "1.1.0",
    "1.1",
    "1",
    "2.0.0",
    "10",
    "20260122",
]


def test_ordered_table_pairs() -> None:
    for (i, a), (j, b) in itertools.combinations(enumerate(ORDERED), 2):
        assert docker.compare(a, b) < 0, (i, a, j, b)
        assert docker.compare(b, a) > 0, (j, b, i, a)
        assert docker.sort_key(a) < docker.sort_key(b)
        assert not docker.equals(a, b)
        assert docker.is_greater_than(b, a)


def test_ordered_table_sorts() -> None:
    shuffled = ORDERED[:]
    random.Random(0).shuffle(shuffled)
    assert sorted(shuffled, key=docker.sort_key) == ORDERED


@pytest.mark.parametrize(("a", "b"), [("18.04", "18.4"), ("v1.2.3", "1.2.3"), ("1.2-", "1.2")])
def test_equal_tags(a: str, b: str) -> None:
    assert docker.compare(a, b) == 0
    assert docker.equals(a, b)
    assert docker.sort_key(a) == docker.sort_key(b)


@pytest.mark.parametrize(
    ("tag", "release", "prerelease", "suffix"),
    [
        ("1.5.2-alpine", (1, 5, 2), "", "alpine"),
        ("v2.0rc1-slim-bookworm", (2, 0), "rc1", "slim-bookworm"),
        ("20260122", (20260122,), "", ""),
        ("3.7.0b1", (3, 7, 0), "b1", ""),
        ("1.2.3_4", (1, 2, 3), "_4", ""),
    ],
)
def test_parse(tag: str, release: tuple[int, ...], prerelease: str, suffix: str) -> None:
    parsed = DockerTag.parse(tag)
    assert parsed is not None
    assert (parsed.release, parsed.prerelease, parsed.suffix) == (release, prerelease, suffix)
    assert DockerTag.parse(tag) is parsed  # cached


@pytest.mark.parametrize(
    "tag",
    # DESIGN.md: floating and immutable tags are not versions; a prefixed date is not either
    [
        *("latest", "alpine", "alpine-latest", "optimized", "alpine-a1b2c3d", "alpine-20260122"),
        *("a1b2c3d", "v", "1.", ".1", "1..2", "V1.2"),
    ],
)
def test_not_versions(tag: str) -> None:
    assert not docker.is_version(tag)
    assert DockerTag.parse(tag) is None
    with pytest.raises(ValueError, match="not a docker version"):
        docker.sort_key(tag)


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [("1.6-alpine", True), ("1.6.0-alpine", False), ("1.6", False), ("1.6-bookworm", False)],
)
def test_compatible_same_suffix_and_precision(candidate: str, expected: bool) -> None:
    assert docker.is_compatible(candidate, "1.5-alpine") is expected


@pytest.mark.parametrize(
    ("current", "new", "expected"),
    [
        ("1.5.2-alpine", "1.5.3-alpine", UpdateType.PATCH),
        ("1.5-alpine", "1.6-alpine", UpdateType.MINOR),
        ("1-alpine", "2-alpine", UpdateType.MAJOR),
        ("1.5.2", "2.0.0", UpdateType.MAJOR),
        ("2.0.0", "1.9.0", UpdateType.MAJOR),  # Renovate: a different major is major
        ("1", "1.1", UpdateType.MINOR),  # a missing minor counts as 0
        ("20260122", "20260123", UpdateType.MAJOR),
    ],
)
def test_update_type(current: str, new: str, expected: UpdateType) -> None:
    assert docker.update_type(current, new) is expected


@pytest.mark.parametrize(
    ("version", "range_", "expected"),
    [
        # a docker version as range: Renovate's equality (no prefix matching)
        ("1.2.3", "1.2.3", True),
        ("18.04", "18.4", True),
        ("1.2.3", "1.2", False),
        ("1.2.3-alpine", "1.2.3", False),
        # anything else: an npm range over the first three release numbers
        ("1.9", "<2", True),
        ("2.0", "<2", False),
        ("1.3.7", ">=1.2 <1.4", True),
        ("1.4", ">=1.2 <1.4", False),
        ("1.2.9-alpine", "~1.2", True),  # Renovate would say False (suffix read as prerelease)
        ("1.3.0-alpine", "~1.2", False),
        ("1.9-alpine", "^1.2", True),
        ("2.0-alpine", "^1.2", False),
        ("1.5.0b1", "1.x", True),
        ("2", "1.x", False),
        ("1.2.3.4", "1.2.3", False),  # a docker version: equality, 1.2.3.4 != 1.2.3
        ("1.2.3.4", "=1.2.3", True),  # an npm range: first three numbers
        ("foo", "<2", False),
    ],
)
def test_matches(version: str, range_: str, expected: bool) -> None:
    assert docker.matches(version, range_) is expected


def test_matches_rejects_nonsense_range() -> None:
    with pytest.raises(ValueError, match="neither a docker version nor an npm range"):
        docker.matches("1.2.3", "latest")
