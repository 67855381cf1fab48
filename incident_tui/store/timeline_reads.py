"""What the war room reads as it follows an incident: the whole incident once, then only
the timeline's changes since a cursor (new rows, and edits and deletions by revision)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, text
from sqlmodel import Session, select

from incident_tui.domain.records import (
    Entry,
    IncidentDetail,
)
from incident_tui.domain.timeparse import stored_utc
from incident_tui.store import models as m
from incident_tui.store.database import Database
from incident_tui.store.queries import detail_of, incident_row, timeline


@dataclass(frozen=True)
class TimelineCursor:
    """How far a reader has read: the newest entry id and the newest revision id seen.

    PostgreSQL hands out ids at insert and commits in any order, so an id below the
    cursor can still appear; `horizon` is the xmin of the snapshot at the read (every
    transaction below it had ended), so the rows a later read must look at are those
    past the cursor or written by a transaction at or above the horizon (migration
    0008's `txid`), however many were in flight. `known` counts the rows of that range
    this read already saw (-1: not counted), so the marks can tell whether it grew.
    """

    entry_id: int = 0
    revision_id: int = 0
    horizon: int = 0
    known: int = -1


@dataclass
class IncidentRead:
    """An incident as the war room reads it: whole the first time, then what changed.

    `detail.timeline` holds the new and changed live entries (all of them on a first
    read); `removed` the ids of entries deleted since the cursor.
    """

    detail: IncidentDetail
    removed: set[int]
    cursor: TimelineCursor


@dataclass
class TimelineChanges:
    """Entries added or edited after a cursor (in time order), ids deleted, and the new cursor."""

    entries: list[Entry]
    removed: set[int]
    cursor: TimelineCursor


_CHANGES_SQL = text(
    "SELECT id, occurred_at, recorded_at, kind, author, text, pinned, version, deleted_at,"
    " actor FROM timeline_entry"
    # `+ 0` keeps SQLite on the primary key's range instead of scanning the incident's
    # whole (incident_id, occurred_at) index for ids past the cursor.
    " WHERE incident_id + 0 = :number"
    " AND (id > :after OR id IN (SELECT entry_id FROM entry_revision WHERE id > :revision))"
)


_TOP_REVISION_SQL = text("SELECT max(id) FROM entry_revision")

_HORIZON = "CAST(CAST(:horizon AS text) AS xid8)"
PG_TOP_REVISION_SQL = text(
    "SELECT (SELECT max(id) FROM entry_revision),"
    " CAST(CAST(pg_snapshot_xmin(pg_current_snapshot()) AS text) AS bigint)"
)
"""The newest revision and the snapshot's xmin, taken before the rows are read: a
transaction that ends between the two statements writes rows at or above it."""
_PG_CHANGES_SQL = text(
    "SELECT id, occurred_at, recorded_at, kind, author, text, pinned, version, deleted_at,"
    " actor, coalesce(txid >= CAST(CAST(:now_horizon AS text) AS xid8), false)"
    " FROM timeline_entry WHERE incident_id = :number AND id IN ("
    " SELECT id FROM timeline_entry WHERE id > :after"
    f" UNION ALL SELECT id FROM timeline_entry WHERE txid >= {_HORIZON}"
    " UNION ALL SELECT entry_id FROM entry_revision WHERE id > :revision"
    f" UNION ALL SELECT entry_id FROM entry_revision WHERE txid >= {_HORIZON})"
)
"""An index range each (ids past the cursor, late transactions' rows, revisions); an
`OR` with the revisions' subquery would scan the whole timeline on PostgreSQL."""


def _timeline_changes(session: Session, number: int, since: TimelineCursor) -> TimelineChanges:
    """Plain SQL, two statements: this runs after every entry the scribe logs."""
    connection = session.connection()
    params = {"number": number, "after": since.entry_id, "revision": since.revision_id}
    if connection.dialect.name == "sqlite":
        # SQLite commits writers one at a time, in id order: the cursor is enough.
        top_revision = connection.execute(_TOP_REVISION_SQL).scalar() or 0
        horizon, rows = 0, connection.execute(_CHANGES_SQL, params)
    else:
        # The reader drops entries it already holds unchanged.
        revision, horizon = connection.execute(PG_TOP_REVISION_SQL).one()
        top_revision = revision or 0
        rows = connection.execute(
            _PG_CHANGES_SQL, {**params, "horizon": since.horizon, "now_horizon": horizon}
        )
    entries = []
    removed: set[int] = set()
    top_entry = since.entry_id
    known = 0
    for (
        id,
        occurred,
        recorded,
        kind,
        author,
        body,
        pinned,
        version,
        deleted_at,
        actor,
        *late,
    ) in rows:
        top_entry = max(top_entry, id)
        known += bool(late and late[0])
        if deleted_at is None:
            entries.append(
                Entry(
                    id,
                    stored_utc(occurred),
                    stored_utc(recorded),
                    kind,
                    author,
                    body,
                    bool(pinned),
                    version,
                    actor,
                )
            )
        else:
            removed.add(id)
    entries.sort(key=lambda e: (e.occurred_at, e.id))
    return TimelineChanges(
        entries, removed, TimelineCursor(top_entry, top_revision, horizon, known if horizon else -1)
    )


def read_timeline_changes(db: Database, number: int, since: TimelineCursor) -> TimelineChanges:
    """Only the timeline's changes since `since`: the cheapest read after one's own entry."""
    with db.read() as session:
        return _timeline_changes(session, number, since)


def read_incident(db: Database, number: int, since: TimelineCursor | None = None) -> IncidentRead:
    """The incident with its whole timeline, or (given `since`) only the entries added,
    edited or deleted after it — a read that stays cheap however long the timeline is."""
    with db.read() as session:
        incident = incident_row(session, number)
        if since is None:
            horizon = 0
            if session.connection().dialect.name != "sqlite":
                horizon = session.connection().execute(PG_TOP_REVISION_SQL).one()[1]
            top_revision = session.exec(select(func.max(m.EntryRevision.id))).one() or 0
            top_entry = session.exec(
                select(func.max(m.TimelineEntry.id)).where(m.TimelineEntry.incident_id == number)
            ).one()
            changes = TimelineChanges(
                timeline(session, number),
                set(),
                TimelineCursor(top_entry or 0, top_revision, horizon),
            )
        else:
            changes = _timeline_changes(session, number, since)
        detail = detail_of(session, incident, changes.entries)
        return IncidentRead(detail, changes.removed, changes.cursor)
