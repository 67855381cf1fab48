"""Presence: who has the war room open."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from incident_tui.domain.text import one_line
from incident_tui.ops.rows import find_incident
from incident_tui.store import models as m
from incident_tui.store.database import Database


def mark_present(
    db: Database, *, session_id: str, key: str | int, name: str, host: str, now: datetime
) -> None:
    """Say that this screen (`session_id`) has the incident open; repeated as a heartbeat.
    Not an incident change: nothing goes to the timeline."""

    def work(session: Session) -> None:
        row = session.get(m.Presence, session_id)
        if row is None:
            incident = find_incident(session, key)
            # Screens that died without saying goodbye, long ago: tidy them away.
            for old in session.exec(
                select(m.Presence).where(m.Presence.seen_at < now - timedelta(hours=1))
            ):
                session.delete(old)
            session.add(
                m.Presence(
                    session=session_id,
                    incident_id=m.saved_id(incident),
                    name=one_line(name, 80),
                    host=one_line(host, 80),
                    opened_at=now,
                    seen_at=now,
                )
            )
        else:
            row.seen_at = now
            session.add(row)

    db.write(work)


def leave(db: Database, *, session_id: str) -> None:
    """This screen closed: it no longer counts as here."""

    def work(session: Session) -> None:
        row = session.get(m.Presence, session_id)
        if row is not None:
            session.delete(row)

    db.write(work)
