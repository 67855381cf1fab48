"""Reading incidents for people: the list, one incident whole, the facts deadlines need."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import cast

from sqlalchemy import exists, func
from sqlmodel import Session, col, select

from incident_tui.domain.checklists import SEEN_LIST
from incident_tui.domain.context import valid_service
from incident_tui.domain.drill_schedule import DrillSource
from incident_tui.domain.errors import NotFound
from incident_tui.domain.policy import DEFAULT_POLICY, Policy, deadlines
from incident_tui.domain.records import (
    Action,
    Change,
    Entry,
    Holding,
    IncidentDetail,
    IncidentFacts,
    IncidentSummary,
    Presence,
    SeverityChange,
    Tick,
    Timer,
    TypeChange,
    Update,
)
from incident_tui.domain.timeparse import stored_utc
from incident_tui.domain.vocabulary import MILESTONES, OPEN_PHASES, incident_key, parse_key
from incident_tui.store import models as m
from incident_tui.store.database import Database
from incident_tui.store.entry_rows import entries_from_rows, fetch_chunks


def action_view(row: m.ActionItem) -> Action:
    return Action(
        id=m.saved_id(row),
        description=row.description,
        owner=row.owner,
        due_date=row.due_date,
        priority=row.priority,
        type=row.type,
        status=row.status,
        ticket=row.ticket,
        created_at=row.created_at,
        created_by=row.created_by,
    )


def load_facts(session: Session, incident: m.Incident) -> IncidentFacts:
    changes = session.exec(
        select(
            m.IncidentChange.field, m.IncidentChange.at, m.IncidentChange.old, m.IncidentChange.new
        )
        .where(m.IncidentChange.incident_id == incident.id)
        .where(col(m.IncidentChange.field).in_(("severity", "type")))
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
        select(
            m.DeadlineSnooze.deadline,
            func.max(m.DeadlineSnooze.until),
            func.max(m.DeadlineSnooze.snoozed_at),
        )
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
        # A severity change always records both levels; the columns are nullable for others.
        severity_changes=[
            SeverityChange(at, int(cast(str, old)), int(cast(str, new)))
            for field, at, old, new in changes
            if field == "severity"
        ],
        incident_type=incident.incident_type,
        type_changes=[
            TypeChange(at, old, new) for field, at, old, new in changes if field == "type"
        ],
        last_update={audience: stored_utc(at) for audience, at in last_updates},
        # A primary key read back is never NULL; SQLModel types the column int | None.
        timers=[Timer(cast(int, id), label, due) for id, label, due in timers],
        snoozed_until={name: stored_utc(until) for name, until, _at in snoozes},
        snoozed_at={name: stored_utc(at) for name, _until, at in snoozes},
    )


_TIMELINE_SQL = (
    "SELECT id, occurred_at, recorded_at, kind, author, text, pinned, version, actor"
    " FROM timeline_entry WHERE incident_id = :number AND deleted_at IS NULL"
    " ORDER BY occurred_at, id"
)


def timeline(session: Session, number: int) -> list[Entry]:
    """The live entries, ordered by when they happened (then by id).

    Plain SQL on the driver's cursor, fetched in chunks and converted column by column
    (entry_rows): the ORM's per-value type processing made a 100k-entry read take 0.8 s,
    SQLAlchemy's row-at-a-time result 0.33 s."""
    return entries_from_rows(fetch_chunks(session, _TIMELINE_SQL, {"number": number}))


def incident_row(session: Session, number: int) -> m.Incident:
    incident = session.get(m.Incident, number)
    if incident is None:
        raise NotFound(f"no incident {incident_key(number)}")
    return incident


def detail_of(session: Session, incident: m.Incident, entries: list[Entry]) -> IncidentDetail:
    number = m.saved_id(incident)
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
    ticks = [
        Tick(t.checklist, t.item, t.ticked_at, t.ticked_by)
        for t in session.exec(
            select(m.ChecklistTick)
            .where(m.ChecklistTick.incident_id == number)
            .order_by(col(m.ChecklistTick.id))
        )
    ]
    services, labels = context_of(session, number)
    return IncidentDetail(
        number=number,
        incident_type=incident.incident_type,
        services=services,
        labels=labels,
        title=incident.title,
        severity=incident.severity,
        phase=incident.phase,
        summary=incident.summary,
        public_description=incident.public_description,
        is_drill=incident.is_drill,
        declared_at=incident.declared_at,
        declared_by=incident.declared_by,
        milestones={name: getattr(incident, name) for name in MILESTONES},
        holdings=[
            Holding(h.role, h.holder, h.started_at, h.ended_at, h.assigned_by) for h in holdings
        ],
        timeline=entries,
        updates=[
            Update(m.saved_id(u), u.audience, u.text, u.author, u.posted_at, u.phase)
            for u in updates
        ],
        actions=[action_view(a) for a in actions],
        facts=load_facts(session, incident),
        ticks=[t for t in ticks if t.checklist != SEEN_LIST],
        seen=tuple(t.item for t in ticks if t.checklist == SEEN_LIST),
        presence=[
            Presence(p.name, p.host, stored_utc(p.seen_at))
            for p in session.exec(
                select(m.Presence)
                .where(m.Presence.incident_id == number)
                .order_by(col(m.Presence.opened_at))
            )
        ],
    )


def context_of(session: Session, number: int) -> tuple[tuple[str, ...], dict[str, str]]:
    """The incident's services (in the order added) and labels (by key)."""
    services = session.exec(
        select(m.IncidentService.name)
        .where(m.IncidentService.incident_id == number)
        .order_by(col(m.IncidentService.id))
    ).all()
    labels = session.exec(
        select(m.IncidentLabel.key, m.IncidentLabel.value)
        .where(m.IncidentLabel.incident_id == number)
        .order_by(col(m.IncidentLabel.key))
    ).all()
    return tuple(services), {key: value for key, value in labels}


def incident_exists(db: Database, key: str | int) -> int:
    """The incident's number, or NotFound: a cheap check before doing something to it."""
    number = parse_key(key)
    with db.read() as session:
        incident_row(session, number)
    return number


def incident_detail(db: Database, key: str | int) -> IncidentDetail:
    number = parse_key(key)
    with db.read() as session:
        incident = incident_row(session, number)
        return detail_of(session, incident, timeline(session, number))


def drill_source(db: Database, key: str | int) -> DrillSource:
    """An incident as a drill replays it: whole, with its phase and severity changes."""
    number = parse_key(key)
    with db.read() as session:
        incident = incident_row(session, number)
        detail = detail_of(session, incident, timeline(session, number))
        changes = recorded_changes(session, number, fields=("phase", "severity"))
    return DrillSource(detail, changes)


def recorded_changes(
    session: Session, number: int, *, fields: tuple[str, ...] | None = None
) -> list[Change]:
    """The incident's recorded changes (of `fields`, else all), in the order they happened."""
    query = select(m.IncidentChange).where(m.IncidentChange.incident_id == number)
    if fields is not None:
        query = query.where(col(m.IncidentChange.field).in_(fields))
    return [
        Change(c.at, c.recorded_at, c.field, c.old, c.new, c.author, m.saved_id(c))
        for c in session.exec(query.order_by(col(m.IncidentChange.at), col(m.IncidentChange.id)))
    ]


def list_incidents(
    db: Database,
    *,
    now: datetime,
    include_closed: bool = False,
    policy: Policy = DEFAULT_POLICY,
    closed_limit: int | None = None,
    services: Collection[str] | None = None,
) -> list[IncidentSummary]:
    """Active incidents first (worst severity, then oldest), then the rest, newest first
    (only the newest `closed_limit` of those, when given: years of history do not fit
    on one screen, and search finds the rest). With `services`, only the incidents
    affecting any of them (an EXISTS in the same query)."""
    wanted = tuple(dict.fromkeys(valid_service(name) for name in services or ()))
    chosen = select(m.Incident)
    if wanted:
        chosen = chosen.where(
            exists().where(
                col(m.IncidentService.incident_id) == m.Incident.id,
                col(m.IncidentService.name).in_(wanted),
            )
        )
    with db.read() as session:
        incidents = list(session.exec(chosen.where(col(m.Incident.phase).in_(OPEN_PHASES))))
        if include_closed:
            done = chosen.where(col(m.Incident.phase).not_in(OPEN_PHASES)).order_by(
                col(m.Incident.declared_at).desc()
            )
            if closed_limit is not None:
                done = done.limit(closed_limit)
            incidents += session.exec(done).all()
        commanders = dict(
            session.exec(
                select(m.RoleHolding.incident_id, m.RoleHolding.holder)
                .where(m.RoleHolding.role == "commander")
                .where(col(m.RoleHolding.ended_at).is_(None))
            ).all()
        )
        # Every incident's services in one read (a small table; no IN list of thousands).
        services_of: dict[int, list[str]] = {}
        for number, name in session.exec(
            select(m.IncidentService.incident_id, m.IncidentService.name).order_by(
                col(m.IncidentService.id)
            )
        ).all():
            services_of.setdefault(number, []).append(name)
        result = []
        for incident in incidents:
            # A closed incident owes nothing (a resolved one still owes its postmortem):
            # its facts are not worth four queries each.
            upcoming = (
                deadlines(load_facts(session, incident), policy)
                if incident.phase != "closed"
                else []
            )
            result.append(
                IncidentSummary(
                    number=m.saved_id(incident),
                    title=incident.title,
                    severity=incident.severity,
                    phase=incident.phase,
                    started_at=incident.started_at,
                    declared_at=incident.declared_at,
                    commander=commanders.get(m.saved_id(incident)),
                    next_deadline=upcoming[0] if upcoming else None,
                    is_drill=incident.is_drill,
                    impact_ended_at=incident.mitigated_at or incident.resolved_at,
                    incident_type=incident.incident_type,
                    services=tuple(services_of.get(m.saved_id(incident), ())),
                )
            )
    active = sorted(
        (s for s in result if s.phase in OPEN_PHASES), key=lambda s: (s.severity, s.declared_at)
    )
    rest = sorted(
        (s for s in result if s.phase not in OPEN_PHASES), key=lambda s: s.declared_at, reverse=True
    )
    return active + rest
