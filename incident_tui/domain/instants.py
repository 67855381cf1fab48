"""The range of instants, dates and lengths of time the system accepts: one rule for
every way in (the CLI, the entry line, the screens, the import, milestone edits).

Pure; no Textual, no database. Anything outside the range is an IncidentError of one
line, before it is stored, so nothing stored can overflow a time zone conversion later
(0001-01-01 in New York is before year 1).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from incident_tui.domain.errors import IncidentError

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
"""No incident began before the Unix epoch; an older instant is a typo."""
FUTURE_TOLERANCE = timedelta(seconds=5)
"""Clocks of a team differ a little: an event this far ahead of `now` is still now."""
HORIZON = timedelta(days=3650)
"""Due dates and lengths of time (timers, cadences, snoozes) reach ten years at most."""

RESOLUTION_MILESTONES = ("mitigated_at", "resolved_at", "closed_at")
"""Milestones that end the impact or the incident: never before `started_at`."""


def _shown(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def event_instant(at: datetime, *, now: datetime, what: str) -> datetime:
    """`at` when it can be when something happened: aware, from 1970, not in the future."""
    if at.tzinfo is None:
        raise IncidentError(f"{what} has no time zone")
    if at < EARLIEST:
        raise IncidentError(f"{what} ({_shown(at)}) is before 1970")
    if at > now + FUTURE_TOLERANCE:
        raise IncidentError(f"{what} ({_shown(at)}) is in the future")
    return at


def calendar_day(day: date, *, today: date, what: str) -> date:
    """`day` when it can be a due date or a period's bound: 1970 to ten years ahead."""
    if day < EARLIEST.date():
        raise IncidentError(f"{what} {day.isoformat()} is before 1970")
    if day > today + HORIZON:
        raise IncidentError(f"{what} {day.isoformat()} is more than ten years ahead")
    return day


def length_of_time(delta: timedelta, *, what: str) -> timedelta:
    """`delta` when it is positive and at most ten years."""
    if delta <= timedelta(0):
        raise IncidentError(f"{what} must be positive")
    if delta > HORIZON:
        raise IncidentError(f"{what} is longer than ten years")
    return delta


def milestone_order(name: str, at: datetime | None, milestones: dict[str, datetime | None]):
    """Refuse setting milestone `name` to `at` when a resolution milestone would come
    before the start of impact (`milestones`: the incident's current ones)."""
    if at is None:
        return
    started = milestones.get("started_at")
    if name in RESOLUTION_MILESTONES and started is not None and at < started:
        label = name.removesuffix("_at")
        raise IncidentError(
            f"{label} {_shown(at)} is before impact began ({_shown(started)}); "
            "set started first if that is wrong"
        )
    if name == "started_at":
        for later in RESOLUTION_MILESTONES:
            end = milestones.get(later)
            if end is not None and at > end:
                raise IncidentError(
                    f"started {_shown(at)} is after {later.removesuffix('_at')} "
                    f"({_shown(end)}); impact cannot begin after it ended"
                )
