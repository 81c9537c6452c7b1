"""Renovate's durations (``"3 days"``, ``"12 hours"``) and age ranges (``"> 1 year"``)."""

from __future__ import annotations

import re
from datetime import timedelta

_UNITS = {
    "ms": 0.001, "millisecond": 0.001, "milliseconds": 0.001,
    "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
    "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
    "d": 86400, "day": 86400, "days": 86400,
    "w": 604800, "week": 604800, "weeks": 604800,
    "month": 2629800, "months": 2629800,  # 1/12 of a Julian year, as the ms package
    "y": 31557600, "year": 31557600, "years": 31557600,
}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]+)?\s*$", re.IGNORECASE)
_AGE = re.compile(r"^\s*(<=|>=|<|>)\s*(.+)$")


class DurationError(ValueError):
    pass


def parse_duration(text: str) -> timedelta:
    """``"3 days"`` -> 3 days; a bare number is milliseconds (as Renovate's ``ms``)."""
    match = _DURATION.match(str(text))
    if match is None:
        raise DurationError(f"{text!r} is not a duration like \"3 days\"")
    number, unit = float(match[1]), (match[2] or "ms").lower()
    if unit not in _UNITS:
        raise DurationError(f"{text!r}: unknown unit {unit!r}")
    return timedelta(seconds=number * _UNITS[unit])


def parse_age_range(text: str) -> tuple[str, timedelta]:
    """``"> 1 year"`` -> (">", 365.25 days)."""
    match = _AGE.match(str(text))
    if match is None:
        raise DurationError(f"{text!r} is not an age range like \"> 3 days\"")
    return match[1], parse_duration(match[2])


def age_matches(age: timedelta, range_text: str) -> bool:
    op, limit = parse_age_range(range_text)
    return {"<": age < limit, "<=": age <= limit, ">": age > limit, ">=": age >= limit}[op]
