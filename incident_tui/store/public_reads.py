"""Reading what the public may see, for the status page: incidents that have external
updates, their public words and those updates. It selects no other column: no title,
summary, internal or executive update or timeline entry leaves through here."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import or_, select
from sqlmodel import col

from incident_tui.domain.public_status import PublicIncident, PublicUpdate
from incident_tui.domain.vocabulary import OPEN_PHASES
from incident_tui.store import models as m
from incident_tui.store.database import Database


def public_incidents(db: Database, *, resolved_since: datetime) -> list[PublicIncident]:
    """Incidents told to the public (at least one external update), drills never: those
    still open, and those resolved at or after `resolved_since`; newest news first."""
    incident = m.Incident
    with db.read() as session:
        rows = session.execute(
            select(
                col(incident.id),
                col(incident.phase),
                col(incident.public_description),
                col(incident.started_at),
                col(incident.resolved_at),
            )
            .where(col(incident.is_drill).is_(False))
            .where(
                or_(
                    col(incident.phase).in_(OPEN_PHASES),
                    col(incident.resolved_at) >= resolved_since,
                )
            )
        ).all()
        numbers = [row[0] for row in rows]
        updates: dict[int, list[PublicUpdate]] = {}
        if numbers:
            for number, update_id, posted_at, text, phase in session.execute(
                select(
                    col(m.StatusUpdate.incident_id),
                    col(m.StatusUpdate.id),
                    col(m.StatusUpdate.posted_at),
                    col(m.StatusUpdate.text),
                    col(m.StatusUpdate.phase),
                )
                .where(col(m.StatusUpdate.audience) == "external")
                .where(col(m.StatusUpdate.incident_id).in_(numbers))
                .order_by(col(m.StatusUpdate.posted_at).desc(), col(m.StatusUpdate.id).desc())
            ):
                updates.setdefault(number, []).append(
                    PublicUpdate(cast(int, update_id), posted_at, text, phase)
                )
    told = [
        PublicIncident(
            number=number,
            phase=phase,
            public_description=words,
            started_at=started_at,
            resolved_at=resolved_at,
            updates=tuple(updates[number]),
        )
        for number, phase, words, started_at, resolved_at in rows
        if number in updates
    ]
    return sorted(told, key=lambda i: (i.last_posted, i.number), reverse=True)
