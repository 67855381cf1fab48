"""The incident's phase and severity."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from incident_tui.domain.checklists import SEVERITY_SET
from incident_tui.domain.errors import IncidentError
from incident_tui.domain.instants import (
    milestone_order,
)
from incident_tui.domain.vocabulary import (
    MILESTONES,
    PHASES,
    incident_key,
    parse_phase,
    parse_severity,
)
from incident_tui.ops.milestones import PHASE_MILESTONES, keep_order
from incident_tui.ops.rows import find_incident, not_future, record_change, valid_name
from incident_tui.ops.seen import record_seen
from incident_tui.ops.system_entries import add_system_entry
from incident_tui.store.database import Database
from incident_tui.store.models import saved_id


def set_phase(
    db: Database,
    *,
    key: str | int,
    phase: str,
    author: str,
    now: datetime,
    at: datetime | None = None,
) -> str:
    """Move the incident to `phase` (backwards too); milestones follow. Returns the entry text."""
    new = parse_phase(phase)
    author = valid_name(author, "author")
    when = not_future(at, now, "phase time") if at else now

    def work(session: Session) -> str:
        incident = find_incident(session, key, lock=True)
        old = incident.phase
        if old == new:
            raise IncidentError(f"{incident_key(saved_id(incident))} is already {new}")
        notes = []
        index = PHASES.index(new)
        for phase_name, milestone in PHASE_MILESTONES:
            reached = index >= PHASES.index(phase_name)
            current = getattr(incident, milestone)
            if reached and current is None:
                notes.extend(keep_order(session, incident, milestone, when, now=now))
                milestone_order(milestone, when, {n: getattr(incident, n) for n in MILESTONES})
                setattr(incident, milestone, when)
                record_change(
                    session,
                    incident,
                    milestone,
                    None,
                    when.isoformat(),
                    author=author,
                    at=when,
                    now=now,
                )
            elif not reached and current is not None and milestone != "acknowledged_at":
                setattr(incident, milestone, None)
                notes.append(f"{milestone.removesuffix('_at')} {current:%H:%M}Z cleared")
                record_change(
                    session,
                    incident,
                    milestone,
                    current.isoformat(),
                    None,
                    author=author,
                    at=when,
                    now=now,
                )
        incident.phase = new
        record_change(session, incident, "phase", old, new, author=author, at=when, now=now)
        direction = " (back)" if index < PHASES.index(old) else ""
        text = f"Phase {old} → {new}{direction}"
        if notes:
            text += "; " + ", ".join(notes)
        add_system_entry(session, incident, "status", text, author=author, at=when, now=now)
        return text

    return db.write(work)


def set_severity(
    db: Database, *, key: str | int, severity: int | str, author: str, now: datetime
) -> str:
    """Change the severity; update cadences and countdowns follow from the change's time."""
    new = parse_severity(severity)
    author = valid_name(author, "author")

    def work(session: Session) -> str:
        incident = find_incident(session, key, lock=True)
        old = incident.severity
        if old == new:
            raise IncidentError(f"{incident_key(saved_id(incident))} is already SEV{new}")
        incident.severity = new
        record_change(session, incident, "severity", old, new, author=author, at=now, now=now)
        text = f"Severity SEV{old} → SEV{new}"
        add_system_entry(session, incident, "status", text, author=author, at=now, now=now)
        record_seen(session, incident, (SEVERITY_SET,), author=author, now=now)
        return text

    return db.write(work)
