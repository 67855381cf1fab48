"""Action items: adding them and changing their status, owner, due date, priority."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from incident_tui.domain.errors import IncidentError, NotFound
from incident_tui.domain.records import Action
from incident_tui.domain.text import one_line
from incident_tui.domain.vocabulary import parse_action_status, parse_action_type, parse_priority
from incident_tui.ops.rows import (
    UNSET,
    due_day,
    find_incident,
    valid_name,
    valid_text,
)
from incident_tui.ops.system_entries import add_system_entry
from incident_tui.store import models as m
from incident_tui.store.database import Database
from incident_tui.store.queries import action_view


def add_action(
    db: Database,
    *,
    key: str | int,
    description: str,
    author: str,
    now: datetime,
    owner: str | None = None,
    due_date: date | None = None,
    priority: str = "P2",
    type: str | None = None,
    ticket: str | None = None,
) -> Action:
    """Raise an action item on the incident."""
    body = one_line(valid_text(description, "action description", limit=2000))
    owner = valid_name(owner, "owner") if owner is not None else None
    priority = parse_priority(priority)
    kind = parse_action_type(type) if type is not None else None
    ticket = valid_name(ticket, "ticket") if ticket is not None else None
    author = valid_name(author, "author")
    due_date = due_day(due_date, now)

    def work(session: Session) -> Action:
        incident = find_incident(session, key)
        item = m.ActionItem(
            incident_id=m.saved_id(incident),
            description=body,
            owner=owner,
            due_date=due_date,
            priority=priority,
            type=kind,
            ticket=ticket,
            created_at=now,
            created_by=author,
            updated_at=now,
        )
        session.add(item)
        session.flush()
        return action_view(item)

    return db.write(work)


TRACKED_ACTION_FIELDS = ("status", "owner", "due_date", "priority")
"""Changes to these are written to the incident's timeline (the follow-through record)."""


def _shown(value: object) -> str:
    return "none" if value is None else str(value)


def update_action(
    db: Database,
    *,
    action_id: int,
    author: str,
    now: datetime,
    description: object = UNSET,
    owner: object = UNSET,
    due_date: object = UNSET,
    priority: object = UNSET,
    type: object = UNSET,
    status: object = UNSET,
    ticket: object = UNSET,
) -> Action:
    """Change fields of an action item (None clears owner, due date, type or ticket)."""
    changes: dict[str, object] = {}
    if description is not UNSET:
        changes["description"] = one_line(valid_text(str(description), "action description"))
    if owner is not UNSET:
        changes["owner"] = valid_name(str(owner), "owner") if owner is not None else None
    if due_date is not UNSET:
        if due_date is not None and not isinstance(due_date, date):
            raise IncidentError("due date must be a date")
        changes["due_date"] = due_day(due_date, now)
    if priority is not UNSET:
        changes["priority"] = parse_priority(str(priority))
    if type is not UNSET:
        changes["type"] = parse_action_type(str(type)) if type is not None else None
    if status is not UNSET:
        changes["status"] = parse_action_status(str(status))
    if ticket is not UNSET:
        changes["ticket"] = valid_name(str(ticket), "ticket") if ticket is not None else None
    if not changes:
        raise IncidentError("nothing to change")
    valid_name(author, "author")

    def work(session: Session) -> Action:
        item = session.get(m.ActionItem, action_id)
        if item is None:
            raise NotFound(f"no action item #{action_id}")
        tracked = []
        for name, value in changes.items():
            before = getattr(item, name)
            if name in TRACKED_ACTION_FIELDS and before != value:
                tracked.append(f"{name.replace('_', ' ')} {_shown(before)} → {_shown(value)}")
            setattr(item, name, value)
        item.updated_at = now
        if tracked:
            # Follow-through is part of the incident's record: who moved it, when.
            add_system_entry(
                session,
                session.get_one(m.Incident, item.incident_id),
                "status",
                f"Action item #{item.id} ({one_line(item.description, 60)}): " + ", ".join(tracked),
                author=author,
                at=now,
                now=now,
            )
        session.flush()
        return action_view(item)

    return db.write(work)
