"""What changed since a cursor, for `watch` and the hooks: the new rows of every table an
event comes from (by id), with what `domain/events.compose` needs to tell them exactly
(the revisions of the entries concerned, the entries as they stand, the action items
that system entries name, the incidents' titles)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from incident_tui.domain import event_rows as ev
from incident_tui.domain.events import action_mentioned
from incident_tui.store import models as m
from incident_tui.store.database import Database
from incident_tui.store.queries import action_view

LOOKBACK_IDS = 200
"""How far below the cursor a PostgreSQL reader looks for late commits (ids are handed
out at insert and committed in any order there); SQLite commits writers in id order."""

_CHUNK = 500
"""Ids per `IN (…)` list."""


def lookback(db: Database) -> int:
    return 0 if db.is_sqlite else LOOKBACK_IDS


def newest_cursor(db: Database) -> ev.EventCursor:
    """The newest id of every source table: where a reader that starts now begins."""
    with db.read() as session:
        tops = {
            source: session.exec(select(func.max(model.id))).one() or 0
            for source, model in _MODELS.items()
        }
    return ev.EventCursor(**tops)


_MODELS: dict[str, Any] = {
    "incident": m.Incident,
    "entry": m.TimelineEntry,
    "revision": m.EntryRevision,
    "change": m.IncidentChange,
    "holding": m.RoleHolding,
    "update": m.StatusUpdate,
    "action": m.ActionItem,
}


def read_changes(db: Database, after: ev.EventCursor, number: int | None = None) -> ev.Changes:
    """Every row past `after` (of incident `number` only, when given), in one read."""
    with db.read() as session:
        return _changes(session, after, number)


def _past(session: Session, source: str, after: ev.EventCursor, number: int | None) -> list:
    model = _MODELS[source]
    query = select(model).where(col(model.id) > getattr(after, source))
    if number is not None:
        column = model.id if source == "incident" else model.incident_id
        query = query.where(column == number)
    return list(session.exec(query.order_by(col(model.id))).all())


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start : start + _CHUNK]


def _entry_row(row: m.TimelineEntry) -> ev.EntryRow:
    return ev.EntryRow(
        id=m.saved_id(row),
        incident=row.incident_id,
        occurred_at=row.occurred_at,
        recorded_at=row.recorded_at,
        kind=row.kind,
        author=row.author,
        text=row.text,
        pinned=row.pinned,
        actor=row.actor,
    )


def _revision_row(row: m.EntryRevision) -> ev.RevisionRow:
    return ev.RevisionRow(
        id=m.saved_id(row),
        entry_id=row.entry_id,
        change=row.change,
        changed_at=row.changed_at,
        changed_by=row.changed_by,
        kind=row.kind,
        text=row.text,
        occurred_at=row.occurred_at,
        pinned=row.pinned,
    )


def _action_row(row: m.ActionItem) -> ev.ActionItemRow:
    """The item as the views see it (`queries.action_view`), with its incident."""
    return ev.ActionItemRow(incident=row.incident_id, **asdict(action_view(row)))


def _previous_holder(session: Session, holding: m.RoleHolding) -> str | None:
    """Who held the role until `holding` began: a holding that ended as it started."""
    return session.exec(
        select(m.RoleHolding.holder)
        .where(m.RoleHolding.incident_id == holding.incident_id)
        .where(m.RoleHolding.role == holding.role)
        .where(col(m.RoleHolding.id) < holding.id)
        .where(m.RoleHolding.ended_at == holding.started_at)
        .order_by(col(m.RoleHolding.id).desc())
        .limit(1)
    ).first()


def _declared_severity(session: Session, incident: m.Incident) -> int:
    """The severity it was declared with: before its first change, if any."""
    first = session.exec(
        select(m.IncidentChange.old)
        .where(m.IncidentChange.incident_id == incident.id)
        .where(m.IncidentChange.field == "severity")
        .order_by(col(m.IncidentChange.id))
        .limit(1)
    ).first()
    return int(first) if first is not None and first.isdigit() else incident.severity


def _changes(session: Session, after: ev.EventCursor, number: int | None) -> ev.Changes:
    out = ev.Changes()
    out.declared = [
        ev.DeclaredRow(
            id=m.saved_id(i),
            title=i.title,
            severity=_declared_severity(session, i),
            declared_at=i.declared_at,
            declared_by=i.declared_by,
            started_at=i.started_at,
        )
        for i in _past(session, "incident", after, number)
    ]
    out.entries = [_entry_row(e) for e in _past(session, "entry", after, number)]
    revised = select(m.EntryRevision).where(col(m.EntryRevision.id) > after.revision)
    if number is not None:
        revised = revised.join(
            m.TimelineEntry, col(m.TimelineEntry.id) == m.EntryRevision.entry_id
        ).where(m.TimelineEntry.incident_id == number)
    out.revisions = [
        _revision_row(r) for r in session.exec(revised.order_by(col(m.EntryRevision.id)))
    ]
    out.changes = [
        ev.ChangeRow(
            id=m.saved_id(c),
            incident=c.incident_id,
            at=c.at,
            recorded_at=c.recorded_at,
            field=c.field,
            old=c.old,
            new=c.new,
            author=c.author,
        )
        for c in _past(session, "change", after, number)
    ]
    out.holdings = [
        ev.HoldingRow(
            id=m.saved_id(h),
            incident=h.incident_id,
            role=h.role,
            holder=h.holder,
            started_at=h.started_at,
            assigned_by=h.assigned_by,
            previous=_previous_holder(session, h),
        )
        for h in _past(session, "holding", after, number)
    ]
    out.updates = [
        ev.UpdateRow(
            id=m.saved_id(u),
            incident=u.incident_id,
            audience=u.audience,
            text=u.text,
            author=u.author,
            posted_at=u.posted_at,
            phase=u.phase,
        )
        for u in _past(session, "update", after, number)
    ]
    out.actions = [_action_row(a) for a in _past(session, "action", after, number)]

    # What composing needs: the revised entries now, every revision of the entries
    # concerned, the action items named by new system entries, the incidents' titles.
    concerned = {e.id for e in out.entries} | {r.entry_id for r in out.revisions}
    current = {e.id: e for e in out.entries}
    for ids in _chunks(concerned - set(current)):
        for row in session.exec(select(m.TimelineEntry).where(col(m.TimelineEntry.id).in_(ids))):
            current[m.saved_id(row)] = _entry_row(row)
    out.current = current
    for ids in _chunks(concerned):
        for revision in session.exec(
            select(m.EntryRevision)
            .where(col(m.EntryRevision.entry_id).in_(ids))
            .order_by(col(m.EntryRevision.id))
        ):
            out.history.setdefault(revision.entry_id, []).append(_revision_row(revision))
    named = {i for e in out.entries if (i := action_mentioned(e)) is not None}
    for ids in _chunks(named):
        for item in session.exec(select(m.ActionItem).where(col(m.ActionItem.id).in_(ids))):
            out.actions_now[m.saved_id(item)] = _action_row(item)
    numbers = {d.id for d in out.declared} | {e.incident for e in current.values()}
    for rows in (out.changes, out.holdings, out.updates, out.actions):
        numbers |= {row.incident for row in rows}
    for ids in _chunks(numbers):
        for incident in session.exec(select(m.Incident).where(col(m.Incident.id).in_(ids))):
            out.incidents[m.saved_id(incident)] = (incident.title, incident.is_drill)
    return out
