"""What every operation shares: checked input, the incident's row, and the change record
an operation leaves (its timeline entry: `system_entries.add_system_entry`)."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from incident_tui.domain.errors import IncidentError, NotFound
from incident_tui.domain.instants import (
    calendar_day,
    event_instant,
)
from incident_tui.domain.records import Entry
from incident_tui.domain.text import MAX_TEXT, clean, one_line
from incident_tui.domain.vocabulary import incident_key, parse_key
from incident_tui.store import models as m

MAX_TITLE = 200


MAX_NAME = 80


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: object = _Unset()
"""Marks an argument that was not given (None may mean "clear it")."""


def valid_text(value: str | None, what: str, *, limit: int = MAX_TEXT) -> str:
    """`value` cleaned of control sequences and trimmed; refused when empty or too long."""
    cleaned = clean(value or "").strip()
    if not cleaned:
        raise IncidentError(f"{what} is empty")
    if len(cleaned) > limit:
        raise IncidentError(f"{what} is {len(cleaned):,} characters long; the limit is {limit:,}")
    return cleaned


def valid_name(value: str | None, what: str = "name") -> str:
    name = one_line(value or "")
    if not name:
        raise IncidentError(f"{what} is empty")
    if len(name) > MAX_NAME:
        raise IncidentError(f"{what} is longer than {MAX_NAME} characters")
    return name


def not_future(at: datetime, now: datetime, what: str) -> datetime:
    return event_instant(at, now=now, what=what)


def due_day(day: date | None, now: datetime) -> date | None:
    return calendar_day(day, today=now.date(), what="due date") if day is not None else None


def find_incident(session: Session, key: str | int, *, lock: bool = False) -> m.Incident:
    number = parse_key(key)
    incident = session.get(m.Incident, number, with_for_update=lock or None)
    if incident is None:
        raise NotFound(f"no incident {incident_key(number)}")
    return incident


def entry_view(row: m.TimelineEntry) -> Entry:
    return Entry(
        id=m.saved_id(row),
        occurred_at=row.occurred_at,
        recorded_at=row.recorded_at,
        kind=row.kind,
        author=row.author,
        text=row.text,
        pinned=row.pinned,
        version=row.version,
        actor=row.actor,
    )


def record_change(
    session: Session,
    incident: m.Incident,
    field: str,
    old: object,
    new: object,
    *,
    author: str,
    at: datetime,
    now: datetime,
) -> None:
    session.add(
        m.IncidentChange(
            incident_id=m.saved_id(incident),
            at=at,
            recorded_at=now,
            field=field,
            old=None if old is None else str(old),
            new=None if new is None else str(new),
            author=author,
        )
    )
