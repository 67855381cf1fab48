"""Reading incidents for people: the list, one incident whole, the facts deadlines need.

Big timelines are loaded as columns, not ORM objects (STACK.md: 100k rows in ~200 ms
instead of ~1.3 s).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, text
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


_TIMELINE_SQL = text(
    "SELECT id, occurred_at, recorded_at, kind, author, text, pinned, version"
    " FROM timeline_entry WHERE incident_id = :number AND deleted_at IS NULL"
    " ORDER BY occurred_at, id"
)


def _utc(value: datetime | str) -> datetime:
    """A stored UTC instant, made aware, from plain SQL or an aggregate (which bypass the
    column's type): SQLite hands back naive UTC text, PostgreSQL a naive datetime."""
    if isinstance(value, str):
        return datetime.fromisoformat(value + "+00:00")
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def timeline(session: Session, number: int) -> list[Entry]:
    """The live entries, ordered by when they happened (then by id).

    Plain SQL and tuples: the ORM's per-value type processing made a 100k-entry read take
    0.8 s; this takes a quarter of that."""
    rows = session.connection().execute(_TIMELINE_SQL, {"number": number}).all()
    return [
        Entry(id, _utc(occurred), _utc(recorded), kind, author, body, bool(pinned), version)
        for id, occurred, recorded, kind, author, body, pinned, version in rows
    ]


def _incident_row(session: Session, number: int) -> m.Incident:
    incident = session.get(m.Incident, number)
    if incident is None:
        raise NotFound(f"no incident {incident_key(number)}")
    return incident


def _detail(session: Session, incident: m.Incident, entries: list[Entry]) -> IncidentDetail:
    number = incident.id
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
        timeline=entries,
        updates=[Update(u.id, u.audience, u.text, u.author, u.posted_at, u.phase) for u in updates],
        actions=[action_view(a) for a in actions],
        facts=load_facts(session, incident),
    )


def incident_detail(db: Database, key: str | int) -> IncidentDetail:
    number = parse_key(key)
    with db.read() as session:
        incident = _incident_row(session, number)
        return _detail(session, incident, timeline(session, number))


@dataclass(frozen=True)
class TimelineCursor:
    """How far a reader has read: the newest entry id and the newest revision id seen."""

    entry_id: int = 0
    revision_id: int = 0


@dataclass
class IncidentRead:
    """An incident as the war room reads it: whole the first time, then what changed.

    `detail.timeline` holds the new and changed live entries (all of them on a first
    read); `removed` the ids of entries deleted since the cursor.
    """

    detail: IncidentDetail
    removed: set[int]
    cursor: TimelineCursor


def read_incident(db: Database, number: int, since: TimelineCursor | None = None) -> IncidentRead:
    """The incident with its whole timeline, or (given `since`) only the entries added,
    edited or deleted after it — a read that stays cheap however long the timeline is."""
    with db.read() as session:
        incident = _incident_row(session, number)
        top_revision = session.exec(select(func.max(m.EntryRevision.id))).one() or 0
        removed: set[int] = set()
        if since is None:
            entries = timeline(session, number)
            top_entry = (
                session.exec(
                    select(func.max(m.TimelineEntry.id)).where(
                        m.TimelineEntry.incident_id == number
                    )
                ).one()
                or 0
            )
        else:
            changed_ids = set(
                session.exec(
                    select(m.EntryRevision.entry_id).where(
                        col(m.EntryRevision.id) > since.revision_id
                    )
                ).all()
            )
            # `+ 0` keeps SQLite on the primary key's range instead of scanning the
            # incident's whole (incident_id, occurred_at) index for ids past the cursor.
            rows = session.exec(
                select(*_ENTRY_COLUMNS, m.TimelineEntry.deleted_at)
                .where((m.TimelineEntry.incident_id + 0) == number)
                .where(
                    (col(m.TimelineEntry.id) > since.entry_id)
                    | col(m.TimelineEntry.id).in_(changed_ids or [-1])
                )
            ).all()
            entries = []
            top_entry = since.entry_id
            for *fields, deleted_at in rows:
                top_entry = max(top_entry, fields[0])
                if deleted_at is None:
                    entries.append(Entry(*fields))
                else:
                    removed.add(fields[0])
            entries.sort(key=lambda e: (e.occurred_at, e.id))
        detail = _detail(session, incident, entries)
        return IncidentRead(detail, removed, TimelineCursor(top_entry, top_revision))


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
