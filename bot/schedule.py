"""Renovate's ``schedule`` semantics: when may upkeep open or update branches?

A schedule is a list of entries; it is due when ANY entry is due.  An empty list, or an entry
``""`` / ``"at any time"``, means always.  Entries are evaluated against the local wall-clock
time in ``timezone`` (an IANA name; UTC when unset).  Two forms are understood:

**Cron** (Renovate's recommended form; what every ``schedule:*`` preset uses), 5 fields
``minute hour day-of-month month day-of-week``, or 6 with a leading seconds field, or 7 with a
trailing year.  Minutes (and seconds) must be ``*``: Renovate has no minute granularity.
Each field takes ``*``/``?``, ``n``, ``a-b``, ``*/s``, ``a-b/s`` and comma lists; months and
weekdays take names (``JAN``, ``mon``); weekday 0 and 7 are Sunday; day-of-month takes ``L``
(last day) and ``nW`` (nearest weekday); day-of-week takes ``nL`` / ``n#L`` (last such weekday
of the month) and ``n#k`` (k-th).  Day-of-month and day-of-week are combined with AND, unlike
standard cron's OR (Renovate builds croner with ``domAndDow: true``): ``* * 1-7 * 1`` is the
first Monday of the month.

**Text** (@breejs/later's ``parse.text``, deprecated by Renovate but still common), case
insensitive, made of these clauses in any order:

* ``after <time>``, ``before <time>`` with ``<time>`` ``5am``, ``5:30pm``, ``17:00``;
  ``after 10pm and before 5am`` wraps midnight.
* ``on <day>[ and|, <day>…]``, ``on <day> through|to|- <day>``; ``every weekday``,
  ``every weekend``; ``of <month>[ and <month>…]``; ``in <year>``.
* ``on the first|last|<rank>[ through <rank>][ and <rank>…] <period>`` with ``<rank>`` ``1``,
  ``1st``, ``22nd`` and ``<period>`` one of ``day of the month`` (``day``), ``day instance``
  (k-th weekday of the month), ``day of the week``, ``day of the year``, ``week of the month``,
  ``week of the year`` (ISO), ``month``, ``year``, ``hour``.
* ``every <n> <period>`` (absolute: ``every 3 months`` = Jan, Apr, Jul, Oct; ``every 2 weeks``
  = odd ISO weeks), optionally ``starting on the <rank> <period>`` or ``between <a> and <b>``;
  ``after|before <rank> <period>``; ``at <time>`` (an exact second, needs another clause).
* ``also`` (starts an alternative), ``except`` (what follows is excluded).

Renovate's config migrations are applied first: ``every month``/``monthly`` → ``before 5am on
the first day of the month``; ``every friday`` → ``on friday``; ``on every weekday`` → ``every
weekday``; a trailing ``every day`` is dropped; a trailing ``…days`` becomes ``…day``; and (sic)
``on the last day of the month`` → ``on the first day of the month``.

Deliberate differences from Renovate / later.js:

* An invalid entry or time zone raises :class:`ScheduleError`; Renovate logs a warning and
  treats the whole schedule as always due.
* ``after X and before Y`` with X > Y wraps midnight even without Renovate's migration having
  split the entry (later.js itself ANDs both bounds, so such an entry would never match).
* Text is lower-cased before ``5AM`` is expanded, runs of blanks are collapsed and the entry is
  stripped (Renovate rejects ``before 5AM`` and trailing blanks); ``at any time`` is accepted
  in any position, not only first.
* Text entries with seconds (``every 30 seconds on monday``) are rejected like minutes are.
* DST is pure wall-clock: an hour skipped in spring never matches, a repeated autumn hour
  matches twice (croner fires once at 03:00 in the gap and only on the first repeat).
* Not supported: croner's ``@daily``-style nicknames (Renovate rejects them: minutes are 0),
  ``L`` in ranges/lists of weekdays (``5-6#L``), ``LW``, and later.js's custom modifiers.
  ``in january``/``between 9am and 5pm`` are not later syntax and are rejected, as Renovate does.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.errors import UserError

__all__ = ["Schedule", "ScheduleError", "is_due", "next_due", "parse_schedule", "validate_schedule"]


class ScheduleError(UserError):
    """A schedule entry (or the time zone) cannot be understood; the message says which and why."""

    def __init__(self, message: str, *, entry: str | None = None, index: int | None = None):
        self.entry = entry
        self.index = index
        super().__init__(message)


class _Invalid(Exception):
    """Why one entry is invalid (internal; wrapped in ScheduleError with its position)."""


# ----------------------------------------------------------------------------- cron

_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
_CRON_CHARS = re.compile(r"[\d*?/,#LW+-]+", re.I)


@dataclass(frozen=True, slots=True)
class CronEntry:
    """A cron entry; ``days`` holds ``(n, "")``, ``(n, "W")`` or ``(0, "L")``; ``weekdays``
    holds ``(wd, k)`` with wd 0=Sunday and k 0 (every), 1..5 (k-th) or -1 (last)."""

    text: str
    hours: frozenset[int]
    days: frozenset[tuple[int, str]] | None  # None: any day
    months: frozenset[int]
    weekdays: frozenset[tuple[int, int]] | None  # None: any weekday
    years: frozenset[int] | None

    def matches(self, local: datetime) -> bool:
        dim = calendar.monthrange(local.year, local.month)[1]
        weekday = local.isoweekday() % 7
        return (
            local.hour in self.hours
            and local.month in self.months
            and (self.years is None or local.year in self.years)
            and (self.days is None or any(_dom_hit(d, local, dim) for d in self.days))
            and (self.weekdays is None or any(
                wd == weekday and (k == 0 or (k == -1 and local.day > dim - 7) or (local.day - 1) // 7 + 1 == k)
                for wd, k in self.weekdays))
        )


def _dom_hit(item: tuple[int, str], local: datetime, dim: int) -> bool:
    n, kind = item
    if kind == "L":
        return local.day == dim
    if kind == "W":  # nearest Monday-Friday to day n, without leaving the month
        if n > dim:
            return False
        target = datetime(local.year, local.month, n)
        if target.weekday() == 5:
            target += timedelta(days=-1 if target.day > 1 else 2)
        elif target.weekday() == 6:
            target += timedelta(days=1 if target.day < dim else -2)
        return local.day == target.day
    return local.day == n


def _cron_values(field: str, lo: int, hi: int, names: list[str] | None, what: str) -> set[int]:
    values: set[int] = set()
    for item in field.split(","):
        body, _, step_text = item.partition("/")
        if names:
            body = re.sub(r"[a-z]+", lambda m: str(names.index(m[0]) + lo) if m[0] in names else m[0], body.lower())
        if body in ("*", "?"):
            start, end = lo, hi
        elif re.fullmatch(r"\d+-\d+", body):
            start, end = map(int, body.split("-"))
        elif body.isdigit() and not step_text:
            start = end = int(body)
        else:
            raise _Invalid(f"{item!r} is not a valid {what}")
        step = int(step_text) if step_text.isdigit() and int(step_text) > 0 else 0
        if (step_text and not step) or not lo <= start <= end <= hi:
            raise _Invalid(f"{item!r} is out of range for {what} ({lo}-{hi})")
        values.update(range(start, end + 1, step or 1))
    return values


def _parse_cron(text: str) -> CronEntry:
    parts = text.split()
    year = parts.pop() if len(parts) == 7 else None
    if len(parts) == 6:  # croner: 6 fields have leading seconds, 7 add a trailing year
        parts = parts[1:]  # the seconds start with "*" (checked below), so they include :00
    if len(parts) != 5:
        raise _Invalid("cron needs 5 fields: minute hour day-of-month month day-of-week")
    minute, hour, dom, month, dow = parts
    if not text.startswith("*") or _cron_values(minute, 0, 59, None, "minute") != set(range(60)):
        raise _Invalid("cron syntax must have * as minutes (Renovate has no minute granularity)")
    days: set[tuple[int, str]] = set()
    for item in dom.split(","):
        if item.upper() == "L":
            days.add((0, "L"))
        elif re.fullmatch(r"\d+W", item, re.I) and 1 <= int(item[:-1]) <= 31:
            days.add((int(item[:-1]), "W"))
        else:
            days.update((d, "") for d in _cron_values(item, 1, 31, None, "day of month"))
    weekdays: set[tuple[int, int]] = set()
    for item in dow.lstrip("+").split(","):
        if m := re.fullmatch(r"([0-7]|[a-z]{3})(?:#([1-5]|L)|(L))", item, re.I):
            day = int(m[1]) if m[1].isdigit() else _WEEKDAYS.index(m[1].lower()) if m[1].lower() in _WEEKDAYS else -1
            if day < 0:
                raise _Invalid(f"{item!r} is not a valid day of week")
            weekdays.add((day % 7, -1 if m[3] or m[2].upper() == "L" else int(m[2])))
        else:
            weekdays.update((d % 7, 0) for d in _cron_values(item, 0, 7, _WEEKDAYS, "day of week"))
    return CronEntry(
        text=text,
        hours=frozenset(_cron_values(hour, 0, 23, None, "hour")),
        days=None if dom in ("*", "?") else frozenset(days),
        months=frozenset(_cron_values(month, 1, 12, _MONTHS, "month")),
        weekdays=None if dow in ("*", "?") else frozenset(weekdays),
        years=None if year is None else frozenset(_cron_values(year, 1, 9999, None, "year")),
    )


# ----------------------------------------------------------------------------- later.js text

_TOKENS = {name: re.compile(rx, re.ASCII) for name, rx in {
    "rank": r"(\d+)(st|nd|rd|th)?\b",
    "time": r"(((0?[1-9]|1[0-2]):[0-5]\d(\s)?(am|pm))|((0?\d|1\d|2[0-3]):[0-5]\d))\b",
    "day name": r"(sun|mon|tue(s)?|wed(nes)?|thu(r(s)?)?|fri|sat(ur)?)(day)?\b",
    "month name": r"(jan(uary)?|feb(ruary)?|ma((r(ch)?)?|y)|apr(il)?|ju(ly|ne)|aug(ust)?|oct(ober)?|(sept|nov|dec)(ember)?)\b",
    "year": r"\d{4}\b",
    "every": r"every\b", "after": r"after\b", "before": r"before\b", "between": r"between (the)?\b",
    "starting": r"(start(ing)? (at|on( the)?)?)\b", "at": r"(at|@)\b", "and": r"(,|and\b)",
    "except": r"except\b", "also": r"also\b", "first": r"first\b", "last": r"last\b",
    "in": r"in\b", "of": r"of\b", "on the": r"on the\b", "on": r"on\b", "through": r"(-|(to|through)\b)",
    "weekday": r"weekday\b", "weekend": r"weekend\b",
    "s": r"(s|sec(ond)?(s)?)\b", "m": r"(m|min(ute)?(s)?)\b", "h": r"(h|hour(s)?)\b",
    "D": r"(day(s)?( of the month)?)\b", "dc": r"day instance\b", "d": r"day(s)? of the week\b",
    "dy": r"day(s)? of the year\b", "wy": r"week(s)?( of the year)?\b", "wm": r"week(s)? of the month\b",
    "M": r"month(s)?\b", "Y": r"year(s)?\b",
}.items()}
_PERIODS = ("s", "m", "h", "dy", "d", "dc", "D", "M", "Y", "wm", "wy")  # later's order breaks ties
_CLAUSES = ("every", "after", "before", "on the", "on", "of", "in", "at", "and", "except", "also")
# field -> (min, max, value meaning "last" or None); fields whose extent starts at 1 read 0 as last
_RANGES = {"s": (0, 59, None), "m": (0, 59, None), "h": (0, 23, None), "D": (1, 31, 0),
           "d": (1, 7, None), "dc": (1, 5, 0), "dy": (1, 366, 0), "wm": (1, 5, 0),
           "wy": (1, 53, 0), "M": (1, 12, None), "Y": (1970, 2450, None)}
_MIGRATIONS = (  # Renovate's config/migrations/custom/schedule-migration.ts and scheduleMappings
    (r"^(every month|monthly)$", "before 5am on the first day of the month"),
    (r"on the last day of the month", "on the first day of the month"),
    (r"on every weekday", "every weekday"),
    (r" every day$", ""),
    (r"every ((mon|tues|wednes|thurs|fri|satur|sun)day)$", r"on \1"),
)

Rule = tuple[tuple[str, tuple[int, ...]], ...]  # (("t_a", (79200,)), ("d", (2, 3, 4, 5, 6)))


@dataclass(frozen=True, slots=True)
class TextEntry:
    """A later.js text entry: due when any rule holds and no exception does; a rule holds when
    all its constraints do (``field`` in values, ``field_a`` >= first, ``field_b`` < last)."""

    text: str
    rules: tuple[Rule, ...]
    exceptions: tuple[Rule, ...] = ()

    def matches(self, local: datetime) -> bool:
        return any(_holds(r, local) for r in self.rules) and not any(_holds(r, local) for r in self.exceptions)


def _field_value(field: str, local: datetime) -> tuple[int, bool]:
    """The value of a later.js time period at ``local``, and whether it is the last one."""
    dim = calendar.monthrange(local.year, local.month)[1]
    if field in ("wm", "wy"):
        first_dw = local.replace(day=1).isoweekday() % 7 + 1
        if field == "wy":
            iso = local.isocalendar()
            return iso.week, iso.week == datetime(iso.year, 12, 28).isocalendar().week
        last_dw = local.replace(day=dim).isoweekday() % 7 + 1
        wm = (local.day + first_dw - 1 + 7 - (local.isoweekday() % 7 + 1)) // 7
        return wm, wm == (dim + first_dw - 1 + 7 - last_dw) // 7
    days_in_year = 366 if calendar.isleap(local.year) else 365
    return {
        "t": (local.hour * 3600 + local.minute * 60 + local.second, False),
        "s": (local.second, False), "m": (local.minute, False), "h": (local.hour, False),
        "D": (local.day, local.day == dim), "d": (local.isoweekday() % 7 + 1, False),
        "dc": ((local.day - 1) // 7 + 1, local.day > dim - 7),
        "dy": (local.timetuple().tm_yday, local.timetuple().tm_yday == days_in_year),
        "M": (local.month, False), "Y": (local.year, False),
    }[field]


def _holds(rule: Rule, local: datetime) -> bool:
    for key, values in rule:
        field, _, modifier = key.partition("_")
        value, is_last = _field_value(field, local)
        if modifier == "a":
            ok = value >= values[0]
        elif modifier == "b":
            ok = value < values[-1]
        else:
            last = {"d": 7, "M": 12}.get(field)
            ok = value in values or (0 in values and (is_last or value == last))
        if not ok:
            return False
    return True


class _TextParser:
    """A recursive-descent port of later.js's ``parse.text`` (same tokens, longest match wins)."""

    def __init__(self, text: str):
        self.text, self.pos = text, 0
        self.rules: list[dict[str, list[int]]] = []
        self.exceptions: list[dict[str, list[int]]] = []
        self.target: list[dict[str, list[int]]] = self.rules
        self.current: dict[str, list[int]] | None = None
        self.end = 0

    def peek(self, *kinds: str) -> tuple[str, str] | None:
        start = len(self.text) - len(self.text[self.pos:].lstrip())
        best: tuple[str, str] | None = None
        for kind in kinds:
            if (m := _TOKENS[kind].match(self.text, start)) and (best is None or len(m[0]) > len(best[1])):
                best = (kind, m[0])
        if best:
            self.end = start + len(best[1])
        return best

    def accept(self, *kinds: str) -> tuple[str, str] | None:
        if token := self.peek(*kinds):
            self.pos = self.end
        return token

    def take(self, *kinds: str) -> tuple[str, str]:
        if token := self.accept(*kinds):
            return token
        rest = self.text[self.pos:].strip()
        word = rest.split()[0] if rest else ""
        if hint := _HINTS.get((kinds[0], word if kinds != ("year",) else "")):
            raise _Invalid(hint)
        wanted = "a clause (after, before, on, every, of, …)" if kinds == _CLAUSES else " or ".join(
            _PERIOD_NAMES.get(k, k) for k in kinds)
        raise _Invalid(f"expected {wanted} at {rest!r}" if rest else f"expected {wanted} at the end")

    def number(self, kind: str) -> int:
        text = self.take(kind)[1]
        if kind == "time":
            hours, minutes = int(text[:text.index(":")]), int(text[text.index(":") + 1:][:2])
            if text.endswith("m"):
                hours = hours % 12 + (12 if text.endswith("pm") else 0)
            return hours * 3600 + minutes * 60
        if kind in ("day name", "month name"):
            names = _WEEKDAYS if kind == "day name" else _MONTHS
            return names.index(text[:3]) + 1 if text[:3] in names else -1  # later: sun=1, jan=1
        return int(text.rstrip("stndrh"))

    def ranges(self, kind: str) -> list[int]:
        values: list[int] = []
        while True:
            start = self.number(kind)
            end = self.number(kind) if self.accept("through") else start
            values.extend(range(start, end + 1))
            if not self.accept("and"):
                return values

    def add(self, key: str, values: Sequence[int]) -> None:
        if self.current is None:
            self.current = {}
            self.target.append(self.current)
        bucket = self.current.setdefault(key, [])
        bucket.extend(v for v in values if v not in bucket)

    def period(self, values: Sequence[int] = (), *, modifier: str = "", pick: str = "", step: int = 0) -> None:
        """Read a time period and constrain it to ``values``, its first/last value, or every
        ``step``-th value (optionally ``starting on the <rank> <period>`` / ``between a and b``)."""
        field = self.take(*_PERIODS)[0]
        lo, hi, last = _RANGES[field]
        if pick == "first":
            values = [lo]
        elif pick == "last":
            values = [hi if last is None else last]
        elif step:
            start, end = lo, hi
            if self.accept("starting"):
                start = self.number("rank")
                self.take(field)
            elif self.accept("between"):
                start = self.number("rank")
                if self.accept("and"):
                    end = self.number("rank")
            values = range(start, end + 1, step)
        self.add(field + modifier, list(values))

    def parse(self) -> tuple[list[dict[str, list[int]]], list[dict[str, list[int]]]]:
        while self.text[self.pos:].strip():
            clause = self.take(*_CLAUSES)[0]
            if clause == "every":
                if self.accept("weekend"):
                    self.add("d", [1, 7])
                elif self.accept("weekday"):
                    self.add("d", [2, 3, 4, 5, 6])
                else:
                    self.period(step=self.number("rank") or 1)
            elif clause in ("after", "before"):
                modifier = "_a" if clause == "after" else "_b"
                if self.peek("time"):
                    self.add("t" + modifier, [self.number("time")])
                else:
                    self.period([self.number("rank")], modifier=modifier)
            elif clause == "on the":
                if which := self.accept("first", "last"):
                    self.period(pick=which[0])
                else:
                    self.period(self.ranges("rank"))
            elif clause in ("on", "of", "in"):
                kind, field = {"on": ("day name", "d"), "of": ("month name", "M"), "in": ("year", "Y")}[clause]
                self.add(field, self.ranges(kind))
            elif clause == "at":
                self.add("t", [self.number("time")])
                while self.accept("and"):
                    self.add("t", [self.number("time")])
            elif clause == "also":
                self.current = {}
                self.target.append(self.current)
            elif clause == "except":
                self.target, self.current = self.exceptions, None
        return self.rules, self.exceptions


_PERIOD_NAMES = {"s": "seconds", "m": "minutes", "h": "hour", "D": "day of the month", "d": "day of the week",
                 "dc": "day instance", "dy": "day of the year", "wy": "week", "wm": "week of the month",
                 "M": "month", "Y": "year", "rank": "a number"}


_HINTS = {
    ("every", "between"): "'between' is not later.js syntax; write 'after 9am and before 5pm'",
    ("year", ""): "'in' takes a year (2025); write months as 'of january'",
    ("rank", "day"): "'every day' is not later.js syntax; leave it out (no day constraint means every day)",
}


def _freeze(rule: dict[str, list[int]]) -> Rule:
    return tuple((key, tuple(values)) for key, values in rule.items())


def _parse_text(text: str) -> TextEntry:
    massaged = " ".join(text.lower().split())
    for pattern, replacement in _MIGRATIONS:
        massaged = re.sub(pattern, replacement, massaged)
    if massaged.endswith("days"):
        massaged = massaged.replace("days", "day", 1)
    massaged = re.sub(r"(?<= )(\d?\d)(am|pm)\b", r"\1:00\2", massaged)  # Renovate's fixShortHours
    rules, exceptions = _TextParser(massaged).parse()
    if any("m" in rule for rule in rules):
        raise _Invalid("it should not specify minutes")
    if any("s" in rule for rule in rules):
        raise _Invalid("it should not specify seconds")
    if not any(k in rule for rule in rules for k in ("M", "d", "D", "t_a", "t_b")):
        raise _Invalid("it has no months, days of week or time of day")
    split: list[dict[str, list[int]]] = []
    for rule in rules:  # Renovate's migration: "after 10pm and before 5am" -> two entries
        if "t_a" in rule and "t_b" in rule and rule["t_a"][0] > rule["t_b"][-1]:
            split += [{k: v for k, v in rule.items() if k != "t_b"}, {k: v for k, v in rule.items() if k != "t_a"}]
        else:
            split.append(rule)
    return TextEntry(text, tuple(map(_freeze, split)), tuple(map(_freeze, exceptions)))


# ----------------------------------------------------------------------------- public API

Entry = CronEntry | TextEntry


@dataclass(frozen=True, slots=True)
class Schedule:
    """Parsed schedule entries; no entries means always due."""

    entries: tuple[Entry, ...] = ()

    @property
    def always(self) -> bool:
        return not self.entries

    def matches(self, local: datetime) -> bool:
        """Whether the wall-clock time ``local`` (already in the schedule's zone) is in schedule."""
        return self.always or any(entry.matches(local) for entry in self.entries)


def _parse_entry(text: str) -> Entry:
    parts = text.split()
    if parts and parts[0].startswith("@"):
        raise _Invalid("cron nicknames fix the minute; use e.g. '* 0-3 * * *'")
    if (5 <= len(parts) <= 7 and re.fullmatch(r"[\d*?/,-]+", parts[0])) or (
        len(parts) >= 2 and all(_CRON_CHARS.fullmatch(p) for p in parts)
    ):
        return _parse_cron(text.strip())
    return _parse_text(text)


def parse_schedule(entries: Sequence[str] | str, *, key: str = "schedule") -> Schedule:
    """Parse entries; raise :class:`ScheduleError` naming the first bad one (``schedule[1]: …``)."""
    if isinstance(entries, str):
        entries = [entries]
    parsed: list[Entry] = []
    always = not entries
    for index, text in enumerate(entries):
        if not isinstance(text, str):
            raise ScheduleError(f"{key}[{index}]: {text!r} is not a string", index=index)
        if text.strip().lower() in ("", "at any time"):
            always = True
            continue
        try:
            parsed.append(_parse_entry(text))
        except _Invalid as exc:
            raise ScheduleError(f"{key}[{index}]: {text!r} is not a valid schedule: {exc}",
                                entry=text, index=index) from None
    return Schedule() if always else Schedule(tuple(parsed))


def validate_schedule(entries: Sequence[str] | str) -> list[str]:
    """Every problem, each as ``[index]: 'entry' is not a valid schedule: why`` (empty if valid)."""
    problems = []
    for index, text in enumerate([entries] if isinstance(entries, str) else entries):
        try:
            parse_schedule([text])
        except ScheduleError as exc:
            problems.append(f"[{index}]" + str(exc).removeprefix("schedule[0]"))
    return problems


def _zone(tz: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(tz or "UTC")
    except (ZoneInfoNotFoundError, ValueError, OSError):  # "Asia" is a directory in tzdata
        raise ScheduleError(f"timezone: {tz!r} is not an IANA time zone") from None


def _coerce(entries: Sequence[str] | str | Schedule) -> Schedule:
    return entries if isinstance(entries, Schedule) else parse_schedule(entries)


def is_due(schedule_entries: Sequence[str] | str | Schedule, tz: str | None, now: datetime) -> bool:
    """Whether the aware instant ``now`` falls in the schedule, read in time zone ``tz``."""
    if now.tzinfo is None:
        raise ValueError("is_due needs an aware datetime")
    schedule, zone = _coerce(schedule_entries), _zone(tz)
    return schedule.matches(now.astimezone(zone))


def next_due(schedule_entries: Sequence[str] | str | Schedule, tz: str | None, now: datetime,
             *, horizon_days: int = 731) -> datetime | None:
    """The first instant at or after ``now`` (in ``tz``) when the schedule is due, or None if
    not within ``horizon_days``.  Constraints only change on the hour or at a text time, so
    only those wall-clock instants are tried."""
    if now.tzinfo is None:
        raise ValueError("next_due needs an aware datetime")
    schedule, zone = _coerce(schedule_entries), _zone(tz)
    local = now.astimezone(zone)
    if schedule.matches(local):
        return local
    seconds = {h * 3600 for h in range(24)}
    for entry in schedule.entries:
        if isinstance(entry, TextEntry):
            seconds.update(v for rule in entry.rules for key, vs in rule if key[0] == "t" for v in vs)
    for offset in range(horizon_days + 1):
        day = local.date() + timedelta(days=offset)
        for second in sorted(seconds):
            wall = datetime.combine(day, time(second // 3600, second // 60 % 60, second % 60), tzinfo=zone)
            for candidate in (wall, wall.replace(fold=1)):
                real = candidate.astimezone(UTC).astimezone(zone)
                if real > local and real.replace(tzinfo=None) == wall.replace(tzinfo=None) and schedule.matches(real):
                    return real
    return None
