"""Who holds which role, and handing it over."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from incident_tui.domain.checklists import COMMANDER_ASSIGNED
from incident_tui.domain.errors import IncidentError
from incident_tui.domain.vocabulary import parse_role
from incident_tui.ops.rows import find_incident, valid_name
from incident_tui.ops.seen import record_seen
from incident_tui.ops.system_entries import add_system_entry
from incident_tui.store import models as m
from incident_tui.store.database import Database


def hold_role(
    session: Session,
    incident: m.Incident,
    role: str,
    holder: str | None,
    *,
    author: str,
    now: datetime,
    seen: bool = True,
) -> str:
    current = session.exec(
        select(m.RoleHolding)
        .where(m.RoleHolding.incident_id == incident.id)
        .where(m.RoleHolding.role == role)
        .where(col(m.RoleHolding.ended_at).is_(None))
    ).all()
    previous = current[-1].holder if current else None
    if holder is not None and previous == holder:
        raise IncidentError(f"{holder} already holds {role}")
    if holder is None and previous is None:
        raise IncidentError(f"{role} is already vacant")
    for holding in current:
        holding.ended_at = now
    if holder is None:
        text = f"{role} vacated (was {previous})"
    else:
        session.add(
            m.RoleHolding(
                incident_id=m.saved_id(incident),
                role=role,
                holder=holder,
                started_at=now,
                assigned_by=author,
            )
        )
        text = f"{holder} is {role}" + (f", taking over from {previous}" if previous else "")
    add_system_entry(session, incident, "role", text, author=author, at=now, now=now)
    if seen and role == "commander" and holder is not None:
        record_seen(session, incident, (COMMANDER_ASSIGNED,), author=author, now=now)
    return text


def hand_over_role(
    db: Database, *, key: str | int, role: str, holder: str | None, author: str, now: datetime
) -> str:
    """Give `role` to `holder` (None vacates it); the old holding ends, both are kept."""
    role = parse_role(role)
    holder = valid_name(holder, "holder") if holder is not None else None
    author = valid_name(author, "author")

    def work(session: Session) -> str:
        incident = find_incident(session, key, lock=True)
        return hold_role(session, incident, role, holder, author=author, now=now)

    return db.write(work)
