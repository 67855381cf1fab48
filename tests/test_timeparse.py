"""Reading the times a scribe types, with a frozen 'now'."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from incident_tui.domain.errors import IncidentError
from incident_tui.domain.timeparse import (
    format_duration,
    iso_z,
    parse_date,
    parse_duration,
    parse_past_time,
    parse_time,
    split_leading_time,
)

NOW = datetime(2026, 11, 24, 14, 40, 0, tzinfo=UTC)


def test_clock_time_today_when_earlier_than_now() -> None:
    assert parse_time("14:32", now=NOW) == datetime(2026, 11, 24, 14, 32, tzinfo=UTC)
    assert parse_time("14:32:10", now=NOW) == datetime(2026, 11, 24, 14, 32, 10, tzinfo=UTC)
    assert parse_time("9:05", now=NOW) == datetime(2026, 11, 24, 9, 5, tzinfo=UTC)


def test_clock_time_later_than_now_means_yesterday_across_midnight() -> None:
    just_after_midnight = datetime(2026, 11, 25, 0, 30, tzinfo=UTC)
    assert parse_time("23:50", now=just_after_midnight) == datetime(
        2026, 11, 24, 23, 50, tzinfo=UTC
    )
    assert parse_time("14:41", now=NOW) == datetime(2026, 11, 23, 14, 41, tzinfo=UTC)


def test_clock_time_is_read_in_the_display_time_zone() -> None:
    berlin = ZoneInfo("Europe/Berlin")  # UTC+1 in November
    assert parse_time("15:32", now=NOW, tz=berlin) == datetime(2026, 11, 24, 14, 32, tzinfo=UTC)


def test_relative_times_count_back_from_now() -> None:
    assert parse_time("-5m", now=NOW) == NOW - timedelta(minutes=5)
    assert parse_time("-1h30m", now=NOW) == NOW - timedelta(hours=1, minutes=30)
    assert parse_time("-2d", now=NOW) == NOW - timedelta(days=2)


def test_iso_8601_with_and_without_offset() -> None:
    assert parse_time("2026-11-23T22:40:00Z", now=NOW) == datetime(2026, 11, 23, 22, 40, tzinfo=UTC)
    assert parse_time("2026-11-23T23:40:00+01:00", now=NOW) == datetime(
        2026, 11, 23, 22, 40, tzinfo=UTC
    )
    naive = parse_time("2026-11-23 22:40", now=NOW, tz=ZoneInfo("America/New_York"))
    assert naive == datetime(2026, 11, 24, 3, 40, tzinfo=UTC)


@pytest.mark.parametrize(
    "bad", ["25:99", "24:00", "12:60", "tomorrowish", "-5x", "5m", "", "1:2:3:4"]
)
def test_bad_times_are_clear_errors(bad: str) -> None:
    with pytest.raises(IncidentError) as error:
        parse_time(bad, now=NOW)
    assert "\n" not in str(error.value)


def test_future_instants_are_refused_for_things_that_happened() -> None:
    with pytest.raises(IncidentError, match="future"):
        parse_past_time("2026-11-24T15:00:00Z", now=NOW)


def test_leading_time_backdates_an_entry_line() -> None:
    at, rest = split_leading_time("14:32 alert fired", now=NOW)
    assert at == datetime(2026, 11, 24, 14, 32, tzinfo=UTC) and rest == "alert fired"
    at, rest = split_leading_time("-5m   checked deploys", now=NOW)
    assert at == NOW - timedelta(minutes=5) and rest == "checked deploys"


def test_line_without_a_leading_time_is_left_alone() -> None:
    assert split_leading_time("checked recent deploys", now=NOW) == (None, "checked recent deploys")
    # A time alone is text, not an empty backdated entry.
    assert split_leading_time("14:32", now=NOW) == (None, "14:32")


def test_mistyped_leading_time_is_an_error_not_a_note() -> None:
    with pytest.raises(IncidentError):
        split_leading_time("25:99 alert fired", now=NOW)


def test_durations() -> None:
    assert parse_duration("10m") == timedelta(minutes=10)
    assert parse_duration("1h30m") == timedelta(hours=1, minutes=30)
    assert parse_duration("90s") == timedelta(seconds=90)
    for bad in ("", "10", "m", "0m", "1x"):
        with pytest.raises(IncidentError):
            parse_duration(bad)


def test_due_dates() -> None:
    today = date(2026, 11, 24)
    assert parse_date("+7d", today=today) == date(2026, 12, 1)
    assert parse_date("2026-12-24", today=today) == date(2026, 12, 24)
    assert parse_date("tomorrow", today=today) == date(2026, 11, 25)
    with pytest.raises(IncidentError):
        parse_date("next week", today=today)


def test_durations_read_as_people_say_them() -> None:
    assert format_duration(timedelta(hours=16, minutes=30)) == "16 h 30 min"
    assert format_duration(timedelta(minutes=4, seconds=5)) == "4 min 05 s"
    assert format_duration(timedelta(days=2, hours=3)) == "2 d 3 h"
    assert format_duration(timedelta(seconds=42)) == "42 s"


def test_iso_z_is_utc_with_a_z() -> None:
    berlin = datetime(2026, 11, 24, 15, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert iso_z(berlin) == "2026-11-24T14:00:00Z"
    assert iso_z(None) is None
