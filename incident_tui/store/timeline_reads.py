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


LOOKBACK_IDS = 1000
"""How far below the cursor a PostgreSQL reader looks for late commits."""


def _timeline_changes(session: Session, number: int, since: TimelineCursor) -> TimelineChanges:
    """Plain SQL, two statements: this runs after every entry the scribe logs."""
    connection = session.connection()
    top_revision = connection.execute(_TOP_REVISION_SQL).scalar() or 0
    after = since.entry_id
    if connection.dialect.name != "sqlite":
        # SQLite commits writers one at a time, in id order. PostgreSQL hands out ids at
        # insert and commits in any order: an id below the cursor can appear later, so
        # look back (the reader drops entries it already holds unchanged).
        after = max(0, after - LOOKBACK_IDS)
    rows = connection.execute(
        _CHANGES_SQL,
        {"number": number, "after": after, "revision": since.revision_id},
    )
    entries = []
    removed: set[int] = set()
    top_entry = since.entry_id
    for id, occurred, recorded, kind, author, body, pinned, version, deleted_at, actor in rows:
        top_entry = max(top_entry, id)
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
    return TimelineChanges(entries, removed, TimelineCursor(top_entry, top_revision))


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
            top_revision = session.exec(select(func.max(m.EntryRevision.id))).one() or 0
            top_entry = session.exec(
                select(func.max(m.TimelineEntry.id)).where(m.TimelineEntry.incident_id == number)
            ).one()
            changes = TimelineChanges(
                timeline(session, number), set(), TimelineCursor(top_entry or 0, top_revision)
            )
        else:
            changes = _timeline_changes(session, number, since)
        detail = detail_of(session, incident, changes.entries)
        return IncidentRead(detail, changes.removed, changes.cursor)
