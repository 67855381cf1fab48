"""What the app saw happen, recorded once per incident for the checklists.

Declared, severity set, commander assigned, first update posted: the operation that makes
one of these true records it inside its own transaction (a `checklist_tick` row of the
reserved list `SEEN_LIST`, unique per incident) and logs it once in the timeline. The
incident row is locked by then, so two war rooms (or a war room and the CLI) doing the
same thing at once log it once. The checklist pane shows these items done ("seen").
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, col, select

from incident_tui.domain.checklists import FACTS, SEEN_ENTRY, SEEN_LIST
from incident_tui.ops.system_entries import add_system_entry
from incident_tui.store import models as m

__all__ = ["FACTS", "SEEN_LIST", "record_seen"]


def record_seen(
    session: Session,
    incident: m.Incident,
    facts: Iterable[str],
    *,
    author: str,
    now: datetime,
) -> list[str]:
    """Record the facts not recorded yet for `incident` (call with the incident locked);
    one `status` entry (a system record, never edited) names them. Returns the ones new."""
    wanted = [f for f in facts if f in FACTS]
    if not wanted:
        return []
    session.flush()  # the incident has its number
    known = set(
        session.exec(
            select(m.ChecklistTick.item)
            .where(m.ChecklistTick.incident_id == incident.id)
            .where(m.ChecklistTick.checklist == SEEN_LIST)
            .where(col(m.ChecklistTick.item).in_(wanted))
        ).all()
    )
    new = [f for f in dict.fromkeys(wanted) if f not in known]
    for fact in new:
        session.add(
            m.ChecklistTick(
                incident_id=m.saved_id(incident),
                checklist=SEEN_LIST,
                item=fact,
                ticked_at=now,
                ticked_by=author,
            )
        )
    if new:
        text = SEEN_ENTRY + ", ".join(new)
        add_system_entry(session, incident, "status", text, author=author, now=now)
    return new
