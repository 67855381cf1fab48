"""What a follower of one incident reads to learn *what* changed, before reading it.

A war room that learns that the database changed (SQLite's `data_version`, a
PostgreSQL notification) asks `read_marks` first: one statement of small index lookups
that tells apart the three things that change at very different rates:

- the timeline (new rows past the reader's cursor, edits by revision), read with
  `timeline_reads.read_timeline_changes`;
- presence (the heartbeat of every open war room, every 15 s), read with
  `read_presence` alone: a heartbeat is not a change to the incident;
- everything else of the incident (its row, roles, updates, action items, timers,
  snoozes, checklist ticks, its change history), read whole with `read_incident`.

So one's own entry, or a colleague's heartbeat, never costs a read of the incident.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text

from incident_tui.domain.records import Presence
from incident_tui.domain.timeparse import stored_utc
from incident_tui.store.database import Database
from incident_tui.store.timeline_reads import TimelineCursor

NO_ENTRIES = 2**62
"""A cursor past every entry: marks whose timeline part counts nothing (cheaply)."""


@dataclass(frozen=True)
class Marks:
    """What a follower compares between two looks at one incident."""

    after: int
    """The entry id the timeline figures count from (the cursor)."""
    entries: int
    """Rows of the incident's timeline with an id above `after` (on PostgreSQL, or
    written by a transaction at or above the cursor's horizon: see `TimelineCursor`)."""
    top_entry: int
    """The highest of those ids (`after` when there are none)."""
    top_revision: int
    """The newest entry revision anywhere (an edit or a deletion)."""
    presence: tuple[object, ...]
    """Who has the room open and when they were last heard from, in brief."""
    rest: tuple[object, ...]
    """Everything else of the incident, in brief: a change here needs a whole read."""


_RANGE = "FROM timeline_entry WHERE id > :after AND incident_id + 0 = :number"
# `+ 0` keeps SQLite on the primary key's range past the cursor (a few rows) instead of
# the incident's whole (incident_id, occurred_at) index.
_PG_RANGE = (
    "FROM timeline_entry WHERE incident_id = :number"
    " AND (id > :after OR txid >= CAST(CAST(:horizon AS text) AS xid8))"
)
# PostgreSQL: the union of two index ranges (past the cursor, late transactions' rows).


_TABLES = (
    ("incident_change", ()),
    ("role_holding", ("count(ended_at)", "max(ended_at)")),
    ("status_update", ()),
    ("action_item", ("max(updated_at)",)),
    ("timer", ("count(cancelled_at)", "max(cancelled_at)")),
    ("deadline_snooze", ()),
    ("checklist_tick", ()),
)
_REST_COLUMNS = (
    "title, severity, phase, summary, public_description, is_drill, started_at, detected_at,"
    " acknowledged_at, mitigated_at, resolved_at, closed_at, updated_at"
)


def _marks_sql(timeline_range: str) -> str:
    """One row: the timeline's figures, presence's, then the rest's (SQLite and
    PostgreSQL alike but for the timeline's range; each subquery is an index lookup)."""
    parts = [
        f"(SELECT count(*) {timeline_range})",
        f"(SELECT max(id) {timeline_range})",
        "(SELECT max(id) FROM entry_revision)",
        "(SELECT count(*) FROM presence WHERE incident_id = :number)",
        "(SELECT max(seen_at) FROM presence WHERE incident_id = :number)",
        "(SELECT min(seen_at) FROM presence WHERE incident_id = :number)",
    ]
    for table, more in _TABLES:
        # A scalar subquery yields one column: one subquery per figure, same table.
        parts += [
            f"(SELECT {column} FROM {table} WHERE incident_id = :number)"
            for column in ("count(*)", "max(id)", *more)
        ]
    return f"SELECT {', '.join(parts)}, {_REST_COLUMNS} FROM incident WHERE id = :number"


_MARKS_SQL = text(_marks_sql(_RANGE))
_PG_MARKS_SQL = text(_marks_sql(_PG_RANGE))
_PRESENCE_SQL = text(
    "SELECT name, host, seen_at FROM presence WHERE incident_id = :number ORDER BY opened_at"
)


def read_marks(db: Database, number: int, cursor: TimelineCursor | None) -> Marks | None:
    """The incident's marks, counting timeline rows past `cursor` (None: counting none);
    None when the incident is gone."""
    if cursor is None:
        cursor = TimelineCursor(NO_ENTRIES, 0, NO_ENTRIES)
    after = cursor.entry_id
    with db.read() as session:
        connection = session.connection()
        if connection.dialect.name == "sqlite":
            row = connection.execute(_MARKS_SQL, {"number": number, "after": after}).first()
        else:
            params = {"number": number, "after": after, "horizon": cursor.horizon}
            row = connection.execute(_PG_MARKS_SQL, params).first()
    if row is None:
        return None
    entries, top_entry, top_revision = row[0], row[1], row[2]
    return Marks(
        after=after,
        entries=entries or 0,
        top_entry=top_entry or after,
        top_revision=top_revision or 0,
        presence=tuple(row[3:6]),
        rest=tuple(row[6:]),
    )


def read_presence(db: Database, number: int) -> list[Presence]:
    """Who has the incident's war room open (the presence strip's whole input)."""
    with db.read() as session:
        rows = session.connection().execute(_PRESENCE_SQL, {"number": number}).all()
    return [Presence(name, host, stored_utc(seen_at)) for name, host, seen_at in rows]
