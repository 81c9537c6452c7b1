"""bot.schedule: Renovate's schedule.spec.ts ported as tables, every schedule:* preset, DST, time zones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.schedule import (
    Schedule,
    ScheduleError,
    is_due,
    next_due,
    parse_schedule,
    validate_schedule,
)


def at(text: str) -> datetime:
    """An ISO instant; no offset means UTC (Renovate's tests run with TZ=UTC)."""
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


SPEC_NOW = "2017-06-30T10:50:00"  # Renovate's default fake time: Friday 30 June 2017, 10:50

# schedule.spec.ts `isScheduledNow`, one row per expectation: entries, timezone, now, expected.
IS_SCHEDULED_NOW = [
    ([], None, SPEC_NOW, True),
    (["at any time"], None, SPEC_NOW, True),
    ("at any time", None, SPEC_NOW, True),
    (["before 4:00pm"], None, SPEC_NOW, True),
    (["before 4:00am"], None, SPEC_NOW, False),
    ("before 4:00am", None, SPEC_NOW, False),
    (["after 4:00pm"], None, SPEC_NOW, False),
    (["* 10 * * *"], None, SPEC_NOW, True),
    (["* 11 * * *"], None, SPEC_NOW, False),
    (["* * 30 * *"], None, SPEC_NOW, True),
    (["* * 1 * *"], None, SPEC_NOW, False),
    (["* * * 6 *"], None, SPEC_NOW, True),
    (["* * * 7 *"], None, SPEC_NOW, False),
    (["* * * * 5"], None, SPEC_NOW, True),
    (["* * * * 6"], None, SPEC_NOW, False),
    # matches cron schedules in the last minute of an hour
    (["* 3-7 * * *"], None, "2026-06-30T02:59:01", False),
    (["* 3-7 * * *"], None, "2026-06-30T07:59:00", True),
    (["* 3-7 * * *"], None, "2026-06-30T07:59:01", True),
    (["* 3-7 * * *"], None, "2026-06-30T07:59:59", True),
    (["* 3-7 * * *"], None, "2026-06-30T07:59:59.999", True),
    (["* 3-7 * * *"], None, "2026-06-30T08:00:00", False),
    # cron on Sundays (Sunday 8 January 2023)
    (["* * * * *"], None, "2023-01-08T10:50:00", True),
    (["* * * * 0"], None, "2023-01-08T10:50:00", True),
    (["* * * * 1"], None, "2023-01-08T10:50:00", False),
    # L and # (Thursday 31 October 2024 is the last Thursday; Monday 7 October the first Monday)
    (["* * * * 4L"], None, "2024-10-31T10:50:00", True),
    (["* * * * 5L"], None, "2024-10-31T10:50:00", False),
    (["* * * * 1#1"], None, "2024-10-07T10:50:00", True),
    (["* * * * 1#2"], None, "2024-10-07T10:50:00", False),
    # day of month AND day of week
    (["* 0-5 1-7,15-22 * 4"], None, "2017-06-01T01:00:00", True),
    (["* 0-5 1-7,15-22 * 4"], None, "2017-06-15T01:01:00", True),
    (["* 0-5 1-7,15-22 * 4"], None, "2017-06-16T03:00:00", False),
    (["* 0-5 1-7,15-22 * 4"], None, "2017-06-04T04:01:00", False),
    (["* 0-5 1-7,15-22 * 4"], None, "2017-06-08T04:01:00", False),
    (["* 0-5 1-7,15-22 * 4"], None, "2017-06-29T04:01:00", False),
    # time zones
    (["after 4pm"], "Asia/Singapore", "2017-06-30T15:59:00+08:00", False),
    (["after 4pm"], "Asia/Singapore", "2017-06-30T16:01:00+08:00", True),
    (["before 4am on Monday"], "Asia/Tokyo", "2017-06-26T03:59:00+09:00", True),
    (["before 4am on Monday"], "Asia/Tokyo", "2017-06-26T04:01:00+09:00", False),
    (["* 16-23 * * *"], "Asia/Singapore", "2017-06-30T15:59:00+08:00", False),
    (["* 16-23 * * *"], "Asia/Singapore", "2017-06-30T16:01:00+08:00", True),
    (["* 0-3 * * 1"], "Asia/Tokyo", "2017-06-26T03:58:00+09:00", True),
    (["* 0-3 * * 1"], "Asia/Tokyo", "2017-06-26T04:01:00+09:00", False),
    (["* 10 21 * *"], None, SPEC_NOW, False),
    (["* 10 30 1 *"], None, SPEC_NOW, False),
    (["* * * 1 *"], None, SPEC_NOW, False),
    (["after 4:00pm", "before 11:00am"], None, SPEC_NOW, True),
    (["on friday and saturday"], None, SPEC_NOW, True),
    (["on monday and tuesday"], None, SPEC_NOW, False),
    (["every weekday"], None, SPEC_NOW, True),
    (["every weekend"], None, SPEC_NOW, False),
    (["before 11:00am every weekday"], None, SPEC_NOW, True),
    (["before 11am on the first day of the month"], None, SPEC_NOW, False),
    (["before 11am on the first day of the month"], None, "2017-10-01T05:26:06", True),
    (["every 2 weeks of the year before 08:00 on Monday"], None, "2017-01-02T06:00:00", True),
    (["every 2 weeks of the year before 08:00 on Monday"], None, "2017-01-09T06:00:00", False),
    (["of January"], None, "2017-01-02T06:00:00", True),
    (["of January"], None, "2017-02-02T06:00:00", False),
    (["every 3 months"], None, "2017-07-01T06:00:00", True),
    (["every 6 months"], None, "2017-02-01T06:00:00", False),
    (["every 3 months on the first day of the month"], None, "2017-07-01T06:00:00", True),
    (["every 3 months on the first day of the month"], None, "2017-02-01T06:00:00", False),
    (["on Monday on the first day instance"], None, "2017-02-01T06:00:00", False),
    (["on Monday on the first day instance"], None, "2017-02-06T06:00:00", True),
    (["on Monday on the first day instance"], None, "2017-02-13T06:00:00", False),
    # the intended form of the spec's "* * * L *" (see INVALID below): last day of the month
    (["* * L * *"], None, "2024-10-31T10:50:00", True),
    (["* * L * *"], None, "2024-10-30T10:50:00", False),
]


@pytest.mark.parametrize(("entries", "tz", "now", "expected"), IS_SCHEDULED_NOW)
def test_is_scheduled_now(entries: list[str] | str, tz: str | None, now: str, expected: bool) -> None:
    assert is_due(entries, tz, at(now)) is expected


# schedule.spec.ts `hasValidSchedule` cases that Renovate accepts (plus a few more later forms).
VALID = [
    "after 5:00pm on wednesday and thursday", "after 8:00pm", "on the first day of the month",
    "every 3 months", "every 6 months", "every 12 months", "before 6:00am",
    "after 11:00pm and before 6:00am", "after 11:00pm and before 6:00am every weekday",
    "* 5 * * *", "* * * * * 6L", "* * * */2 6#1", "before 5am on the first day of the month",
    "every month", "monthly", "after 11pm and before 6am every weekend", "after 11pm",
    "after 10pm and before 5:00am", "after 10pm and before 5am every weekday",
    "after 11pm and before 6am", "after 9pm on friday and saturday", "before 5am every weekday",
    "every weekend", "on friday and saturday", "before 5am on monday", "on monday and tuesday",
    "before 4am on the first day of the month", "on sunday after 9pm", "after 10pm every weekday",
    "before 6am on Monday", "every 2 weeks on monday", "on the 1st through 7th day of the month",
    "on friday on the last day instance", "on mon-fri", "of january through march", "in 2030 on monday",
    "every 2 hours on monday", "on monday also after 10pm", "before 5am except on monday",
    "every 3 months starting on the 2nd month", "after 5:30 pm", "BEFORE 5AM ON MONDAY",
    "* 22-23,0-4 * * 1-5", "* * 1 JAN-mar SUN", "* * 15W * *", "* * 31W * *", "* * * * FRI#L", "*/1 * * * *",
    "* * * * * * 2030", "* * * * +1",
]


@pytest.mark.parametrize("entry", VALID)
def test_valid(entry: str) -> None:
    assert validate_schedule([entry]) == []
    assert isinstance(parse_schedule([entry]), Schedule)


# Entries Renovate rejects (its isScheduledNow then treats the schedule as always due; upkeep
# raises instead).  The fragment must appear in the message.
INVALID = [
    (["foo"], 0, "expected a clause"),
    (["after 5:00pm", "foo"], 1, "'foo'"),
    (["every 15 mins every weekday"], 0, "minutes"),
    (["every 15 minutes"], 0, "minutes"),
    (["every 30 seconds on monday"], 0, "seconds"),
    (["1 * * * *"], 0, "* as minutes"),
    (["0-59 * * * *"], 0, "* as minutes"),
    (["2 3 5 11 *"], 0, "* as minutes"),
    (["2 3 5 11"], 0, "5 fields"),
    (["at 5:00pm"], 0, "no months, days of week or time of day"),
    (["at 5:00pm", "on saturday"], 0, "no months"),
    (["every 2 weeks of the year"], 0, "no months"),
    (["on the last day instance"], 0, "no months"),  # Renovate does not count day instances
    (["in 2030"], 0, "no months"),
    (["every fortnight"], 0, "expected a number at 'fortnight'"),
    (["before 11:00am on inevery weekday"], 0, "expected day name at 'inevery weekday'"),
    (["* * * L *"], 0, "'L' is not a valid month"),  # in the spec, passes there only as invalid
    (["between 9am and 5pm"], 0, "'after 9am and before 5pm'"),
    (["in january"], 0, "of january"),
    (["every day after 10pm"], 0, "every day"),
    (["@daily"], 0, "nicknames"),
    (["* 24 * * *"], 0, "out of range for hour"),
    (["* 22-2 * * *"], 0, "out of range"),
    (["* * * * 5/2"], 0, "'5/2'"),
    (["* * * * 8"], 0, "day of week"),
    (["before 5 am"], 0, "expected"),
    (["on mondays and fridays"], 0, "day name"),
]


@pytest.mark.parametrize(("entries", "index", "fragment"), INVALID)
def test_invalid(entries: list[str], index: int, fragment: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(entries)
    message = str(caught.value)
    assert message.startswith(f"schedule[{index}]: {entries[index]!r} is not a valid schedule: ")
    assert fragment in message
    assert caught.value.index == index
    assert caught.value.entry == entries[index]
    with pytest.raises(ScheduleError):
        is_due(entries, None, at(SPEC_NOW))


def test_validate_lists_every_problem_for_the_config_checker() -> None:
    problems = validate_schedule(["after 10pm", "every fortnight", "at any time", "1 * * * *"])
    assert problems == [
        "[1]: 'every fortnight' is not a valid schedule: expected a number at 'fortnight'",
        "[3]: '1 * * * *' is not a valid schedule: cron syntax must have * as minutes (Renovate has no minute granularity)",
    ]
    assert validate_schedule("every weekend") == []
    with pytest.raises(ScheduleError, match=r"^automergeSchedule\[0\]"):
        parse_schedule(["nope"], key="automergeSchedule")


@pytest.mark.parametrize("entries", [[], [""], ["at any time"], ["At Any Time"], ["after 10pm", "at any time"]])
def test_always(entries: list[str]) -> None:
    assert parse_schedule(entries).always
    assert is_due(entries, None, at("2017-06-30T10:50:00"))


# Every schedule:* preset (lib/config/presets/internal/schedule.preset.ts): due / not due.
PRESETS = {
    "daily": ["* 0-3 * * *"],
    "earlyMondays": ["* 0-3 * * 1"],
    "monthly": ["* 0-3 1 * *"],
    "nonOfficeHours": ["* 0-4,22-23 * * 1-5", "* * * * 0,6"],
    "officeHours": ["* 8-17 * * 1-5"],
    "quarterly": ["* * 1 */3 *"],
    "weekdays": ["* * * * 1-5"],
    "weekends": ["* * * * 0,6"],
    "yearly": ["* * 1 */12 *"],
}
PRESET_CASES = [
    ("daily", "2024-05-15T03:59:00", True), ("daily", "2024-05-15T04:00:00", False),
    ("earlyMondays", "2024-05-13T00:00:00", True), ("earlyMondays", "2024-05-14T01:00:00", False),
    ("earlyMondays", "2024-05-13T04:00:00", False),
    ("monthly", "2024-05-01T03:30:00", True), ("monthly", "2024-05-02T03:30:00", False),
    ("monthly", "2024-05-01T04:00:00", False),
    ("nonOfficeHours", "2024-05-15T23:00:00", True), ("nonOfficeHours", "2024-05-15T04:59:00", True),
    ("nonOfficeHours", "2024-05-15T05:00:00", False), ("nonOfficeHours", "2024-05-15T21:59:00", False),
    ("nonOfficeHours", "2024-05-18T12:00:00", True), ("nonOfficeHours", "2024-05-19T12:00:00", True),
    ("officeHours", "2024-05-15T08:00:00", True), ("officeHours", "2024-05-15T17:59:00", True),
    ("officeHours", "2024-05-15T18:00:00", False), ("officeHours", "2024-05-18T10:00:00", False),
    ("quarterly", "2024-01-01T12:00:00", True), ("quarterly", "2024-04-01T12:00:00", True),
    ("quarterly", "2024-07-01T00:00:00", True), ("quarterly", "2024-10-01T23:59:00", True),
    ("quarterly", "2024-02-01T12:00:00", False), ("quarterly", "2024-04-02T12:00:00", False),
    ("weekdays", "2024-05-17T12:00:00", True), ("weekdays", "2024-05-18T12:00:00", False),
    ("weekends", "2024-05-18T12:00:00", True), ("weekends", "2024-05-19T12:00:00", True),
    ("weekends", "2024-05-20T12:00:00", False),
    ("yearly", "2024-01-01T12:00:00", True), ("yearly", "2024-02-01T12:00:00", False),
    ("yearly", "2024-01-02T12:00:00", False),
]


def test_preset_cases_cover_every_preset() -> None:
    assert {name for name, _, _ in PRESET_CASES} == set(PRESETS)


@pytest.mark.parametrize(("preset", "now", "expected"), PRESET_CASES)
def test_presets(preset: str, now: str, expected: bool) -> None:
    assert validate_schedule(PRESETS[preset]) == []
    assert is_due(PRESETS[preset], None, at(now)) is expected


# Renovate's docs table (scheduling.md / configuration-options.md): later text == its cron.
EQUIVALENT = [
    ("every weekend", "* * * * 0,6"),
    ("before 5:00am", "* 0-4 * * *"),
    ("after 10pm and before 5am every weekday", "* 22-23,0-4 * * 1-5"),
    ("on friday and saturday", "* * * * 5,6"),
    ("every 3 months on the first day of the month", "* * 1 */3 *"),
    ("on sunday after 9pm", "* 21-23 * * 0"),
    ("before 5am on the first day of the month", "* 0-4 1 * *"),
    ("on the 1st through 7th day of the month", "* * 1-7 * *"),
    ("every weekday", "* * * * 1-5"),
    ("of january and july", "* * * 1,7 *"),
    ("on the last day of the month", "* * 1 * *"),  # Renovate's migration: last -> first (sic)
    ("every friday", "* * * * 5"),  # Renovate's migration: every friday -> on friday
    ("on Monday on the first day instance", "* * * * 1#1"),
    ("on friday on the last day instance", "* * * * 5L"),
]


@pytest.mark.parametrize(("text", "cron"), EQUIVALENT)
def test_text_equals_cron(text: str, cron: str) -> None:
    start = at("2023-12-25T00:30:00")
    for hours in range(0, 24 * 400, 7):  # every 7 hours over 400 days hits every hour and weekday
        now = start + timedelta(hours=hours)
        assert is_due([text], None, now) == is_due([cron], None, now), now


def test_time_of_day_has_minute_precision() -> None:
    assert not is_due(["after 5:30pm"], None, at("2024-05-15T17:29:59"))
    assert is_due(["after 5:30pm"], None, at("2024-05-15T17:30:00"))
    assert is_due(["before 12:00pm"], None, at("2024-05-15T11:59:59"))
    assert not is_due(["before 12:00pm"], None, at("2024-05-15T12:00:00"))
    assert is_due(["after 12am and before 1am"], None, at("2024-05-15T00:59:00"))


def test_also_and_except() -> None:
    entry = ["on monday also on tuesday after 5pm"]
    assert is_due(entry, None, at("2024-05-13T09:00:00"))
    assert not is_due(entry, None, at("2024-05-14T09:00:00"))
    assert is_due(entry, None, at("2024-05-14T18:00:00"))
    assert not is_due(["before 5am except on monday"], None, at("2024-05-13T04:00:00"))
    assert is_due(["before 5am except on monday"], None, at("2024-05-14T04:00:00"))


def test_every_n_is_absolute_not_relative() -> None:
    # later.js counts from the period's first value: months 1, 4, 7, 10; odd ISO weeks
    assert [m for m in range(1, 13) if is_due(["every 3 months"], None, at(f"2025-{m:02d}-15T12:00:00"))] == [1, 4, 7, 10]
    assert [m for m in range(1, 13) if is_due(["every 5 months"], None, at(f"2025-{m:02d}-15T12:00:00"))] == [1, 6, 11]
    mondays = [at("2025-01-06T12:00:00") + timedelta(weeks=w) for w in range(6)]  # ISO weeks 2..7
    assert [is_due(["every 2 weeks on monday"], None, d) for d in mondays] == [False, True, False, True, False, True]


# Europe/Berlin: 2024-03-31 02:00 CET -> 03:00 CEST; 2024-10-27 03:00 CEST -> 02:00 CET.
DST = [
    (["before 5am"], "2024-03-31T00:59:00+00:00", True),  # 01:59 CET
    (["before 5am"], "2024-03-31T01:00:00+00:00", True),  # 03:00 CEST
    (["before 5am"], "2024-03-31T02:59:00+00:00", True),  # 04:59 CEST
    (["before 5am"], "2024-03-31T03:00:00+00:00", False),  # 05:00 CEST: 4 wall hours, not 5
    (["* 2 * * *"], "2024-03-31T00:59:00+00:00", False),  # 01:59; 02:xx does not exist that day
    (["* 2 * * *"], "2024-03-31T01:00:00+00:00", False),  # 03:00 (croner would fire this minute)
    (["before 5am on the first day of the month"], "2024-03-31T01:30:00+00:00", False),
    (["before 5am"], "2024-10-27T03:59:00+00:00", True),  # 04:59 CET
    (["before 5am"], "2024-10-27T04:00:00+00:00", False),  # 05:00 CET: 6 wall hours that night
    (["* 2 * * *"], "2024-10-27T00:30:00+00:00", True),  # first 02:30 (CEST)
    (["* 2 * * *"], "2024-10-27T01:30:00+00:00", True),  # second 02:30 (CET)
    (["* 2 * * *"], "2024-10-27T02:00:00+00:00", False),  # 03:00 CET
    (["after 10pm and before 5am"], "2024-10-26T20:00:00+00:00", True),  # 22:00 CEST
]


@pytest.mark.parametrize(("entries", "now", "expected"), DST)
def test_dst_is_wall_clock(entries: list[str], now: str, expected: bool) -> None:
    assert is_due(entries, "Europe/Berlin", at(now)) is expected


def test_same_instant_different_zones() -> None:
    instant = at("2024-05-13T02:00:00+00:00")  # Monday 02:00 UTC
    assert is_due(["before 4am on monday"], None, instant)
    assert is_due(["before 4am on monday"], "UTC", instant)
    assert not is_due(["before 4am on monday"], "America/New_York", instant)  # Sunday 22:00
    assert not is_due(["before 4am on monday"], "Asia/Tokyo", instant)  # Monday 11:00
    assert is_due(["on sunday after 9pm"], "America/New_York", instant)
    assert is_due(["* 11 * * 1"], "Asia/Tokyo", instant)
    assert is_due(["* 11 * * 1"], "Asia/Tokyo", instant.astimezone(timezone(timedelta(hours=-7))))


@pytest.mark.parametrize("tz", ["Asia", "Not/AZone", "../etc/passwd", ""])
def test_invalid_timezone(tz: str) -> None:
    if tz == "":
        assert is_due(["* * * * *"], tz, at(SPEC_NOW))  # empty means unset, as in Renovate
        return
    with pytest.raises(ScheduleError, match="is not an IANA time zone"):
        is_due(["after 4:00pm"], tz, at(SPEC_NOW))


def test_naive_now_is_a_bug() -> None:
    with pytest.raises(ValueError, match="aware"):
        is_due(["every weekend"], None, datetime(2024, 5, 13))


def test_parsed_schedule_is_reusable() -> None:
    schedule = parse_schedule(["after 10pm every weekday", "every weekend"])
    assert is_due(schedule, "Europe/Berlin", at("2024-05-13T21:00:00+00:00"))
    assert not is_due(schedule, "Europe/Berlin", at("2024-05-13T19:00:00+00:00"))


NEXT_DUE = [
    (["* 0-3 * * 1"], "Europe/Berlin", "2017-06-30T10:50:00", "2017-07-03T00:00:00+02:00"),
    (["after 10pm and before 5am every weekday"], None, SPEC_NOW, "2017-06-30T22:00:00+00:00"),
    (["after 10pm and before 5am every weekday"], None, "2017-06-30T23:10:00", "2017-06-30T23:10:00+00:00"),
    (["of january"], None, SPEC_NOW, "2018-01-01T00:00:00+00:00"),
    (["after 5:30pm"], None, SPEC_NOW, "2017-06-30T17:30:00+00:00"),
    (["* * 1 */3 *"], None, SPEC_NOW, "2017-07-01T00:00:00+00:00"),
    (["after 2:30am"], "Europe/Berlin", "2024-03-31T00:30:00+00:00", "2024-03-31T03:00:00+02:00"),
    (["in 2016 on monday"], None, SPEC_NOW, None),
    (["at any time"], None, SPEC_NOW, SPEC_NOW + "+00:00"),
]


@pytest.mark.parametrize(("entries", "tz", "now", "expected"), NEXT_DUE)
def test_next_due(entries: list[str], tz: str | None, now: str, expected: str | None) -> None:
    due = next_due(entries, tz, at(now))
    assert due == (None if expected is None else at(expected))
    if due is not None:
        assert is_due(entries, tz, due)
        assert due.utcoffset() == at(expected or "").utcoffset()


def test_nearest_weekday() -> None:
    # 15 June 2024 is a Saturday -> Friday 14th; 1 June 2024 is a Saturday -> Monday 3rd
    assert is_due(["* * 15W * *"], None, at("2024-06-14T12:00:00"))
    assert not is_due(["* * 15W * *"], None, at("2024-06-15T12:00:00"))
    assert is_due(["* * 1W * *"], None, at("2024-06-03T12:00:00"))
    assert not is_due(["* * 31W * *"], None, at("2024-02-29T12:00:00"))  # no 31st: never (croner)
    assert is_due(["* * 31W * *"], None, at("2024-08-30T12:00:00"))  # Saturday 31st -> Friday
