"""A first look at a SQLite database with the standard library alone.

Opening the war room on a long incident costs SQLAlchemy's import (≈0.4 s) and a full
read of the timeline; before either, this reads the incident's heading and its newest
entries read-only through `sqlite3`, so they are on screen at the speed of a bare
Textual app. Anything unexpected (another database, an older or newer schema, a missing
file) means no first look: the full read follows regardless.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime

from incident_tui.domain.records import Entry
from incident_tui.domain.timeparse import stored_utc
from incident_tui.domain.vocabulary import incident_key
from incident_tui.store.locations import resolve_target, sqlite_path
from incident_tui.store.schema_revisions import SCHEMA_HEAD

_INCIDENT_SQL = (
    "SELECT title, severity, phase, is_drill, declared_at, started_at FROM incident WHERE id = ?"
)
_NEWEST_SQL = (
    "SELECT id, occurred_at, recorded_at, kind, author, text, pinned, version"
    " FROM timeline_entry WHERE incident_id = ? AND deleted_at IS NULL"
    " ORDER BY occurred_at DESC, id DESC LIMIT ?"
)


@dataclass
class FirstLook:
    """What the heading needs (same names as `IncidentDetail`) and the newest entries."""

    number: int
    title: str
    severity: int
    phase: str
    is_drill: bool
    declared_at: datetime
    milestones: dict[str, datetime | None]
    timeline: list[Entry] = field(default_factory=list)
    # The context shows from the full read on (the first paint is the heading and entries).
    incident_type: str | None = None
    services: tuple[str, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return incident_key(self.number)


def first_look(target: str | os.PathLike | None, number: int, limit: int) -> FirstLook | None:
    """The incident's heading and its `limit` newest entries, or None."""
    path = sqlite_path(resolve_target(target))
    if path is None or not path.is_file():
        return None
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
    except sqlite3.Error:
        return None
    try:
        version = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        if not version or version[0] != SCHEMA_HEAD:
            return None
        row = connection.execute(_INCIDENT_SQL, (number,)).fetchone()
        if row is None:
            return None
        title, severity, phase, is_drill, declared_at, started_at = row
        rows = connection.execute(_NEWEST_SQL, (number, limit)).fetchall()
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    entries = [
        Entry(id, stored_utc(occurred), stored_utc(recorded), kind, author, body, bool(pin), ver)
        for id, occurred, recorded, kind, author, body, pin, ver in reversed(rows)
    ]
    return FirstLook(
        number=number,
        title=title,
        severity=severity,
        phase=phase,
        is_drill=bool(is_drill),
        declared_at=stored_utc(declared_at),
        milestones={"started_at": stored_utc(started_at)},
        timeline=entries,
    )
