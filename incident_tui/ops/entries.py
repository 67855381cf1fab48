"""The timeline: logging, editing, deleting and pinning entries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo

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
        entry = _new_entry(number, occurred, now, kind, author, body, pinned, actor)
        session.add(entry)
        _flush_into(session, number)
        if kind == "alert":
            detected_by_alert(session, number, occurred, author=author, now=now)
        return entry_view(entry)

    return db.write(work)


def log_entries(
    db: Database,
    *,
    key: str | int,
    lines: Sequence[tuple[datetime, str]],
    author: str,
    now: datetime,
    kind: str = "note",
    actor: str | None = None,
    actors: Sequence[str] | None = None,
) -> list[Entry]:
    """Add many entries, each `(occurred_at, text)`, in one transaction: all or none (a
    file of timestamped lines, a chat export). Recorded now: those that happened more
    than `RECONSTRUCTED_AFTER` ago are the timeline's reconstructed entries. `actors`,
    one per line, says who did each (a chat's speakers) instead of one `actor`."""
    checked = [
        (not_future(at, now, f"entry {n}'s time"), valid_text(text, f"entry {n}'s text"))
        for n, (at, text) in enumerate(lines, start=1)
    ]
    if not checked:
        raise IncidentError("no entries to log")
    kind = parse_kind(kind)
    author = valid_name(author, "author")
    actor = valid_name(actor, "actor") if actor else ""
    if actors is not None and len(actors) != len(checked):
        raise IncidentError("one actor per entry, or none")
    who = [valid_name(a, "actor") for a in actors] if actors is not None else [actor] * len(checked)
    number = parse_key(key)

    def work(session: Session) -> list[Entry]:
        rows = [
            _new_entry(number, at, now, kind, author, body, False, by)
            for (at, body), by in zip(checked, who, strict=True)
        ]
        session.add_all(rows)  # in order: equal times keep it (the id breaks the tie)
        _flush_into(session, number)
        if kind == "alert":
            first = min(at for at, _ in checked)
            detected_by_alert(session, number, first, author=author, now=now)
        return [entry_view(row) for row in rows]

    return db.write(work)


def _new_entry(
    number: int,
    occurred: datetime,
    now: datetime,
    kind: str,
    author: str,
    body: str,
    pinned: bool,
    actor: str,
) -> m.TimelineEntry:
    return m.TimelineEntry(
        incident_id=number,
        occurred_at=occurred,
        recorded_at=now,
        kind=kind,
        author=author,
        text=body,
        pinned=pinned,
        actor=actor,
    )


def _flush_into(session: Session, number: int) -> None:
    """Flush new entries; a missing incident (the foreign key) is `NotFound`."""
    try:
        session.flush()
    except IntegrityError as error:
        if "foreign key" in str(error.orig).lower():
            raise NotFound(f"no incident {incident_key(number)}") from None
        raise


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


def log_lines(
    db: Database,
    *,
    key: str | int,
    data: bytes | str,
    author: str,
    now: datetime,
    tz: tzinfo,
    kind: str = "note",
    actor: str | None = None,
) -> list[Entry]:
    """One entry per timestamped line of `data` (`domain/line_import.py` reads them; a
    time of day is placed by the incident's start), all in one transaction."""
    number = parse_key(key)
    with db.read() as session:
        incident = session.get(m.Incident, number)
        if incident is None:
            raise NotFound(f"no incident {incident_key(number)}")
        start = incident.started_at
    from incident_tui.domain.line_import import parse_lines  # only `log --lines` reads lines

    lines = parse_lines(data, start=start, now=now, tz=tz)
    return log_entries(
        db,
        key=number,
        lines=[(line.at, line.text) for line in lines],
        author=author,
        now=now,
        kind=kind,
        actor=actor,
    )
