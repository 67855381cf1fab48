"""The timeline entry an operation writes for what it did (status, role, comm, action):
one place that builds it, for ops.py and the operation modules beside it."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from incident_tui.store import models as m


def add_system_entry(
    session: Session,
    incident: m.Incident,
    kind: str,
    text: str,
    *,
    author: str,
    now: datetime,
    at: datetime | None = None,
) -> m.TimelineEntry:
    """Add the entry (it happened `at`, default `now`; recorded `now`) to the session."""
    entry = m.TimelineEntry(
        incident_id=m.saved_id(incident),
        occurred_at=at or now,
        recorded_at=now,
        kind=kind,
        author=author,
        text=text,
    )
    session.add(entry)
    incident.updated_at = now
    return entry
