"""The interface: ``get_versioning``, the Protocol, and JavaScript-compatible collation."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

import bot.versioning
from bot.versioning import Versioning, collate_key, get_versioning, reverse_collate_key
from bot.versioning.docker import DockerVersioning
from bot.versioning.loose import LooseVersioning
from bot.versioning.regex import RegexVersioning
from bot.versioning.semver import SemverVersioning

VERSIONINGS: dict[str, Versioning] = {
    "docker": DockerVersioning(),
    "loose": LooseVersioning(),
    "semver": SemverVersioning(),
    "regex": RegexVersioning(r"^(?<major>\d+)\.(?<minor>\d+)$"),
}


def test_every_module_is_listed() -> None:
    modules = {p.stem for p in Path(bot.versioning.__file__).parent.glob("*.py")} - {"__init__"}
    assert modules == set(VERSIONINGS)


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("docker", DockerVersioning),
        ("loose", LooseVersioning),
        ("semver", SemverVersioning),
        ("regex", RegexVersioning),
        (r"regex:^(?<major>\d+)$", RegexVersioning),
        ("regex:^(?<major>\\d+):(?<minor>\\d+)$", RegexVersioning),  # ":" inside the pattern
    ],
)
def test_get_versioning(name: str, cls: type) -> None:
    versioning = get_versioning(name)
    assert isinstance(versioning, cls)
    assert get_versioning(name) is versioning  # built once


def test_regex_pattern_keeps_colons() -> None:
    assert get_versioning("regex:^(?<major>\\d+):(?<minor>\\d+)$").get_minor("1:2") == 2


@pytest.mark.parametrize("name", ["semver-coerced", "pep440", "", "docker:x", "Docker"])
def test_unknown_versioning(name: str) -> None:
    with pytest.raises(ValueError, match="unknown versioning"):
        get_versioning(name)


@pytest.mark.parametrize("versioning", VERSIONINGS.values(), ids=VERSIONINGS.keys())
def test_common_behaviour(versioning: Versioning) -> None:
    assert versioning.is_valid("1.2" if versioning.name != "semver" else "1.2.0")
    assert not versioning.is_version("latest")
    assert not versioning.equals("latest", "latest")
    assert not versioning.matches("latest", "<2")
    with pytest.raises(ValueError, match="not a"):
        versioning.compare("latest", "1.2.0")


# Sorted as Node 20 (ICU 78) sorts with a.localeCompare(b) ...
PLAIN = ["", "_", "-", ":", ".", "+", "~", "0", "10", "2", "9", "a", "A", "alpine", "Alpine"]
PLAIN += ["alpine_3", "alpine-3.19", "alpine3.19", "b", "B", "bookworm", "rc1", "rc10", "rc2"]
PLAIN += ["slim", "slim-bookworm"]
# ... and with {numeric: true}
NUMERIC = ["", "_", "-", ":", ".", "+", "~", "0", "2", "9", "10", "a", "A", "alpine", "Alpine"]
NUMERIC += ["alpine_3", "alpine-3.19", "alpine3.19", "b", "B", "bookworm", "rc1", "rc2", "rc10"]
NUMERIC += ["slim", "slim-bookworm"]


@pytest.mark.parametrize(("ordered", "numeric"), [(PLAIN, False), (NUMERIC, True)])
def test_collation_matches_node(ordered: list[str], numeric: bool) -> None:
    for a, b in itertools.combinations(ordered, 2):
        assert collate_key(a, numeric) < collate_key(b, numeric), (a, b)
        if not numeric:
            assert reverse_collate_key(a) > reverse_collate_key(b), (a, b)


def test_collation_details() -> None:
    assert collate_key("aB") < collate_key("Ab")  # case decides only after all letters
    assert collate_key("a-b") < collate_key("ab")  # punctuation is not ignored
    assert collate_key("01", numeric=True) == collate_key("1", numeric=True)
