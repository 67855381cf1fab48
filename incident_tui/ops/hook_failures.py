"""A hook that failed (exit ≠ 0, killed at its time limit, could not start), recorded on
the incident it ran for: a system entry by `hooks`, which runs no hook in its turn."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from incident_tui.domain.events import HOOK_AUTHOR
from incident_tui.domain.records import Entry
from incident_tui.ops.rows import entry_view, find_incident, valid_text
from incident_tui.ops.system_entries import add_system_entry
from incident_tui.store.database import Database


def record_hook_failure(db: Database, *, key: str | int, text: str, now: datetime) -> Entry:
    """Add `text` (what failed and how) to the incident's timeline as a `status` entry."""
    body = valid_text(text, "hook failure", limit=1000)

    def work(session: Session) -> Entry:
        incident = find_incident(session, key)
        entry = add_system_entry(session, incident, "status", body, author=HOOK_AUTHOR, now=now)
        session.flush()
        return entry_view(entry)

    return db.write(work)
