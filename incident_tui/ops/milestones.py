"""Milestones: derived from the timeline, moved by edits, kept in order."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from incident_tui.domain.errors import IncidentError
from incident_tui.domain.instants import (
    milestone_order,
)
from incident_tui.domain.vocabulary import MILESTONES, incident_key
from incident_tui.ops.rows import find_incident, not_future, record_change, valid_name
from incident_tui.ops.system_entries import add_system_entry
from incident_tui.store import models as m
from incident_tui.store.database import Database


def derived_milestones(session: Session, incident: m.Incident) -> set[str]:
    """`started` and `detected` while nobody set them by hand (`milestone_order`)."""
    from incident_tui.domain.milestone_order import AUTO_AUTHOR, DERIVABLE

    hand_set = set(
        session.exec(
            select(m.IncidentChange.field)
            .where(m.IncidentChange.incident_id == incident.id)
            .where(col(m.IncidentChange.field).in_(DERIVABLE))
            .where(m.IncidentChange.author != AUTO_AUTHOR)
        ).all()
    )
    derived = {name for name in DERIVABLE if name not in hand_set}
    if "started_at" in derived and incident.started_at != incident.declared_at:
        moved = session.exec(
            select(m.IncidentChange.id)
            .where(m.IncidentChange.incident_id == incident.id)
            .where(m.IncidentChange.field == "started_at")
        ).first()
        if moved is None:  # given at the declaration (--started-at)
            derived.discard("started_at")
    return derived


def milestones_of(incident: m.Incident) -> dict[str, datetime | None]:
    return {name: getattr(incident, name) for name in MILESTONES}


def move_milestones(
    session: Session, incident: m.Incident, moves: dict[str, datetime], *, now: datetime
) -> None:
    from incident_tui.domain.milestone_order import AUTO_AUTHOR

    for name, at in moves.items():
        put_milestone(session, incident, name, at, author=AUTO_AUTHOR, at=at, now=now)


def put_milestone(
    session: Session,
    incident: m.Incident,
    name: str,
    value: datetime | None,
    *,
    author: str,
    at: datetime,
    now: datetime,
) -> None:
    """Set one milestone and record the change (old and new as ISO text)."""
    old = getattr(incident, name)
    setattr(incident, name, value)
    record_change(
        session,
        incident,
        name,
        old.isoformat() if old else None,
        value.isoformat() if value else None,
        author=author,
        at=at,
        now=now,
    )


def detected_by_alert(
    session: Session, number: int, occurred: datetime, *, author: str, now: datetime
) -> None:
    """`detected` defaults to the earlier of the declaration and the first alert (never
    before the impact began, when that was given by hand)."""
    from incident_tui.domain.milestone_order import describe_moves, settle

    incident = find_incident(session, number, lock=True)
    derived = derived_milestones(session, incident)
    detected = incident.detected_at
    if "detected_at" not in derived or detected is None or occurred >= detected:
        return
    target = occurred
    if "started_at" not in derived and incident.started_at > target:
        target = incident.started_at
    if target >= detected:
        return
    before = milestones_of(incident)
    moves = {"detected_at": target, **settle(before, "detected_at", target, derived)}
    move_milestones(session, incident, moves, now=now)
    notes = describe_moves(moves, before, "detected_at", because="the first alert")
    text = "Milestone " + ", ".join(notes)
    add_system_entry(session, incident, "status", text, author=author, at=now, now=now)


# The milestone each phase sets on entering it, and clears when moving back before it.
PHASE_MILESTONES = (
    ("investigating", "acknowledged_at"),
    ("monitoring", "mitigated_at"),
    ("resolved", "resolved_at"),
    ("closed", "closed_at"),
)


def keep_order(
    session: Session, incident: m.Incident, milestone: str, when: datetime, *, now: datetime
) -> list[str]:
    """Move the derived milestones `milestone` at `when` must not precede; refuse when a
    hand-set one is in the way. Returns what moved, for the entry's text."""
    from incident_tui.domain.milestone_order import describe_moves, settle

    key = incident_key(m.saved_id(incident))
    hint = f"; set it with `incident-tui milestone {key} NAME TIME` first"
    derived = derived_milestones(session, incident)
    before = milestones_of(incident)
    moves = settle(before, milestone, when, derived, hint=hint)
    move_milestones(session, incident, moves, now=now)
    return describe_moves(moves, before, milestone)


def set_milestone(
    db: Database,
    *,
    key: str | int,
    milestone: str,
    at: datetime | None,
    author: str,
    now: datetime,
) -> str:
    """Set (or clear, with `at=None`) a milestone by hand."""
    name = milestone.strip().lower()
    if not name.endswith("_at"):
        name += "_at"
    if name not in MILESTONES:
        raise IncidentError(
            f"unknown milestone {milestone.strip()!r}; milestones: "
            + ", ".join(n.removesuffix("_at") for n in MILESTONES)
        )
    if name == "started_at" and at is None:
        raise IncidentError("started cannot be cleared: impact began at some time")
    when = not_future(at, now, "milestone time") if at else None
    author = valid_name(author, "author")

    def work(session: Session) -> str:
        incident = find_incident(session, key, lock=True)
        notes = keep_order(session, incident, name, when, now=now) if when else []
        milestone_order(name, when, {n: getattr(incident, n) for n in MILESTONES})
        put_milestone(session, incident, name, when, author=author, at=now, now=now)
        label = name.removesuffix("_at")
        text = (
            f"Milestone {label} set to {when:%Y-%m-%d %H:%M:%S}Z"
            if when
            else f"Milestone {label} cleared"
        )
        if notes:
            text += "; " + ", ".join(notes)
        add_system_entry(session, incident, "status", text, author=author, at=now, now=now)
        return text

    return db.write(work)
