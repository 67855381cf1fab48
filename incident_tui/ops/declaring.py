"""Declaring an incident."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlmodel import Session

from incident_tui.domain.checklists import COMMANDER_ASSIGNED, DECLARED, SEVERITY_SET
from incident_tui.domain.context import ContextChange, describe
from incident_tui.domain.errors import IncidentError
from incident_tui.domain.text import MAX_TEXT, clean, one_line
from incident_tui.domain.vocabulary import parse_severity
from incident_tui.ops.context import add_context
from incident_tui.ops.roles import hold_role
from incident_tui.ops.rows import MAX_TITLE, not_future, valid_name, valid_text
from incident_tui.ops.seen import record_seen
from incident_tui.ops.system_entries import add_system_entry
from incident_tui.store import models as m
from incident_tui.store.database import Database


def declare(
    db: Database,
    *,
    title: str,
    severity: int | str,
    author: str,
    now: datetime,
    commander: str | None = None,
    started_at: datetime | None = None,
    summary: str = "",
    is_drill: bool = False,
    context: ContextChange | None = None,
    known_types: Collection[str] = (),
) -> int:
    """Declare an incident; returns its number (the key is INC-<number>). `context`: its
    first services, labels and type (`domain.context.context_change`)."""
    title = one_line(valid_text(title, "title", limit=MAX_TITLE))
    sev = parse_severity(severity)
    author = valid_name(author, "author")
    commander = valid_name(commander, "commander") if commander is not None else None
    started = not_future(started_at, now, "start time") if started_at else now
    summary = clean(summary or "").strip()
    if len(summary) > MAX_TEXT:
        raise IncidentError(f"summary is longer than {MAX_TEXT:,} characters")

    def work(session: Session) -> int:
        incident = add_incident(
            session,
            title=title,
            severity=sev,
            author=author,
            now=now,
            commander=commander,
            started=started,
            summary=summary,
            is_drill=is_drill,
            context=context,
            known_types=known_types,
        )
        return m.saved_id(incident)

    return db.write(work)


def add_incident(
    session: Session,
    *,
    title: str,
    severity: int,
    author: str,
    now: datetime,
    commander: str | None,
    started: datetime,
    summary: str = "",
    is_drill: bool = False,
    context: ContextChange | None = None,
    known_types: Collection[str] = (),
) -> m.Incident:
    """The declaration's rows, in the caller's transaction (its input already checked):
    the incident, its status entry, the commander, the checklist's "seen"."""
    incident = m.Incident(
        title=title,
        severity=severity,
        phase="triage",
        summary=summary,
        is_drill=is_drill,
        declared_at=now,
        declared_by=author,
        started_at=started,
        detected_at=now,
        updated_at=now,
    )
    session.add(incident)
    session.flush()  # the database allocates the number
    began = f"; impact began {started:%Y-%m-%d %H:%M}Z" if started < now else ""
    if context is not None and not context.is_empty():
        done = add_context(
            session, incident, context, author=author, now=now, known_types=known_types
        )
        began += f"; {describe(done)}"
    add_system_entry(
        session,
        incident,
        "status",
        f"Declared SEV{severity}: {title}{began}",
        author=author,
        at=now,
        now=now,
    )
    seen = [DECLARED, SEVERITY_SET]
    if commander:
        hold_role(session, incident, "commander", commander, author=author, now=now, seen=False)
        seen.append(COMMANDER_ASSIGNED)
    record_seen(session, incident, seen, author=author, now=now)  # one entry for all
    return incident
