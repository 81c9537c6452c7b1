"""Renovate's ``semver`` versioning (strict SemVer 2.0) and npm ranges.

Versions are ``[v]MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]`` exactly as node-semver reads
them without ``loose``: no leading zeros, ``17.04.0`` and ``1.2`` are not versions.
Build metadata is ignored for order and equality; a prerelease is unstable.

``parse_range`` reads npm range syntax (node-semver's ``Range``): ``1.2.3``, ``=1.2.3``,
``<``/``<=``/``>``/``>=`` with partial versions, ``1.x``/``1.2.*``/``*``, ``~1.2``,
``^1.2``, ``1.0 - 2.0``, space for "and" and ``||`` for "or". As in npm, a prerelease
version satisfies a range only if a comparator names a prerelease of the same
``MAJOR.MINOR.PATCH``. This module backs ``matches`` of every versioning.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from bot.model import UpdateType
from bot.versioning import GenericVersioning

__all__ = ["Range", "SemVer", "SemverVersioning", "parse_range"]

_NUM = r"0|[1-9]\d*"
_PRE_ID = r"0|[1-9]\d*|\d*[a-zA-Z-][a-zA-Z0-9-]*"
_PRE = rf"(?:{_PRE_ID})(?:\.(?:{_PRE_ID}))*"
_BUILD = r"[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*"
_SEMVER = re.compile(
    rf"v?(?P<major>{_NUM})\.(?P<minor>{_NUM})\.(?P<patch>{_NUM})"
    rf"(?:-(?P<pre>{_PRE}))?(?:\+(?P<build>{_BUILD}))?",
    re.ASCII,
)
_X = rf"{_NUM}|[xX*]"
_PARTIAL = re.compile(
    rf"(?P<op>~>?|\^|<=|>=|<|>|=)?v?(?P<M>{_X})(?:\.(?P<m>{_X})"
    rf"(?:\.(?P<p>{_X})(?:-(?P<pre>{_PRE}))?(?:\+{_BUILD})?)?)?",
    re.ASCII,
)
_HYPHEN = re.compile(r"\s*(\S+)\s+-\s+(\S+)\s*")
_OP_SPACE = re.compile(r"(~>?|\^|<=|>=|<|>|=)\s+")
_MAX_SAFE_INTEGER = 2**53 - 1
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "=": operator.eq,
}

_PreKey = tuple[int, ...] | tuple[int, tuple[tuple[int, int | str], ...]]


@dataclass(frozen=True, slots=True, kw_only=True, order=True)
class SemVer:
    """A SemVer 2.0 version; orders by SemVer precedence (build metadata ignored)."""

    major: int = field(compare=False)
    minor: int = field(compare=False)
    patch: int = field(compare=False)
    prerelease: tuple[int | str, ...] = field(default=(), compare=False)
    build: tuple[str, ...] = field(default=(), compare=False)
    key: tuple[int, int, int, _PreKey] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        pre: _PreKey = (1,)  # a release sorts after all of its prereleases
        if self.prerelease:
            ids = tuple((0, i) if isinstance(i, int) else (1, i) for i in self.prerelease)
            pre = (0, ids)
        object.__setattr__(self, "key", (self.major, self.minor, self.patch, pre))

    @property
    def release(self) -> tuple[int, int, int]:
        return (self.major, self.minor, self.patch)

    @staticmethod
    def parse(v: str) -> SemVer | None:
        """The parsed version, or ``None`` when ``v`` is not strict SemVer (cached)."""
        return _parse(v)


def _pre_ids(text: str | None) -> tuple[int | str, ...]:
    if not text:
        return ()
    return tuple(int(i) if i.isdigit() else i for i in text.split("."))


@lru_cache(maxsize=1 << 16)
def _parse(v: str) -> SemVer | None:
    match = _SEMVER.fullmatch(v.strip()) if len(v) <= 256 else None
    if match is None:
        return None
    major, minor, patch = (int(match[g]) for g in ("major", "minor", "patch"))
    if max(major, minor, patch) > _MAX_SAFE_INTEGER:
        return None
    build = tuple(match["build"].split(".")) if match["build"] else ()
    return SemVer(
        major=major, minor=minor, patch=patch, prerelease=_pre_ids(match["pre"]), build=build
    )


# --- npm ranges ---


class Comparator(NamedTuple):
    """``op`` is one of ``< <= > >= =``; ``version`` None means "any version"."""

    op: str
    version: SemVer | None

    def test(self, v: SemVer) -> bool:
        if self.version is None:
            return True
        return _OPS[self.op](v.key, self.version.key)


@dataclass(frozen=True, slots=True)
class Range:
    """An npm range: any of several sets of comparators that must all hold."""

    sets: tuple[tuple[Comparator, ...], ...]

    def contains(self, v: SemVer) -> bool:
        return any(_test_set(comparators, v) for comparators in self.sets)


def _test_set(comparators: tuple[Comparator, ...], v: SemVer) -> bool:
    if not all(c.test(v) for c in comparators):
        return False
    if not v.prerelease:
        return True
    return any(
        c.version is not None and c.version.prerelease and c.version.release == v.release
        for c in comparators
    )


_ZERO = SemVer(major=0, minor=0, patch=0)
_ANY = Comparator("=", None)
_GTE0 = Comparator(">=", _ZERO)
_NONE = Comparator("<", SemVer(major=0, minor=0, patch=0, prerelease=(0,)))


def _cmp(op: str, major: int, minor: int, patch: int, pre: str | None = None) -> Comparator:
    return Comparator(op, SemVer(major=major, minor=minor, patch=patch, prerelease=_pre_ids(pre)))


def _below(major: int, minor: int = 0, patch: int = 0) -> Comparator:
    """``<M.m.p-0``: below every version of M.m.p, prereleases included."""
    return _cmp("<", major, minor, patch, "0")


def _partial(text: str, hyphen: bool = False) -> list[Comparator] | None:
    match = _PARTIAL.fullmatch(text)
    if match is None:
        return None
    op, pre = match["op"] or "", match["pre"]
    nums = [None if g is None or g in "xX*" else int(g) for g in match.group("M", "m", "p")]
    M, m, p = nums  # node-semver's names
    if (
        not hyphen
        and op not in ("^", "~", "~>")
        and ((M is None and m is not None) or (m is None and p is not None))
    ):
        return None  # node-semver rejects an x before a number (x.1, 1.x.3) here
    if M is None:
        return [_NONE] if op in ("<", ">") else [_ANY]
    if op == "^":
        if m is None:
            return [_cmp(">=", M, 0, 0), _below(M + 1)]
        low = _cmp(">=", M, m, p or 0, pre)
        if M > 0:
            return [low, _below(M + 1)]
        if p is None or m > 0:
            return [low, _below(M, m + 1)]
        return [low, _below(M, m, p + 1)]
    if op.startswith("~"):
        if m is None:
            return [_cmp(">=", M, 0, 0), _below(M + 1)]
        return [_cmp(">=", M, m, p or 0, pre), _below(M, m + 1)]
    if m is not None and p is not None:
        return [_cmp(op or "=", M, m, p, pre)]
    if op in ("", "="):  # X-range
        if m is None:
            return [_cmp(">=", M, 0, 0), _below(M + 1)]
        return [_cmp(">=", M, m, 0), _below(M, m + 1)]
    if op == ">":  # >1 is >=2.0.0, >1.2 is >=1.3.0
        return [_cmp(">=", M + 1, 0, 0) if m is None else _cmp(">=", M, m + 1, 0)]
    if op == "<=":  # <=1 is <2.0.0-0, <=1.2 is <1.3.0-0
        return [_below(M + 1) if m is None else _below(M, m + 1)]
    if op == "<":
        return [_below(M, m or 0)]
    return [_cmp(">=", M, m or 0, 0)]


def _hyphen(low: str, high: str) -> list[Comparator] | None:
    lo, hi = _partial(low, hyphen=True), _partial(high, hyphen=True)
    if lo is None or hi is None or low[0] in "<>~^" or high[0] in "<>~^":
        return None
    comparators = [c for c in lo if c.op == ">=" or c.version is None or c.op == "="]
    comparators = [
        Comparator(">=", c.version) if c.version and c.op == "=" else c for c in comparators
    ]
    if len(hi) == 1 and hi[0].op == "=" and hi[0].version is not None:
        return [*comparators, Comparator("<=", hi[0].version)]
    return [*comparators, *(c for c in hi if c.op == "<")]


@lru_cache(maxsize=1024)
def parse_range(text: str) -> Range | None:
    """The npm range ``text``, or ``None`` if it is not one (cached)."""
    sets: list[tuple[Comparator, ...]] = []
    for part in text.split("||"):
        hyphen = _HYPHEN.fullmatch(part)
        comparators: list[Comparator] | None
        if hyphen:
            comparators = _hyphen(hyphen[1], hyphen[2])
        else:
            comparators = []
            for token in _OP_SPACE.sub(r"\1", part.strip()).split() or ["*"]:
                parsed = _partial(token)
                if parsed is None:
                    return None
                comparators += parsed
        if comparators is None:
            return None
        sets.append(_simplify(comparators))
    if len(sets) > 1:  # as node-semver: drop "nothing" sets; a lone "any" set wins
        sets = [c for c in sets if c != (_NONE,)] or sets[:1]
        sets = next(([c] for c in sets if c == (_ANY,)), sets)
    return Range(tuple(sets))


def _simplify(comparators: list[Comparator]) -> tuple[Comparator, ...]:
    """As node-semver: ``>=0.0.0`` is any; "nothing" wins; "any" goes if not alone."""
    if _NONE in comparators:
        return (_NONE,)
    unique = dict.fromkeys(_ANY if c == _GTE0 else c for c in comparators)
    if len(unique) > 1:
        unique.pop(_ANY, None)
    return tuple(unique)


class SemverVersioning(GenericVersioning[SemVer]):
    """Renovate's ``semver`` versioning (node-semver); no ranges are valid versions."""

    name = "semver"

    def parse(self, v: str) -> SemVer | None:
        return _parse(v)

    def _range(self, range_: str) -> Range:
        parsed = parse_range(range_)
        if parsed is None:
            raise ValueError(f"{range_!r} is neither a semver version nor an npm range")
        return parsed

    def matches(self, version: str, range_: str) -> bool:
        """node-semver ``satisfies``; ``ValueError`` if ``range_`` is not a range."""
        parsed = _parse(version)
        return parsed is not None and self._range(range_).contains(parsed)

    def is_less_than_range(self, version: str, range_: str) -> bool:
        """Lower than every version the range allows (node-semver ``ltr``, ported as is)."""
        v, rng = self._parsed(version), self._range(range_)
        if rng.contains(v):
            return False
        for comparators in rng.sets:
            bounds = [(c.op, c.version) if c.version else (">=", _ZERO) for c in comparators]
            lowest = highest = bounds[0]
            for bound in bounds:
                if bound[1] < lowest[1]:
                    lowest = bound
                elif bound[1] > highest[1]:
                    highest = bound
            if lowest[0] in ("<", "<="):
                return False  # the range is unbounded below
            op, top = highest
            if (op in ("=", "<") and v >= top) or (op == "<=" and v > top):
                return False
        return True

    def _satisfying(self, versions: list[str], range_: str) -> list[str]:
        rng = parse_range(range_)
        if rng is None:
            return []
        return [v for v in versions if (p := _parse(v)) is not None and rng.contains(p)]

    def get_satisfying_version(self, versions: list[str], range_: str) -> str | None:
        """The highest of ``versions`` in ``range_`` (node-semver ``maxSatisfying``)."""
        return max(self._satisfying(versions, range_), key=self.sort_key, default=None)

    def min_satisfying_version(self, versions: list[str], range_: str) -> str | None:
        return min(self._satisfying(versions, range_), key=self.sort_key, default=None)

    def update_type(self, current: str, new: str) -> UpdateType:
        """Renovate's ``getUpdateType`` (semver has no ``isSame``): higher major/minor."""
        if (self.get_major(new) or 0) > (self.get_major(current) or 0):
            return UpdateType.MAJOR
        if (self.get_minor(new) or 0) > (self.get_minor(current) or 0):
            return UpdateType.MINOR
        return UpdateType.PATCH
