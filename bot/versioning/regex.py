"""Renovate's ``regex`` versioning: a user pattern with named groups.

Groups: ``major``, ``minor``, ``patch`` (at least one must appear; a missing one counts
as 0), ``build`` and ``revision`` (4th and 5th numbers, ``revision`` only with ``build``),
``prerelease`` (marks a version unstable) and ``compatibility`` (updates never change it).
The pattern is searched, not anchored, exactly like ``RegExp.exec``; write ``^…$``.

Order is Renovate's generic one: numbers (``2.1`` == ``2.1.0``), then no prerelease >
prerelease (numbers in it by value). ``compatibility`` does not take part in ordering or
equality (``1.2.3`` equals ``1.2.3-bar``), only in ``is_compatible``.

JavaScript ``(?<name>…)`` and ``\\k<name>`` are accepted. A number group that does not
start with digits makes the string not a version (Renovate would compare ``NaN``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from bot.patterns import js_to_python
from bot.versioning import GenericVersioning, collate_key

__all__ = ["RegexVersion", "RegexVersioning"]

DEFAULT_PATTERN = r"^(?<major>\d+)?$"
_LEADING_INT = re.compile(r"\s*([+-]?\d+)", re.ASCII)  # what JavaScript's parseInt reads

_Key = tuple[tuple[int, ...], tuple[int, ...]]


@dataclass(frozen=True, slots=True, kw_only=True, order=True)
class RegexVersion:
    """A version parsed by a regex versioning; compares as Renovate's generic compare."""

    release: tuple[int, ...] = field(compare=False)
    prerelease: str | None = field(compare=False)
    compatibility: str | None = field(compare=False)
    key: _Key = field(init=False, repr=False)

    def __post_init__(self) -> None:
        release = list(self.release)
        while release and release[-1] == 0:  # 2.1 == 2.1.0
            release.pop()
        pre = (0, *collate_key(self.prerelease, numeric=True)) if self.prerelease else (1,)
        object.__setattr__(self, "key", (tuple(release), pre))


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a Renovate (JavaScript) pattern; ``ValueError`` with the reason if unusable."""
    if not any(f"<{name}>" in pattern for name in ("major", "minor", "patch")):
        raise ValueError(
            f"regex versioning {pattern!r} needs at least one major, minor or patch group"
        )
    python = js_to_python(pattern)
    try:
        return re.compile(python, re.ASCII)
    except re.error as exc:
        raise ValueError(f"regex versioning {pattern!r} is not a valid pattern: {exc}") from exc


def _int(text: str) -> int | None:
    match = _LEADING_INT.match(text)
    return int(match[1]) if match else None


class RegexVersioning(GenericVersioning[RegexVersion]):
    """Renovate's ``regex:<pattern>`` versioning (``lib/modules/versioning/regex``)."""

    def __init__(self, pattern: str | None = None) -> None:
        self.pattern = DEFAULT_PATTERN if pattern is None else pattern
        self.name = f"regex:{self.pattern}"
        self._regex = compile_pattern(self.pattern)
        self._cached_parse = lru_cache(maxsize=1 << 14)(self._parse)

    def parse(self, v: str) -> RegexVersion | None:
        return self._cached_parse(v)

    def _parse(self, v: str) -> RegexVersion | None:
        match = self._regex.search(v)
        if match is None:
            return None
        groups = match.groupdict()
        numbers = [groups.get(name) for name in ("major", "minor", "patch")]
        if build := groups.get("build"):
            numbers.append(build)
            if revision := groups.get("revision"):
                numbers.append(revision)
        release = [0 if text is None else _int(text) for text in numbers]
        if any(number is None for number in release):
            return None
        return RegexVersion(
            release=tuple(n for n in release if n is not None),
            prerelease=groups.get("prerelease"),
            compatibility=groups.get("compatibility"),
        )

    def is_compatible(self, version: str, current: str) -> bool:
        """Same ``compatibility`` group (``None`` when it did not take part)."""
        a, b = self.parse(version), self.parse(current)
        return a is not None and a.compatibility == (b.compatibility if b else None)
