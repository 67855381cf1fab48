"""Reading incidents for people: the list, one incident whole, the facts deadlines need.

Big timelines are loaded as columns, not ORM objects (STACK.md: 100k rows in ~200 ms
instead of ~1.3 s).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from incident_tui import models as m
from incident_tui.domain import (
    MILESTONES,
    OPEN_PHASES,
    Action,
    Entry,
    Holding,
    IncidentDetail,
    IncidentFacts,
    IncidentSummary,
    SeverityChange,
    Timer,
    Update,
    incident_key,
    parse_key,
)
from incident_tui.errors import NotFound
from incident_tui.policy import DEFAULT_POLICY, Policy, deadlines
from incident_tui.store import Database

_ENTRY_COLUMNS = (
    m.TimelineEntry.id,
    m.TimelineEntry.occurred_at,
    m.TimelineEntry.recorded_at,
    m.TimelineEntry.kind,
    m.TimelineEntry.author,
    m.TimelineEntry.text,
    m.TimelineEntry.pinned,
    m.TimelineEntry.version,
)


def action_view(row: m.ActionItem) -> Action:
    return Action(
        id=row.id,
        description=row.description,
        owner=row.owner,
        due_date=row.due_date,
        priority=row.priority,
        type=row.type,
        status=row.status,
        ticket=row.ticket,
        created_at=row.created_at,
    )


def load_facts(session: Session, incident: m.Incident) -> IncidentFacts:
    changes = session.exec(
        select(m.IncidentChange.at, m.IncidentChange.old, m.IncidentChange.new)
        .where(m.IncidentChange.incident_id == incident.id)
        .where(m.IncidentChange.field == "severity")
        .order_by(col(m.IncidentChange.at), col(m.IncidentChange.id))
    ).all()
    last_updates = session.exec(
        select(m.StatusUpdate.audience, func.max(m.StatusUpdate.posted_at))
        .where(m.StatusUpdate.incident_id == incident.id)
        .group_by(m.StatusUpdate.audience)
    ).all()
    timers = session.exec(
        select(m.Timer.id, m.Timer.label, m.Timer.due_at)
        .where(m.Timer.incident_id == incident.id)
        .where(col(m.Timer.cancelled_at).is_(None))
    ).all()
    snoozes = session.exec(
        select(m.DeadlineSnooze.deadline, func.max(m.DeadlineSnooze.until))
        .where(m.DeadlineSnooze.incident_id == incident.id)
        .group_by(m.DeadlineSnooze.deadline)
    ).all()
    return IncidentFacts(
        severity=incident.severity,
        phase=incident.phase,
        declared_at=incident.declared_at,
        started_at=incident.started_at,
        detected_at=incident.detected_at,
        acknowledged_at=incident.acknowledged_at,
        mitigated_at=incident.mitigated_at,
        resolved_at=incident.resolved_at,
        closed_at=incident.closed_at,
        severity_changes=[SeverityChange(at, int(old), int(new)) for at, old, new in changes],
        last_update={audience: _utc(at) for audience, at in last_updates},
        timers=[Timer(id, label, due) for id, label, due in timers],
        snoozed_until={name: _utc(until) for name, until in snoozes},
    )


def _utc(value: datetime | str) -> datetime:
    """Aggregates (max) come back without the column's type: restore an aware datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def timeline(session: Session, number: int, *, after_id: int = 0) -> list[Entry]:
    """The live entries, ordered by when they happened (then by id)."""
    rows = session.exec(
        select(*_ENTRY_COLUMNS)
        .where(m.TimelineEntry.incident_id == number)
        .where(col(m.TimelineEntry.deleted_at).is_(None))
        .where(col(m.TimelineEntry.id) > after_id)
        .order_by(col(m.TimelineEntry.occurred_at), col(m.TimelineEntry.id))
    ).all()
    return [Entry(*row) for row in rows]


def incident_detail(db: Database, key: str | int) -> IncidentDetail:
    number = parse_key(key)
    with db.read() as session:
        incident = session.get(m.Incident, number)
        if incident is None:
            raise NotFound(f"no incident {incident_key(number)}")
        holdings = session.exec(
            select(m.RoleHolding)
            .where(m.RoleHolding.incident_id == number)
            .order_by(col(m.RoleHolding.started_at), col(m.RoleHolding.id))
        ).all()
        updates = session.exec(
            select(m.StatusUpdate)
            .where(m.StatusUpdate.incident_id == number)
            .order_by(col(m.StatusUpdate.posted_at), col(m.StatusUpdate.id))
        ).all()
        actions = session.exec(
            select(m.ActionItem)
            .where(m.ActionItem.incident_id == number)
            .order_by(col(m.ActionItem.id))
        ).all()
        return IncidentDetail(
            number=number,
            title=incident.title,
            severity=incident.severity,
            phase=incident.phase,
            summary=incident.summary,
            is_drill=incident.is_drill,
            declared_at=incident.declared_at,
            declared_by=incident.declared_by,
            milestones={name: getattr(incident, name) for name in MILESTONES},
            holdings=[
                Holding(h.role, h.holder, h.started_at, h.ended_at, h.assigned_by) for h in holdings
            ],
            timeline=timeline(session, number),
            updates=[
                Update(u.id, u.audience, u.text, u.author, u.posted_at, u.phase) for u in updates
            ],
            actions=[action_view(a) for a in actions],
            facts=load_facts(session, incident),
        )


def list_incidents(
    db: Database,
    *,
    now: datetime,
    include_closed: bool = False,
    policy: Policy = DEFAULT_POLICY,
) -> list[IncidentSummary]:
    """Active incidents first (worst severity, then oldest), then the rest, newest first."""
    with db.read() as session:
        query = select(m.Incident)
        if not include_closed:
            query = query.where(col(m.Incident.phase).in_(OPEN_PHASES))
        incidents = session.exec(query).all()
        commanders = dict(
            session.exec(
                select(m.RoleHolding.incident_id, m.RoleHolding.holder)
                .where(m.RoleHolding.role == "commander")
                .where(col(m.RoleHolding.ended_at).is_(None))
            ).all()
        )
        result = []
        for incident in incidents:
            upcoming = deadlines(load_facts(session, incident), policy)
            result.append(
                IncidentSummary(
                    number=incident.id,
                    title=incident.title,
                    severity=incident.severity,
                    phase=incident.phase,
                    started_at=incident.started_at,
                    declared_at=incident.declared_at,
                    commander=commanders.get(incident.id),
                    next_deadline=upcoming[0] if upcoming else None,
                    is_drill=incident.is_drill,
                )
            )
    active = sorted(
        (s for s in result if s.phase in OPEN_PHASES), key=lambda s: (s.severity, s.declared_at)
    )
    rest = sorted(
        (s for s in result if s.phase not in OPEN_PHASES), key=lambda s: s.declared_at, reverse=True
    )
    return active + rest
