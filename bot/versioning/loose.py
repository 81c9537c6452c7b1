"""Renovate's ``loose`` versioning: best-effort ``[vV]<1-6 numbers><anything>``.

- ``4.2.21.Final`` -> release ``(4, 2, 21)``, suffix ``.Final``; more than six numbers,
  no leading number, or a commit hash (7-40 lowercase hex, not all digits) is not a version.
- Order: release numbers, a *shorter* release is smaller (``2.4`` < ``2.4.0``); then
  no suffix > suffix; suffixes compare alphabetically with numbers by value
  (``1.1.5-99`` < ``1.1.5-100``).
- There is no prerelease: every version is stable, every version is compatible.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from bot.versioning import GenericVersioning, collate_key

__all__ = ["LooseVersion", "LooseVersioning"]

_VERSION = re.compile(r"[vV]?(\d+(?:\.\d+)*)(.*)", re.ASCII)
_COMMIT_HASH = re.compile(r"[a-f0-9]{7,40}")
_NUMERIC = re.compile(r"[0-9]+")

_Key = tuple[tuple[int, ...], tuple[int, ...]]


@dataclass(frozen=True, slots=True, kw_only=True, order=True)
class LooseVersion:
    """A parsed loose version; compares as Renovate's loose ``compare``."""

    release: tuple[int, ...] = field(compare=False)
    suffix: str = field(compare=False)
    key: _Key = field(init=False, repr=False)

    def __post_init__(self) -> None:
        suffix = (0, *collate_key(self.suffix, numeric=True)) if self.suffix else (1,)
        object.__setattr__(self, "key", (self.release, suffix))

    @property
    def prerelease(self) -> None:
        """Loose versions have no prerelease."""
        return None

    @staticmethod
    def parse(v: str) -> LooseVersion | None:
        """The parsed version, or ``None`` (cached)."""
        return _parse(v)


@lru_cache(maxsize=1 << 16)
def _parse(v: str) -> LooseVersion | None:
    if _COMMIT_HASH.fullmatch(v) and not _NUMERIC.fullmatch(v):
        return None
    match = _VERSION.fullmatch(v)
    if match is None:
        return None
    release = tuple(int(part) for part in match[1].split("."))
    if len(release) > 6:
        return None
    return LooseVersion(release=release, suffix=match[2])


class LooseVersioning(GenericVersioning[LooseVersion]):
    """Renovate's ``loose`` versioning (``lib/modules/versioning/loose``)."""

    name = "loose"

    def parse(self, v: str) -> LooseVersion | None:
        return _parse(v)
