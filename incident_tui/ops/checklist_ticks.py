"""Checklist items ticked by people."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from incident_tui.domain.errors import IncidentError
from incident_tui.domain.text import one_line
from incident_tui.ops.rows import find_incident, valid_name
from incident_tui.ops.system_entries import add_system_entry
from incident_tui.store import models as m
from incident_tui.store.database import Database


def tick_checklist(
    db: Database,
    *,
    key: str | int,
    checklist: str,
    title: str,
    item: str,
    author: str,
    now: datetime,
    done: bool = True,
) -> str:
    """Tick (or, `done=False`, untick) a checklist item; the timeline records it as an
    action. Ticking a ticked item is refused, as is unticking an unticked one."""
    author = valid_name(author, "author")
    checklist, item = one_line(checklist, 60), one_line(item, 120)

    def work(session: Session) -> str:
        incident = find_incident(session, key, lock=True)
        row = session.exec(
            select(m.ChecklistTick)
            .where(m.ChecklistTick.incident_id == incident.id)
            .where(m.ChecklistTick.checklist == checklist)
            .where(m.ChecklistTick.item == item)
        ).first()
        if done:
            if row is not None:
                raise IncidentError(f"{item!r} was already ticked by {row.ticked_by}")
            session.add(
                m.ChecklistTick(
                    incident_id=m.saved_id(incident),
                    checklist=checklist,
                    item=item,
                    ticked_at=now,
                    ticked_by=author,
                )
            )
            text = f"✓ {one_line(title, 60)}: {item}"
        else:
            if row is None:
                raise IncidentError(f"{item!r} is not ticked")
            session.delete(row)
            text = f"Unticked {one_line(title, 60)}: {item}"
        add_system_entry(session, incident, "action", text, author=author, at=now, now=now)
        return text

    return db.write(work)
