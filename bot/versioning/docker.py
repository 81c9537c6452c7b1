"""Renovate's ``docker`` versioning: image tags as ``[v]<release><prerelease>[-<suffix>]``.

- The part before the first ``-`` must be ``1.2.3`` numbers, optionally followed by a
  word prerelease (``3.7.0b1`` -> prerelease ``b1``); the rest is the *suffix*
  (``1.5-alpine`` -> ``alpine``), a compatibility marker, not a prerelease.
  So ``alpine-20260122`` is not a version, ``20260122`` is.
- Lowercase hex of 7-40 characters that is not all digits is a commit hash, not a version.
- Order: release numbers, where a *shorter* release is greater when the longer one starts
  with it (``1.5`` > ``1.5.2``, a floating tag is the newest of its line); then no
  prerelease > prerelease (alphabetical); then no suffix > suffix, suffixes in *reverse*
  alphabetical order (``1-alpine`` > ``1-bookworm``).
- Compatible: same suffix and same number of release parts (``1.5-alpine`` -> ``1.6-alpine``,
  never ``1.6.0-alpine``, ``1.6`` nor ``1.6-bookworm``).
- Stable: no prerelease.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

from bot.versioning import GenericVersioning, collate_key, reverse_collate_key

__all__ = ["DockerTag", "DockerVersioning"]

_VERSION = re.compile(r"(?P<version>\d+(?:\.\d+)*)(?P<prerelease>\w*)", re.ASCII)
_COMMIT_HASH = re.compile(r"[a-f0-9]{7,40}")
_NUMERIC = re.compile(r"[0-9]+")

_Key = tuple[tuple[float, ...], tuple[int, ...], tuple[int, ...]]


@dataclass(frozen=True, slots=True, kw_only=True, order=True)
class DockerTag:
    """A parsed docker tag; compares (``<``, ``==``) as Renovate's docker ``compare``."""

    release: tuple[int, ...] = field(compare=False)
    prerelease: str = field(compare=False)
    suffix: str = field(compare=False)
    key: _Key = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # release then +inf: "1.5" (1, 5, inf) sorts after "1.5.2" (1, 5, 2, inf)
        release = (*self.release, math.inf)
        pre = (0, *collate_key(self.prerelease)) if self.prerelease else (1,)
        object.__setattr__(self, "key", (release, pre, reverse_collate_key(self.suffix)))

    @staticmethod
    def parse(tag: str) -> DockerTag | None:
        """The parsed tag, or ``None`` when it is not a docker version (cached)."""
        return _parse(tag)


@lru_cache(maxsize=1 << 16)
def _parse(tag: str) -> DockerTag | None:
    if not tag:
        return None
    if _COMMIT_HASH.fullmatch(tag) and not _NUMERIC.fullmatch(tag):
        return None
    prefix, _, suffix = tag.removeprefix("v").partition("-")
    match = _VERSION.fullmatch(prefix)
    if match is None:
        return None
    release = tuple(int(part) for part in match["version"].split("."))
    return DockerTag(release=release, prerelease=match["prerelease"], suffix=suffix)


class DockerVersioning(GenericVersioning[DockerTag]):
    """Renovate's ``docker`` versioning (``lib/modules/versioning/docker``)."""

    name = "docker"

    def parse(self, v: str) -> DockerTag | None:
        return _parse(v)

    def is_compatible(self, version: str, current: str) -> bool:
        """Same suffix and same number of release parts."""
        a, b = _parse(version), _parse(current)
        return (
            a is not None
            and b is not None
            and a.suffix == b.suffix
            and len(a.release) == len(b.release)
        )

    def value_to_version(self, value: str) -> str:
        """The tag without its suffix: ``3.7-alpine`` -> ``3.7``."""
        return value.split("-", 1)[0]
