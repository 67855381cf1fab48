"""An incident's words for the public: what customers notice, in plain words.

One operation (`set_public_description`) for the CLI (`incident-tui public`), the entry
line (`/public TEXT`) and the palette; `remember_words` is what an external update does
in its own transaction when its `Affected:` line says it (the composer asks for it on the
first one). The status-page and SMS drafts use these words, never the internal title.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from incident_tui.domain.errors import IncidentError, NotFound
from incident_tui.domain.text import clean, one_line
from incident_tui.domain.vocabulary import incident_key, parse_key
from incident_tui.ops.system_entries import add_system_entry
from incident_tui.store import models as m
from incident_tui.store.database import Database

MAX_PUBLIC = 300
"""Characters: a sentence or two, what fits a status page's heading and an SMS."""


def valid_words(text: str | None) -> str:
    """`text` on one line, cleaned; refused when empty or longer than MAX_PUBLIC."""
    words = one_line(clean(text or ""))
    if not words:
        raise IncidentError("say what customers notice (the words for the public are empty)")
    if len(words) > MAX_PUBLIC:
        raise IncidentError(
            f"the words for the public are {len(words)} characters long; the limit is {MAX_PUBLIC}"
        )
    return words


def remember_words(
    session: Session, incident: m.Incident, words: str, *, author: str, now: datetime
) -> bool:
    """Store `words` as the incident's public description and log it (a `status` entry,
    so the earlier words stay in the timeline); False when they were the same already."""
    if incident.public_description == words:
        return False
    incident.public_description = words
    text = f"Words for the public: {words}"
    add_system_entry(session, incident, "status", text, author=author, now=now)
    return True


def set_public_description(
    db: Database, *, key: str | int, text: str, author: str, now: datetime
) -> str:
    """Set what customers notice; the next status-page and SMS drafts use it."""
    words = valid_words(text)
    number = parse_key(key)
    author = one_line(author or "")
    if not author:
        raise IncidentError("author is empty")

    def work(session: Session) -> str:
        incident = session.get(m.Incident, number, with_for_update=True)
        if incident is None:
            raise NotFound(f"no incident {incident_key(number)}")
        if not remember_words(session, incident, words, author=author, now=now):
            raise IncidentError(f"{incident_key(number)} already says that to the public")
        return f"{incident_key(number)}: words for the public set: {words}"

    return db.write(work)
