"""An incident's context: its type, the services it affects, its labels.

One operation changes any of them in one transaction with one timeline entry
(`set_context`); the declaration adds the first ones in its own (`add_context`).
Names are checked by `domain.context`; a type must be one the config knows.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from incident_tui.domain.context import ContextChange, describe, valid_type
from incident_tui.domain.errors import IncidentError
from incident_tui.domain.vocabulary import incident_key
from incident_tui.ops.rows import find_incident, record_change, valid_name
from incident_tui.ops.system_entries import add_system_entry
from incident_tui.store import models as m
from incident_tui.store.database import Database


def set_context(
    db: Database,
    *,
    key: str | int,
    change: ContextChange,
    author: str,
    now: datetime,
    known_types: Collection[str] = (),
) -> str:
    """Apply `change` (services added or removed, labels set or removed, the type set or
    cleared); returns the entry text. A change that changes nothing is an error."""
    author = valid_name(author, "author")
    if change.incident_type:
        valid_type(change.incident_type, known_types)

    def work(session: Session) -> str:
        incident = find_incident(session, key, lock=True)
        done = apply_context(session, incident, change, author=author, now=now)
        if done.is_empty():
            raise IncidentError(f"{incident_key(m.saved_id(incident))} already has that")
        text = describe(done)
        add_system_entry(session, incident, "status", text, author=author, now=now)
        return text

    return db.write(work)


def add_context(
    session: Session,
    incident: m.Incident,
    change: ContextChange,
    *,
    author: str,
    now: datetime,
    known_types: Collection[str] = (),
) -> ContextChange:
    """The declaration's context, in its transaction (no entry of its own: the
    declaration's entry says it)."""
    if change.incident_type:
        valid_type(change.incident_type, known_types)
    return apply_context(session, incident, change, author=author, now=now)


def apply_context(
    session: Session, incident: m.Incident, change: ContextChange, *, author: str, now: datetime
) -> ContextChange:
    """Apply `change` in the caller's transaction; returns what actually changed (a
    service already there, a label already at that value, are left out)."""
    number = m.saved_id(incident)
    services = _services(session, number)
    labels = {row.key: row for row in _labels(session, number)}
    added = [name for name in dict.fromkeys(change.add_services) if name not in services]
    removed = [name for name in dict.fromkeys(change.remove_services) if name in services]
    for name in added:
        session.add(m.IncidentService(incident_id=number, name=name, added_at=now, added_by=author))
        record_change(session, incident, "service", None, name, author=author, at=now, now=now)
    for name in removed:
        session.delete(services[name])
        record_change(session, incident, "service", name, None, author=author, at=now, now=now)
    set_labels: dict[str, str | None] = {}
    for label, value in change.labels.items():
        row = labels.get(label)
        old = row.value if row else None
        if old == value:
            continue
        set_labels[label] = value
        if value is None and row is not None:
            session.delete(row)
        elif row is not None and value is not None:
            row.value, row.set_at, row.set_by = value, now, author
            session.add(row)
        elif value is not None:
            session.add(
                m.IncidentLabel(
                    incident_id=number, key=label, value=value, set_at=now, set_by=author
                )
            )
        record_change(
            session, incident, f"label:{label}", old, value, author=author, at=now, now=now
        )
    new_type: str | None = None
    type_changed = False
    if change.type_given and change.incident_type != incident.incident_type:
        record_change(
            session,
            incident,
            "type",
            incident.incident_type,
            change.incident_type,
            author=author,
            at=now,
            now=now,
        )
        incident.incident_type = change.incident_type
        new_type, type_changed = change.incident_type, True
    if added or removed or set_labels or type_changed:
        incident.updated_at = now
        session.add(incident)
    return ContextChange(
        add_services=tuple(added),
        remove_services=tuple(removed),
        labels=set_labels,
        incident_type=new_type,
        type_given=type_changed,
    )


def _services(session: Session, number: int) -> dict[str, m.IncidentService]:
    rows = session.exec(
        select(m.IncidentService)
        .where(m.IncidentService.incident_id == number)
        .order_by(col(m.IncidentService.id))
    )
    return {row.name: row for row in rows}


def _labels(session: Session, number: int) -> Sequence[m.IncidentLabel]:
    return session.exec(
        select(m.IncidentLabel)
        .where(m.IncidentLabel.incident_id == number)
        .order_by(col(m.IncidentLabel.key))
    ).all()
