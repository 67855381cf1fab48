"""Status updates posted to an audience."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from incident_tui.domain.checklists import FIRST_UPDATE
from incident_tui.domain.records import Update
from incident_tui.domain.status_drafts import affected_words
from incident_tui.domain.text import one_line
from incident_tui.domain.vocabulary import parse_audience
from incident_tui.ops.public_words import remember_words, valid_words
from incident_tui.ops.rows import find_incident, valid_name, valid_text
from incident_tui.ops.seen import record_seen
from incident_tui.ops.system_entries import add_system_entry
from incident_tui.store import models as m
from incident_tui.store.database import Database


def post_update(
    db: Database, *, key: str | int, audience: str, text: str, author: str, now: datetime
) -> Update:
    """Record a status update to an audience and its `comm` entry; its countdown restarts.
    An external one whose `Affected:` line says what customers notice stores those words
    as the incident's public description, in the same transaction."""
    audience = parse_audience(audience)
    body = valid_text(text, "update text")
    author = valid_name(author, "author")
    said = affected_words(body) if audience == "external" else None
    words = valid_words(said) if said else None

    def work(session: Session) -> Update:
        # Locked: two war rooms posting the first update at once log "first update" once.
        incident = find_incident(session, key, lock=True)
        if words:
            remember_words(session, incident, words, author=author, now=now)
        update = m.StatusUpdate(
            incident_id=m.saved_id(incident),
            audience=audience,
            text=body,
            author=author,
            posted_at=now,
            phase=incident.phase,
        )
        session.add(update)
        add_system_entry(
            session,
            incident,
            "comm",
            f"{audience.capitalize()} update posted: {one_line(body, 200)}",
            author=author,
            at=now,
            now=now,
        )
        record_seen(session, incident, (FIRST_UPDATE,), author=author, now=now)
        session.flush()
        return Update(
            id=m.saved_id(update),
            audience=audience,
            text=body,
            author=author,
            posted_at=now,
            phase=incident.phase,
        )

    return db.write(work)
