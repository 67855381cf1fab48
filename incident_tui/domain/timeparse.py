"""Reading the times people type: `14:32`, `14:32:10`, `-5m`, `-1h30m`, ISO 8601; due dates.

Pure functions of the text, `now` and the display time zone; results are UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import overload

from incident_tui.domain.errors import IncidentError
from incident_tui.domain.instants import event_instant

_DURATION_RE = re.compile(r"^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_CLOCK_RE = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_RELATIVE_RE = re.compile(r"^-(\d+[wdhms])+$")
# A first word that is meant as a time, valid or not: "14:32", "25:99", "-5m", "-5x", or
# an ISO instant pasted from a log ("2026-11-24T08:55:03Z").
_LEADING_TIME_RE = re.compile(
    r"^(?:\d{1,2}:\d{1,2}(?::\d{1,2})?|-\d+[a-z0-9]*|\d{4}-\d{2}-\d{2}T\S+)$", re.IGNORECASE
)


def parse_duration(text: str) -> timedelta:
    """`90s`, `10m`, `1h30m`, `2d`, `1w`: a positive length of time."""
    raw = text.strip().lower()
    match = _DURATION_RE.match(raw)
    if not raw or not match or not any(match.groups()):
        raise IncidentError(f"{text.strip()!r} is not a duration (e.g. 10m, 1h30m, 2d)")
    weeks, days, hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    try:
        delta = timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)
    except OverflowError:
        raise IncidentError(f"{text.strip()!r} is too long a duration") from None
    if delta <= timedelta(0):
        raise IncidentError(f"{text.strip()!r} is not a positive duration")
    return delta


def format_duration(delta: timedelta) -> str:
    """`16 h 30 min`, `4 min 05 s`, `2 d 3 h`: a length of time for people."""
    total = int(abs(delta.total_seconds()))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    sign = "-" if delta.total_seconds() < 0 else ""
    if days:
        return f"{sign}{days} d {hours} h" if hours else f"{sign}{days} d"
    if hours:
        return f"{sign}{hours} h {minutes} min" if minutes else f"{sign}{hours} h"
    if minutes:
        return f"{sign}{minutes} min {seconds:02d} s" if seconds else f"{sign}{minutes} min"
    return f"{sign}{seconds} s"


def clock_time(when: datetime, tz: tzinfo) -> str:
    """`09:02Z`, `10:02 CET`: a time of day for people, in their zone."""
    local = when.astimezone(tz)
    offset = local.utcoffset()
    return local.strftime("%H:%M") + (
        "Z" if offset is not None and not offset else local.strftime(" %Z")
    )


def parse_time(text: str, *, now: datetime, tz: tzinfo = UTC) -> datetime:
    """The instant a person means by `text`, in UTC.

    `HH:MM` and `HH:MM:SS` are today in `tz`, or yesterday when that would be later than
    now (an incident that runs across midnight); `-5m`, `-1h30m` are relative to now;
    anything else must be ISO 8601 (a naive one is read in `tz`).
    """
    try:
        return _parse_time(text, now=now, tz=tz)
    except OverflowError:  # -99999999h, 0001-01-01 read in a zone west of UTC
        raise IncidentError(f"{text.strip()!r} is out of range (1970 to now)") from None


def _parse_time(text: str, *, now: datetime, tz: tzinfo) -> datetime:
    raw = text.strip()
    if not raw:
        raise IncidentError("empty time; use HH:MM, HH:MM:SS, -5m or ISO 8601")
    if raw.lower() == "now":
        return now
    clock = _CLOCK_RE.match(raw)
    if clock:
        hour, minute, second = (int(g) if g else 0 for g in clock.groups())
        if hour > 23 or minute > 59 or second > 59:
            raise IncidentError(f"{raw!r} is not a time of day (hours 0-23, minutes 0-59)")
        local_now = now.astimezone(tz)
        candidate = datetime.combine(local_now.date(), time(hour, minute, second), tzinfo=tz)
        if candidate > local_now:
            candidate = datetime.combine(
                local_now.date() - timedelta(days=1), time(hour, minute, second), tzinfo=tz
            )
        return candidate.astimezone(UTC)
    if _RELATIVE_RE.match(raw.lower()):
        return now - parse_duration(raw[1:])
    try:
        parsed = datetime.fromisoformat(raw.replace("z", "Z"))
    except ValueError:
        raise IncidentError(
            f"{raw!r} is not a time; use HH:MM, HH:MM:SS, -5m, -1h30m or ISO 8601"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(UTC)


def parse_past_time(text: str, *, now: datetime, tz: tzinfo = UTC) -> datetime:
    """`parse_time`, within the range of events (instants.event_instant): from 1970, not in
    the future (entries and milestones happened)."""
    return event_instant(parse_time(text, now=now, tz=tz), now=now, what=repr(text.strip()))


def split_leading_time(
    line: str, *, now: datetime, tz: tzinfo = UTC
) -> tuple[datetime | None, str]:
    """(`when`, `rest`) for an entry line that starts with a time, else (None, line).

    A first word that looks like a time but is not one (`25:99 …`) is an error, so the
    scribe's line stays where it is instead of being logged with the wrong time.
    """
    head, _, rest = line.strip().partition(" ")
    if not rest.strip() or not _LEADING_TIME_RE.match(head):
        return None, line.strip()
    return parse_past_time(head, now=now, tz=tz), rest.strip()


def parse_date(text: str, *, today: date) -> date:
    """A date: `2026-12-01`, `+7d`, `+2w`, `-30d`, `today`, `tomorrow` (or an ISO instant).

    Only the form is checked here; what range a date may have is the caller's
    (instants.calendar_day)."""
    try:
        return _parse_date(text, today=today)
    except OverflowError:  # +99999999d
        raise IncidentError(f"{text.strip()!r} is out of range") from None


def _parse_date(text: str, *, today: date) -> date:
    raw = text.strip().lower()
    if raw == "today":
        return today
    if raw == "tomorrow":
        return today + timedelta(days=1)
    if raw.startswith("+"):
        delta = parse_duration(raw[1:])
        return today + timedelta(days=max(1, delta.days))
    if raw.startswith("-"):  # `-30d`: a period's start, counted back
        delta = parse_duration(raw[1:])
        return today - timedelta(days=max(1, delta.days))
    try:
        return date.fromisoformat(raw)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(raw.replace("z", "+00:00")).date()
    except ValueError:
        raise IncidentError(
            f"{text.strip()!r} is not a date; use YYYY-MM-DD, +7d, today or tomorrow"
        ) from None


@overload
def iso_z(at: datetime) -> str: ...
@overload
def iso_z(at: None) -> None: ...
@overload
def iso_z(at: datetime | None) -> str | None: ...
def iso_z(at: datetime | None) -> str | None:
    """`2026-11-24T09:02:00Z`: an instant as ISO 8601 UTC, or None."""
    if at is None:
        return None
    # isoformat is several times faster than strftime, which a 100k-entry export feels.
    return at.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def stored_utc(value: datetime | str) -> datetime:
    """A stored UTC instant, made aware, from plain SQL or an aggregate (which bypass the
    column's type): SQLite hands back naive UTC text, PostgreSQL a naive datetime."""
    if isinstance(value, str):
        return datetime.fromisoformat(value + "+00:00")
    return value if value.tzinfo else value.replace(tzinfo=UTC)
