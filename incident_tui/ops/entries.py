"""The timeline: logging, editing, deleting and pinning entries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from incident_tui.domain.errors import ConflictError, IncidentError, NotFound
from incident_tui.domain.records import Entry
from incident_tui.domain.text import one_line
from incident_tui.domain.timeparse import iso_z
from incident_tui.domain.vocabulary import SYSTEM_KINDS, incident_key, parse_key, parse_kind
from incident_tui.ops.milestones import detected_by_alert
from incident_tui.ops.rows import entry_view, find_incident, not_future, valid_name, valid_text
from incident_tui.store import models as m
from incident_tui.store.database import Database


def log_entry(
    db: Database,
    *,
    key: str | int,
    text: str,
    author: str,
    now: datetime,
    at: datetime | None = None,
    kind: str = "note",
    pinned: bool = False,
    actor: str | None = None,
) -> Entry:
    """Add an entry to the timeline (backdated when `at` is given). `actor` is who did
    it, when not the author (who typed it). An alert earlier than a derived detection
    moves `detected` back to it (see `milestone_order`)."""
    body = valid_text(text, "entry text")
    kind = parse_kind(kind)
    author = valid_name(author, "author")
    actor = valid_name(actor, "actor") if actor else ""
    occurred = not_future(at, now, "entry time") if at else now

    number = parse_key(key)

    def work(session: Session) -> Entry:
        # The scribe's hot path: the foreign key proves the incident exists, which costs
        # nothing, where loading the incident first doubled the time (benchmarks/run.py).
        entry = m.TimelineEntry(
            incident_id=number,
            occurred_at=occurred,
            recorded_at=now,
            kind=kind,
            author=author,
            text=body,
            pinned=pinned,
            actor=actor,
        )
        session.add(entry)
        try:
            session.flush()
        except IntegrityError as error:
            if "foreign key" in str(error.orig).lower():
                raise NotFound(f"no incident {incident_key(number)}") from None
            raise
        if kind == "alert":
            detected_by_alert(session, number, occurred, author=author, now=now)
        return entry_view(entry)

    return db.write(work)


def _entry_for_change(
    session: Session, key: str | int, entry_id: int, expected_version: int | None
) -> tuple[m.Incident, m.TimelineEntry]:
    incident = find_incident(session, key)
    entry = session.get(m.TimelineEntry, entry_id)
    if entry is None or entry.incident_id != incident.id or entry.deleted_at is not None:
        raise NotFound(f"no entry #{entry_id} in {incident_key(m.saved_id(incident))}")
    if expected_version is not None and entry.version != expected_version:
        last = session.exec(
            select(m.EntryRevision)
            .where(m.EntryRevision.entry_id == entry_id)
            .order_by(col(m.EntryRevision.id).desc())
            .limit(1)
        ).first()
        who = f"{last.changed_by} at {iso_z(last.changed_at)[11:]}" if last else "someone"
        raise ConflictError(
            f"entry #{entry_id} was changed by {who} while you edited it; "
            f"theirs: {one_line(entry.text, 120)}",
            current=entry_view(entry),
            version=entry.version,
        )
    return incident, entry


def _keep_revision(
    session: Session, entry: m.TimelineEntry, change: str, author: str, now: datetime
) -> None:
    session.add(
        m.EntryRevision(
            entry_id=m.saved_id(entry),
            change=change,
            changed_at=now,
            changed_by=author,
            kind=entry.kind,
            text=entry.text,
            occurred_at=entry.occurred_at,
            pinned=entry.pinned,
        )
    )
    entry.version += 1


def edit_entry(
    db: Database,
    *,
    key: str | int,
    entry_id: int,
    author: str,
    now: datetime,
    text: str | None = None,
    kind: str | None = None,
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
) -> Entry:
    """Change an entry's text, kind or time; the previous version is kept."""
    body = valid_text(text, "entry text") if text is not None else None
    new_kind = parse_kind(kind) if kind is not None else None
    when = not_future(occurred_at, now, "entry time") if occurred_at else None
    author = valid_name(author, "author")

    def work(session: Session) -> Entry:
        _, entry = _entry_for_change(session, key, entry_id, expected_version)
        if new_kind is not None and entry.kind in SYSTEM_KINDS and new_kind != entry.kind:
            raise IncidentError(f"entry #{entry_id} was written by the system; its kind stays")
        if body is not None and body != entry.text and entry.kind in SYSTEM_KINDS:
            # A record of a state change (phase, role, update posted): its words are the
            # change itself; changing them would make the timeline disagree with the state.
            raise IncidentError(f"entry #{entry_id} records a {entry.kind} change; its text stays")
        _keep_revision(session, entry, "edit", author, now)
        if body is not None:
            entry.text = body
        if new_kind is not None:
            entry.kind = new_kind
        if when is not None:
            entry.occurred_at = when
        session.flush()
        return entry_view(entry)

    return db.write(work)


def delete_entry(
    db: Database,
    *,
    key: str | int,
    entry_id: int,
    author: str,
    now: datetime,
    expected_version: int | None = None,
) -> None:
    """Mark an entry deleted; it stays in the database with its history."""
    author = valid_name(author, "author")

    def work(session: Session) -> None:
        _, entry = _entry_for_change(session, key, entry_id, expected_version)
        if entry.kind in SYSTEM_KINDS:
            raise IncidentError(f"entry #{entry_id} records a {entry.kind} change; it stays")
        _keep_revision(session, entry, "delete", author, now)
        entry.deleted_at = now
        entry.deleted_by = author

    db.write(work)


def pin_entry(
    db: Database,
    *,
    key: str | int,
    author: str,
    now: datetime,
    entry_id: int | None = None,
    pinned: bool | None = None,
) -> Entry:
    """Pin (or unpin; `pinned=None` toggles) an entry; without an id, the newest one."""
    author = valid_name(author, "author")

    def work(session: Session) -> Entry:
        incident = find_incident(session, key)
        target = entry_id
        if target is None:
            target = session.exec(
                select(m.TimelineEntry.id)
                .where(m.TimelineEntry.incident_id == incident.id)
                .where(col(m.TimelineEntry.deleted_at).is_(None))
                .order_by(col(m.TimelineEntry.recorded_at).desc(), col(m.TimelineEntry.id).desc())
                .limit(1)
            ).first()
            if target is None:
                raise IncidentError(f"{incident_key(m.saved_id(incident))} has no entry to pin")
        _, entry = _entry_for_change(session, m.saved_id(incident), target, None)
        _keep_revision(session, entry, "pin", author, now)
        entry.pinned = (not entry.pinned) if pinned is None else pinned
        session.flush()
        return entry_view(entry)

    return db.write(work)
