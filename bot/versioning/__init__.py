"""Versioning schemes: how tags are parsed, ordered and judged compatible.

Every scheme satisfies :class:`Versioning` (Renovate's ``VersioningApi`` in snake_case).
``get_versioning(name)`` returns one by its Renovate name: ``docker``, ``semver``, ``loose``
or ``regex:<pattern>``.

Ordering methods (``compare``, ``is_greater_than``, ``is_less_than_range``, ``sort_key``)
raise ``ValueError`` for a string that is not a version; filter with ``is_version`` first,
as Renovate's lookup does. Predicates (``is_*``, ``equals``, ``matches``) return ``False``.

``matches(version, range)`` is what ``allowedVersions`` uses. As in Renovate's lookup, a
range that is a valid version of the scheme means equality; otherwise it is read as an npm
range (``<2``, ``>=1.2 <1.4``, ``~1.2``, ``^1.2``, ``1.x``, ``1.0 - 2.0``, ``a || b``)
checked against the version's first three release numbers. Unlike Renovate, a docker
suffix (``1.5.0-alpine``) is not taken for a semver prerelease there, so such tags are not
silently dropped. Renovate's ``/regex/`` form of ``allowedVersions`` is the caller's job.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from bot.model import UpdateType

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparison

__all__ = [
    "GenericVersioning",
    "Versioning",
    "collate_key",
    "get_versioning",
    "reverse_collate_key",
]


class Versioning(Protocol):
    """The one interface every versioning scheme satisfies."""

    @property
    def name(self) -> str: ...
    def is_valid(self, v: str) -> bool: ...
    def is_version(self, v: str) -> bool: ...
    def is_single_version(self, v: str) -> bool: ...
    def is_stable(self, v: str) -> bool: ...
    def is_compatible(self, version: str, current: str) -> bool: ...
    def get_major(self, v: str) -> int | None: ...
    def get_minor(self, v: str) -> int | None: ...
    def get_patch(self, v: str) -> int | None: ...
    def compare(self, a: str, b: str) -> int: ...
    def sort_key(self, v: str) -> SupportsRichComparison: ...
    def equals(self, a: str, b: str) -> bool: ...
    def is_greater_than(self, a: str, b: str) -> bool: ...
    def is_less_than_range(self, version: str, range_: str) -> bool: ...
    def matches(self, version: str, range_: str) -> bool: ...
    def get_satisfying_version(self, versions: list[str], range_: str) -> str | None: ...
    def min_satisfying_version(self, versions: list[str], range_: str) -> str | None: ...
    def update_type(self, current: str, new: str) -> UpdateType: ...
    def new_value(
        self, current_value: str, new_version: str, current_version: str | None = None
    ) -> str: ...


@lru_cache(maxsize=256)
def get_versioning(name: str) -> Versioning:
    """The versioning called ``name`` (Renovate's names); ``ValueError`` if unknown."""
    from bot.versioning import docker, loose, regex, semver

    kind, sep, config = name.partition(":")
    simple: dict[str, Versioning] = {
        "docker": docker.DockerVersioning(),
        "loose": loose.LooseVersioning(),
        "semver": semver.SemverVersioning(),
    }
    if kind == "regex":
        return regex.RegexVersioning(config if sep else None)
    if kind in simple and not sep:
        return simple[kind]
    raise ValueError(f"unknown versioning {name!r}: use docker, semver, loose or regex:<pattern>")


# --- collation: JavaScript's String.prototype.localeCompare (ICU root), for ASCII tags ---

_PUNCTUATION = " _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$"  # ICU root order, as Node sorts it
_NUMBER = 100  # primary weight of a digit run in numeric mode: after punctuation
_DIGIT_RUN = re.compile(r"[0-9]+|.", re.DOTALL)


def _primary(ch: str) -> int:
    if ch in _PUNCTUATION:
        return 1 + _PUNCTUATION.index(ch)
    if "0" <= ch <= "9":
        return 110 + ord(ch) - ord("0")
    if ch.isascii() and ch.isalpha():
        return 200 + ord(ch.lower()) - ord("a")
    return 1000 + ord(ch)


@lru_cache(maxsize=1 << 14)
def collate_key(s: str, numeric: bool = False) -> tuple[int, ...]:
    """A key ordering strings as ``a.localeCompare(b, undefined, {numeric})`` does.

    Primary weights first (punctuation < digits < letters, case ignored), then the case
    of each letter (lower before upper). With ``numeric`` digit runs compare by value.
    Every weight is >= 0, so ``(*key, -1)`` negated element-wise sorts in reverse.
    """
    tokens = _DIGIT_RUN.findall(s) if numeric else list(s)
    primary: list[int] = []
    tertiary: list[int] = []
    for tok in tokens:
        if numeric and tok[0].isdigit():
            primary += (_NUMBER, int(tok))
        else:
            primary.append(_primary(tok))
        tertiary.append(2 if tok.isupper() else 1)
    return (*primary, 0, *tertiary)


def reverse_collate_key(s: str) -> tuple[int, ...]:
    """A key ordering strings as ``b.localeCompare(a)`` does (reverse collation)."""
    return tuple(-w for w in (*collate_key(s), -1))


# --- Renovate's GenericVersioningApi: everything derives from parse() and ordering ---


class GenericVersion(Protocol):
    """What the generic implementation needs from a parsed version."""

    @property
    def release(self) -> tuple[int, ...]: ...
    @property
    def prerelease(self) -> object: ...  # truthy for a prerelease
    def __lt__(self, other: Any, /) -> bool: ...


V = TypeVar("V", bound=GenericVersion)


class GenericVersioning(ABC, Generic[V]):
    """Renovate's ``generic.ts``: a scheme defined by ``parse`` and its values' order."""

    name: str = "generic"

    @abstractmethod
    def parse(self, v: str) -> V | None:
        """The parsed version, or ``None`` when ``v`` is not a version (cached)."""

    def _parsed(self, v: str) -> V:
        parsed = self.parse(v)
        if parsed is None:
            raise ValueError(f"not a {self.name} version: {v!r}")
        return parsed

    def is_valid(self, v: str) -> bool:
        return self.parse(v) is not None

    def is_version(self, v: str) -> bool:
        return self.parse(v) is not None

    def is_single_version(self, v: str) -> bool:
        return self.parse(v) is not None

    def is_stable(self, v: str) -> bool:
        parsed = self.parse(v)
        return parsed is not None and not parsed.prerelease

    def is_compatible(self, version: str, current: str) -> bool:
        return self.parse(version) is not None

    def _section(self, v: str, index: int) -> int | None:
        parsed = self.parse(v)
        if parsed is None or len(parsed.release) <= index:
            return None
        return parsed.release[index]

    def get_major(self, v: str) -> int | None:
        return self._section(v, 0)

    def get_minor(self, v: str) -> int | None:
        return self._section(v, 1)

    def get_patch(self, v: str) -> int | None:
        return self._section(v, 2)

    def sort_key(self, v: str) -> SupportsRichComparison:
        return self._parsed(v)

    def compare(self, a: str, b: str) -> int:
        pa, pb = self._parsed(a), self._parsed(b)
        return -1 if pa < pb else 1 if pb < pa else 0

    def equals(self, a: str, b: str) -> bool:
        pa, pb = self.parse(a), self.parse(b)
        return pa is not None and pa == pb

    def is_greater_than(self, a: str, b: str) -> bool:
        return self.compare(a, b) > 0

    def is_less_than_range(self, version: str, range_: str) -> bool:
        """Renovate: ``compare(version, range) < 0`` (the range is one version)."""
        return self.compare(version, range_) < 0

    def matches(self, version: str, range_: str) -> bool:
        """Equality when ``range_`` is a version, else an npm range (see module doc)."""
        if self.is_valid(range_):
            return self.equals(version, range_)
        from bot.versioning.semver import SemVer, parse_range

        npm_range = parse_range(range_)
        if npm_range is None:
            raise ValueError(f"{range_!r} is neither a {self.name} version nor an npm range")
        parsed = self.parse(version)
        if parsed is None:
            return False
        major, minor, patch = (*parsed.release, 0, 0, 0)[:3]
        return npm_range.contains(SemVer(major=major, minor=minor, patch=patch))

    def get_satisfying_version(self, versions: list[str], range_: str) -> str | None:
        """Renovate: the first of ``versions`` equal to ``range_``."""
        return next((v for v in versions if self.equals(v, range_)), None)

    def min_satisfying_version(self, versions: list[str], range_: str) -> str | None:
        return self.get_satisfying_version(versions, range_)

    def update_type(self, current: str, new: str) -> UpdateType:
        """Renovate's ``getUpdateType``: a changed major is major, else compare numbers."""
        major_cur, major_new = self.get_major(current), self.get_major(new)
        if major_cur != major_new or (major_new or 0) > (major_cur or 0):
            return UpdateType.MAJOR
        if (self.get_minor(new) or 0) > (self.get_minor(current) or 0):
            return UpdateType.MINOR
        return UpdateType.PATCH

    def new_value(
        self, current_value: str, new_version: str, current_version: str | None = None
    ) -> str:
        """The value to write: ``new_version``, without ``v`` if only the version had one."""
        if current_version == f"v{current_value}":
            return new_version.removeprefix("v")
        return new_version
