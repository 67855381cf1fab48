"""The operations people perform on an incident: one implementation for CLI, slash
commands and screens alike.

Each function validates its input, then does its work in one write transaction (retried
whole when the database is busy) that also writes the system timeline entry, if any.
Times are passed in (`now`, `at`) so callers decide the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from incident_tui.domain.checklists import COMMANDER_ASSIGNED, DECLARED, FIRST_UPDATE, SEVERITY_SET
from incident_tui.domain.errors import ConflictError, IncidentError, NotFound
from incident_tui.domain.instants import (
    calendar_day,
    event_instant,
    length_of_time,
    milestone_order,
)
from incident_tui.domain.status_drafts import affected_words
from incident_tui.domain.text import MAX_TEXT, clean, one_line
from incident_tui.domain.timeparse import iso_z
from incident_tui.domain.vocabulary import (
    MILESTONES,
    PHASES,
    SYSTEM_KINDS,
    Action,
    Entry,
    Update,
    incident_key,
    parse_action_status,
    parse_action_type,
    parse_audience,
    parse_key,
    parse_kind,
    parse_phase,
    parse_priority,
    parse_role,
    parse_severity,
)
from incident_tui.ops.public_words import remember_words, valid_words
from incident_tui.ops.seen import record_seen
from incident_tui.ops.system_entries import add_system_entry
from incident_tui.store import models as m
from incident_tui.store.database import Database
from incident_tui.store.queries import action_view

MAX_TITLE = 200
MAX_NAME = 80


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: object = _Unset()
"""Marks an argument that was not given (None may mean "clear it")."""


def valid_text(value: str | None, what: str, *, limit: int = MAX_TEXT) -> str:
    """`value` cleaned of control sequences and trimmed; refused when empty or too long."""
    cleaned = clean(value or "").strip()
    if not cleaned:
        raise IncidentError(f"{what} is empty")
    if len(cleaned) > limit:
        raise IncidentError(f"{what} is {len(cleaned):,} characters long; the limit is {limit:,}")
    return cleaned


def valid_name(value: str | None, what: str = "name") -> str:
    name = one_line(value or "")
    if not name:
        raise IncidentError(f"{what} is empty")
    if len(name) > MAX_NAME:
        raise IncidentError(f"{what} is longer than {MAX_NAME} characters")
    return name


def _not_future(at: datetime, now: datetime, what: str) -> datetime:
    return event_instant(at, now=now, what=what)


def _due(day: date | None, now: datetime) -> date | None:
    return calendar_day(day, today=now.date(), what="due date") if day is not None else None


def _incident(session: Session, key: str | int, *, lock: bool = False) -> m.Incident:
    number = parse_key(key)
    incident = session.get(m.Incident, number, with_for_update=lock or None)
    if incident is None:
        raise NotFound(f"no incident {incident_key(number)}")
    return incident


def _system_entry(
    session: Session,
    incident: m.Incident,
    kind: str,
    text: str,
    *,
    author: str,
    at: datetime,
    now: datetime,
) -> m.TimelineEntry:
    return add_system_entry(session, incident, kind, text, author=author, now=now, at=at)


def _entry_view(row: m.TimelineEntry) -> Entry:
    return Entry(
        id=row.id,
        occurred_at=row.occurred_at,
        recorded_at=row.recorded_at,
        kind=row.kind,
        author=row.author,
        text=row.text,
        pinned=row.pinned,
        version=row.version,
        actor=row.actor,
    )


def _change(
    session: Session,
    incident: m.Incident,
    field: str,
    old: object,
    new: object,
    *,
    author: str,
    at: datetime,
    now: datetime,
) -> None:
    session.add(
        m.IncidentChange(
            incident_id=incident.id,
            at=at,
            recorded_at=now,
            field=field,
            old=None if old is None else str(old),
            new=None if new is None else str(new),
            author=author,
        )
    )


# --- declaring --------------------------------------------------------------------------


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
) -> int:
    """Declare an incident; returns its number (the key is INC-<number>)."""
    title = one_line(valid_text(title, "title", limit=MAX_TITLE))
    sev = parse_severity(severity)
    author = valid_name(author, "author")
    commander = valid_name(commander, "commander") if commander is not None else None
    started = _not_future(started_at, now, "start time") if started_at else now
    summary = clean(summary or "").strip()
    if len(summary) > MAX_TEXT:
        raise IncidentError(f"summary is longer than {MAX_TEXT:,} characters")

    def work(session: Session) -> int:
        incident = m.Incident(
            title=title,
            severity=sev,
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
        _system_entry(
            session,
            incident,
            "status",
            f"Declared SEV{sev}: {title}{began}",
            author=author,
            at=now,
            now=now,
        )
        seen = [DECLARED, SEVERITY_SET]
        if commander:
            _hold(session, incident, "commander", commander, author=author, now=now, seen=False)
            seen.append(COMMANDER_ASSIGNED)
        record_seen(session, incident, seen, author=author, now=now)  # one entry for all
        return incident.id

    return db.write(work)


# --- the timeline -----------------------------------------------------------------------


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
    occurred = _not_future(at, now, "entry time") if at else now

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
            _detected_by_alert(session, number, occurred, author=author, now=now)
        return _entry_view(entry)

    return db.write(work)


def _derived_milestones(session: Session, incident: m.Incident) -> set[str]:
    """`started` and `detected` while nobody set them by hand (`milestone_order`)."""
    from incident_tui.domain.milestone_order import AUTO_AUTHOR, DERIVABLE

    hand_set = set(
        session.exec(
            select(m.IncidentChange.field)
            .where(m.IncidentChange.incident_id == incident.id)
            .where(col(m.IncidentChange.field).in_(DERIVABLE))
            .where(m.IncidentChange.author != AUTO_AUTHOR)
        ).all()
    )
    derived = {name for name in DERIVABLE if name not in hand_set}
    if "started_at" in derived and incident.started_at != incident.declared_at:
        moved = session.exec(
            select(m.IncidentChange.id)
            .where(m.IncidentChange.incident_id == incident.id)
            .where(m.IncidentChange.field == "started_at")
        ).first()
        if moved is None:  # given at the declaration (--started-at)
            derived.discard("started_at")
    return derived


def _milestones(incident: m.Incident) -> dict[str, datetime | None]:
    return {name: getattr(incident, name) for name in MILESTONES}


def _move_milestones(
    session: Session, incident: m.Incident, moves: dict[str, datetime], *, now: datetime
) -> None:
    from incident_tui.domain.milestone_order import AUTO_AUTHOR

    for name, at in moves.items():
        _put_milestone(session, incident, name, at, author=AUTO_AUTHOR, at=at, now=now)


def _put_milestone(
    session: Session,
    incident: m.Incident,
    name: str,
    value: datetime | None,
    *,
    author: str,
    at: datetime,
    now: datetime,
) -> None:
    """Set one milestone and record the change (old and new as ISO text)."""
    old = getattr(incident, name)
    setattr(incident, name, value)
    _change(
        session,
        incident,
        name,
        old.isoformat() if old else None,
        value.isoformat() if value else None,
        author=author,
        at=at,
        now=now,
    )


def _detected_by_alert(
    session: Session, number: int, occurred: datetime, *, author: str, now: datetime
) -> None:
    """`detected` defaults to the earlier of the declaration and the first alert (never
    before the impact began, when that was given by hand)."""
    from incident_tui.domain.milestone_order import describe_moves, settle

    incident = _incident(session, number, lock=True)
    derived = _derived_milestones(session, incident)
    detected = incident.detected_at
    if "detected_at" not in derived or detected is None or occurred >= detected:
        return
    target = occurred
    if "started_at" not in derived and incident.started_at > target:
        target = incident.started_at
    if target >= detected:
        return
    before = _milestones(incident)
    moves = {"detected_at": target, **settle(before, "detected_at", target, derived)}
    _move_milestones(session, incident, moves, now=now)
    notes = describe_moves(moves, before, "detected_at", because="the first alert")
    text = "Milestone " + ", ".join(notes)
    _system_entry(session, incident, "status", text, author=author, at=now, now=now)


def _entry_for_change(
    session: Session, key: str | int, entry_id: int, expected_version: int | None
) -> tuple[m.Incident, m.TimelineEntry]:
    incident = _incident(session, key)
    entry = session.get(m.TimelineEntry, entry_id)
    if entry is None or entry.incident_id != incident.id or entry.deleted_at is not None:
        raise NotFound(f"no entry #{entry_id} in {incident_key(incident.id)}")
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
            current=_entry_view(entry),
            version=entry.version,
        )
    return incident, entry


def _keep_revision(
    session: Session, entry: m.TimelineEntry, change: str, author: str, now: datetime
) -> None:
    session.add(
        m.EntryRevision(
            entry_id=entry.id,
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
    when = _not_future(occurred_at, now, "entry time") if occurred_at else None
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
        return _entry_view(entry)

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
        incident = _incident(session, key)
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
                raise IncidentError(f"{incident_key(incident.id)} has no entry to pin")
        _, entry = _entry_for_change(session, incident.id, target, None)
        _keep_revision(session, entry, "pin", author, now)
        entry.pinned = (not entry.pinned) if pinned is None else pinned
        session.flush()
        return _entry_view(entry)

    return db.write(work)


# --- phase, severity, milestones --------------------------------------------------------

# The milestone each phase sets on entering it, and clears when moving back before it.
_PHASE_MILESTONES = (
    ("investigating", "acknowledged_at"),
    ("monitoring", "mitigated_at"),
    ("resolved", "resolved_at"),
    ("closed", "closed_at"),
)


def set_phase(
    db: Database,
    *,
    key: str | int,
    phase: str,
    author: str,
    now: datetime,
    at: datetime | None = None,
) -> str:
    """Move the incident to `phase` (backwards too); milestones follow. Returns the entry text."""
    new = parse_phase(phase)
    author = valid_name(author, "author")
    when = _not_future(at, now, "phase time") if at else now

    def work(session: Session) -> str:
        incident = _incident(session, key, lock=True)
        old = incident.phase
        if old == new:
            raise IncidentError(f"{incident_key(incident.id)} is already {new}")
        notes = []
        index = PHASES.index(new)
        for phase_name, milestone in _PHASE_MILESTONES:
            reached = index >= PHASES.index(phase_name)
            current = getattr(incident, milestone)
            if reached and current is None:
                notes.extend(_keep_order(session, incident, milestone, when, now=now))
                milestone_order(milestone, when, {n: getattr(incident, n) for n in MILESTONES})
                setattr(incident, milestone, when)
                _change(
                    session,
                    incident,
                    milestone,
                    None,
                    when.isoformat(),
                    author=author,
                    at=when,
                    now=now,
                )
            elif not reached and current is not None and milestone != "acknowledged_at":
                setattr(incident, milestone, None)
                notes.append(f"{milestone.removesuffix('_at')} {current:%H:%M}Z cleared")
                _change(
                    session,
                    incident,
                    milestone,
                    current.isoformat(),
                    None,
                    author=author,
                    at=when,
                    now=now,
                )
        incident.phase = new
        _change(session, incident, "phase", old, new, author=author, at=when, now=now)
        direction = " (back)" if index < PHASES.index(old) else ""
        text = f"Phase {old} → {new}{direction}"
        if notes:
            text += "; " + ", ".join(notes)
        _system_entry(session, incident, "status", text, author=author, at=when, now=now)
        return text

    return db.write(work)


def _keep_order(
    session: Session, incident: m.Incident, milestone: str, when: datetime, *, now: datetime
) -> list[str]:
    """Move the derived milestones `milestone` at `when` must not precede; refuse when a
    hand-set one is in the way. Returns what moved, for the entry's text."""
    from incident_tui.domain.milestone_order import describe_moves, settle

    hint = f"; set it with `incident-tui milestone {incident_key(incident.id)} NAME TIME` first"
    derived = _derived_milestones(session, incident)
    before = _milestones(incident)
    moves = settle(before, milestone, when, derived, hint=hint)
    _move_milestones(session, incident, moves, now=now)
    return describe_moves(moves, before, milestone)


def set_severity(
    db: Database, *, key: str | int, severity: int | str, author: str, now: datetime
) -> str:
    """Change the severity; update cadences and countdowns follow from the change's time."""
    new = parse_severity(severity)
    author = valid_name(author, "author")

    def work(session: Session) -> str:
        incident = _incident(session, key, lock=True)
        old = incident.severity
        if old == new:
            raise IncidentError(f"{incident_key(incident.id)} is already SEV{new}")
        incident.severity = new
        _change(session, incident, "severity", old, new, author=author, at=now, now=now)
        text = f"Severity SEV{old} → SEV{new}"
        _system_entry(session, incident, "status", text, author=author, at=now, now=now)
        record_seen(session, incident, (SEVERITY_SET,), author=author, now=now)
        return text

    return db.write(work)


def set_milestone(
    db: Database,
    *,
    key: str | int,
    milestone: str,
    at: datetime | None,
    author: str,
    now: datetime,
) -> str:
    """Set (or clear, with `at=None`) a milestone by hand."""
    name = milestone.strip().lower()
    if not name.endswith("_at"):
        name += "_at"
    if name not in MILESTONES:
        raise IncidentError(
            f"unknown milestone {milestone.strip()!r}; milestones: "
            + ", ".join(n.removesuffix("_at") for n in MILESTONES)
        )
    if name == "started_at" and at is None:
        raise IncidentError("started cannot be cleared: impact began at some time")
    when = _not_future(at, now, "milestone time") if at else None
    author = valid_name(author, "author")

    def work(session: Session) -> str:
        incident = _incident(session, key, lock=True)
        notes = _keep_order(session, incident, name, when, now=now) if when else []
        milestone_order(name, when, {n: getattr(incident, n) for n in MILESTONES})
        _put_milestone(session, incident, name, when, author=author, at=now, now=now)
        label = name.removesuffix("_at")
        text = (
            f"Milestone {label} set to {when:%Y-%m-%d %H:%M:%S}Z"
            if when
            else f"Milestone {label} cleared"
        )
        if notes:
            text += "; " + ", ".join(notes)
        _system_entry(session, incident, "status", text, author=author, at=now, now=now)
        return text

    return db.write(work)


# --- roles ------------------------------------------------------------------------------


def _hold(
    session: Session,
    incident: m.Incident,
    role: str,
    holder: str | None,
    *,
    author: str,
    now: datetime,
    seen: bool = True,
) -> str:
    current = session.exec(
        select(m.RoleHolding)
        .where(m.RoleHolding.incident_id == incident.id)
        .where(m.RoleHolding.role == role)
        .where(col(m.RoleHolding.ended_at).is_(None))
    ).all()
    previous = current[-1].holder if current else None
    if holder is not None and previous == holder:
        raise IncidentError(f"{holder} already holds {role}")
    if holder is None and previous is None:
        raise IncidentError(f"{role} is already vacant")
    for holding in current:
        holding.ended_at = now
    if holder is None:
        text = f"{role} vacated (was {previous})"
    else:
        session.add(
            m.RoleHolding(
                incident_id=incident.id,
                role=role,
                holder=holder,
                started_at=now,
                assigned_by=author,
            )
        )
        text = f"{holder} is {role}" + (f", taking over from {previous}" if previous else "")
    _system_entry(session, incident, "role", text, author=author, at=now, now=now)
    if seen and role == "commander" and holder is not None:
        record_seen(session, incident, (COMMANDER_ASSIGNED,), author=author, now=now)
    return text


def hand_over_role(
    db: Database, *, key: str | int, role: str, holder: str | None, author: str, now: datetime
) -> str:
    """Give `role` to `holder` (None vacates it); the old holding ends, both are kept."""
    role = parse_role(role)
    holder = valid_name(holder, "holder") if holder is not None else None
    author = valid_name(author, "author")

    def work(session: Session) -> str:
        incident = _incident(session, key, lock=True)
        return _hold(session, incident, role, holder, author=author, now=now)

    return db.write(work)


# --- communication ----------------------------------------------------------------------


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
        incident = _incident(session, key, lock=True)
        if words:
            remember_words(session, incident, words, author=author, now=now)
        update = m.StatusUpdate(
            incident_id=incident.id,
            audience=audience,
            text=body,
            author=author,
            posted_at=now,
            phase=incident.phase,
        )
        session.add(update)
        _system_entry(
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
            id=update.id,
            audience=audience,
            text=body,
            author=author,
            posted_at=now,
            phase=incident.phase,
        )

    return db.write(work)


# --- action items -----------------------------------------------------------------------


def add_action(
    db: Database,
    *,
    key: str | int,
    description: str,
    author: str,
    now: datetime,
    owner: str | None = None,
    due_date: date | None = None,
    priority: str = "P2",
    type: str | None = None,
    ticket: str | None = None,
) -> Action:
    """Raise an action item on the incident."""
    body = one_line(valid_text(description, "action description", limit=2000))
    owner = valid_name(owner, "owner") if owner is not None else None
    priority = parse_priority(priority)
    kind = parse_action_type(type) if type is not None else None
    ticket = valid_name(ticket, "ticket") if ticket is not None else None
    author = valid_name(author, "author")
    due_date = _due(due_date, now)

    def work(session: Session) -> Action:
        incident = _incident(session, key)
        item = m.ActionItem(
            incident_id=incident.id,
            description=body,
            owner=owner,
            due_date=due_date,
            priority=priority,
            type=kind,
            ticket=ticket,
            created_at=now,
            created_by=author,
            updated_at=now,
        )
        session.add(item)
        session.flush()
        return action_view(item)

    return db.write(work)


TRACKED_ACTION_FIELDS = ("status", "owner", "due_date", "priority")
"""Changes to these are written to the incident's timeline (the follow-through record)."""


def _shown(value: object) -> str:
    return "none" if value is None else str(value)


def update_action(
    db: Database,
    *,
    action_id: int,
    author: str,
    now: datetime,
    description: object = UNSET,
    owner: object = UNSET,
    due_date: object = UNSET,
    priority: object = UNSET,
    type: object = UNSET,
    status: object = UNSET,
    ticket: object = UNSET,
) -> Action:
    """Change fields of an action item (None clears owner, due date, type or ticket)."""
    changes: dict[str, object] = {}
    if description is not UNSET:
        changes["description"] = one_line(valid_text(str(description), "action description"))
    if owner is not UNSET:
        changes["owner"] = valid_name(str(owner), "owner") if owner is not None else None
    if due_date is not UNSET:
        if due_date is not None and not isinstance(due_date, date):
            raise IncidentError("due date must be a date")
        changes["due_date"] = _due(due_date, now)
    if priority is not UNSET:
        changes["priority"] = parse_priority(str(priority))
    if type is not UNSET:
        changes["type"] = parse_action_type(str(type)) if type is not None else None
    if status is not UNSET:
        changes["status"] = parse_action_status(str(status))
    if ticket is not UNSET:
        changes["ticket"] = valid_name(str(ticket), "ticket") if ticket is not None else None
    if not changes:
        raise IncidentError("nothing to change")
    valid_name(author, "author")

    def work(session: Session) -> Action:
        item = session.get(m.ActionItem, action_id)
        if item is None:
            raise NotFound(f"no action item #{action_id}")
        tracked = []
        for name, value in changes.items():
            before = getattr(item, name)
            if name in TRACKED_ACTION_FIELDS and before != value:
                tracked.append(f"{name.replace('_', ' ')} {_shown(before)} → {_shown(value)}")
            setattr(item, name, value)
        item.updated_at = now
        if tracked:
            # Follow-through is part of the incident's record: who moved it, when.
            _system_entry(
                session,
                session.get(m.Incident, item.incident_id),
                "status",
                f"Action item #{item.id} ({one_line(item.description, 60)}): " + ", ".join(tracked),
                author=author,
                at=now,
                now=now,
            )
        session.flush()
        return action_view(item)

    return db.write(work)


# --- countdowns -------------------------------------------------------------------------


@dataclass(frozen=True)
class TimerStarted:
    id: int
    label: str
    due_at: datetime


def start_timer(
    db: Database,
    *,
    key: str | int,
    duration: timedelta,
    label: str,
    author: str,
    now: datetime,
) -> TimerStarted:
    """An ad-hoc countdown of `duration` from now."""
    label = valid_name(label, "timer label")
    length_of_time(duration, what="a timer's duration")
    author = valid_name(author, "author")

    def work(session: Session) -> TimerStarted:
        incident = _incident(session, key)
        timer = m.Timer(
            incident_id=incident.id,
            label=label,
            due_at=now + duration,
            started_at=now,
            started_by=author,
        )
        session.add(timer)
        session.flush()
        return TimerStarted(timer.id, label, timer.due_at)

    return db.write(work)


def cancel_timer(db: Database, *, key: str | int, label: str, author: str, now: datetime) -> str:
    """Dismiss the open timers called `label` (rung or not); logged. What was done, in a line."""
    author = valid_name(author, "author")

    def work(session: Session) -> str:
        incident = _incident(session, key)
        timers = session.exec(
            select(m.Timer)
            .where(m.Timer.incident_id == incident.id)
            .where(m.Timer.label == label)
            .where(col(m.Timer.cancelled_at).is_(None))
        ).all()
        if not timers:
            running = session.exec(
                select(m.Timer.label)
                .where(m.Timer.incident_id == incident.id)
                .where(col(m.Timer.cancelled_at).is_(None))
            ).all()
            names = ", ".join(repr(name) for name in sorted(set(running))) or "none"
            raise NotFound(f"no running timer {label!r}; running: {names}")
        for timer in timers:
            timer.cancelled_at = now
        rang = any(t.due_at <= now for t in timers)
        text = f"Timer done: {label}" + (" (it had rung)" if rang else " (before it rang)")
        _system_entry(session, incident, "status", text, author=author, at=now, now=now)
        return text

    return db.write(work)


def snooze_deadline(
    db: Database,
    *,
    key: str | int,
    deadline: str,
    due_at: datetime,
    minutes: int,
    author: str,
    now: datetime,
) -> str:
    """Push a countdown (currently due at `due_at`) back by 5, 10 or 15 minutes; logged."""
    if minutes not in (5, 10, 15):
        raise IncidentError("a countdown snoozes for 5, 10 or 15 minutes")
    author = valid_name(author, "author")
    until = max(due_at, now) + timedelta(minutes=minutes)

    def work(session: Session) -> str:
        incident = _incident(session, key)
        session.add(
            m.DeadlineSnooze(
                incident_id=incident.id,
                deadline=deadline,
                until=until,
                snoozed_at=now,
                snoozed_by=author,
            )
        )
        text = f"Snoozed {deadline} {minutes} min (now due {until:%H:%M}Z)"
        _system_entry(session, incident, "status", text, author=author, at=now, now=now)
        return text

    return db.write(work)


# --- the postmortem ---------------------------------------------------------------------


def _postmortem_row(session: Session, incident: m.Incident, now: datetime) -> m.Postmortem:
    row = session.get(m.Postmortem, incident.id)
    if row is None:
        row = m.Postmortem(incident_id=incident.id, updated_at=now)
        session.add(row)
    return row


def save_postmortem_field(
    db: Database, *, key: str | int, field: str, value: object, author: str, now: datetime
) -> None:
    """Set one field of the postmortem (summary, root cause, status, …): one transaction."""
    from incident_tui.domain.postmortem_draft import (
        EDITABLE_FIELDS,
        LIST_FIELDS,
        POSTMORTEM_STATUSES,
        parse_users_affected,
    )

    if field not in EDITABLE_FIELDS:
        raise IncidentError(f"the postmortem has no field {field!r}")
    if field == "status":
        value = str(value).strip().lower()
        if value not in POSTMORTEM_STATUSES:
            raise IncidentError(
                f"postmortem status must be {', '.join(POSTMORTEM_STATUSES)}, not {value!r}"
            )
    elif field == "sla_breached":
        if value is not None and not isinstance(value, bool):
            raise IncidentError("SLA breached is yes, no, or computed from the policy")
    elif field in LIST_FIELDS:
        value = stored_points(field, value)
    else:
        value = clean(str(value or "")).strip()
        if len(value) > MAX_TEXT:
            raise IncidentError(f"{field.replace('_', ' ')} is longer than {MAX_TEXT:,} characters")
        if field == "users_affected":
            parse_users_affected(value)
    valid_name(author, "author")

    def work(session: Session) -> None:
        incident = _incident(session, key)
        row = _postmortem_row(session, incident, now)
        setattr(row, field, value)
        row.updated_at = now

    db.write(work)


def stored_points(field: str, value: object) -> str:
    """A list section's points, cleaned, empty ones dropped, as stored (a JSON array)."""
    import json

    from incident_tui.domain.postmortem_draft import MAX_POINTS

    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list | tuple):
        raise IncidentError(f"{field.replace('_', ' ')} is a list of points")
    points = [" ".join(clean(str(p)).split()) for p in value]
    points = [p for p in points if p]
    if len(points) > MAX_POINTS:
        raise IncidentError(f"{field.replace('_', ' ')} has more than {MAX_POINTS} points")
    for point in points:
        if len(point) > MAX_TEXT:
            raise IncidentError(f"a point is longer than {MAX_TEXT:,} characters")
    return json.dumps(points, ensure_ascii=False)


def _whys(session: Session, number: int) -> list[m.FiveWhy]:
    return list(
        session.exec(
            select(m.FiveWhy)
            .where(m.FiveWhy.incident_id == number)
            .order_by(col(m.FiveWhy.position))
        ).all()
    )


def _whys_around(
    session: Session, key: str | int, position: int
) -> tuple[m.Incident, list[m.FiveWhy]]:
    """The incident and its whys, checking that pair `position` (1-based) exists."""
    incident = _incident(session, key)
    whys = _whys(session, incident.id)
    if not 1 <= position <= len(whys):
        raise NotFound(f"no why #{position}")
    return incident, whys


def _renumber(session: Session, whys: list[m.FiveWhy]) -> None:
    """Positions 1..n in list order; parked above the range first so the unique
    (incident, position) constraint never sees two at once."""
    for index, why in enumerate(whys):
        why.position = 10_000 + index
    session.flush()
    for index, why in enumerate(whys, start=1):
        why.position = index
    session.flush()


def save_why(
    db: Database,
    *,
    key: str | int,
    question: str,
    answer: str,
    author: str,
    now: datetime,
    position: int | None = None,
) -> int:
    """Add a question/answer pair (or, given `position`, change that one); its position."""
    question = valid_text(question, "question", limit=2000)
    answer = clean(answer or "").strip()
    valid_name(author, "author")

    def work(session: Session) -> int:
        if position is not None:
            incident, whys = _whys_around(session, key, position)
            why = whys[position - 1]
            why.question, why.answer = question, answer
            _postmortem_row(session, incident, now).updated_at = now
            return position
        incident = _incident(session, key)
        added = len(_whys(session, incident.id)) + 1
        session.add(
            m.FiveWhy(incident_id=incident.id, position=added, question=question, answer=answer)
        )
        _postmortem_row(session, incident, now).updated_at = now
        return added

    return db.write(work)


def move_why(
    db: Database, *, key: str | int, position: int, offset: int, author: str, now: datetime
) -> int:
    """Move a pair up (offset -1) or down (+1); its new position."""
    valid_name(author, "author")

    def work(session: Session) -> int:
        _, whys = _whys_around(session, key, position)
        target = max(1, min(len(whys), position + offset))
        whys.insert(target - 1, whys.pop(position - 1))
        _renumber(session, whys)
        return target

    return db.write(work)


def delete_why(db: Database, *, key: str | int, position: int, author: str, now: datetime) -> None:
    valid_name(author, "author")

    def work(session: Session) -> None:
        _, whys = _whys_around(session, key, position)
        session.delete(whys.pop(position - 1))
        session.flush()
        _renumber(session, whys)

    db.write(work)


# --- presence: who has the war room open -----------------------------------------------


def mark_present(
    db: Database, *, session_id: str, key: str | int, name: str, host: str, now: datetime
) -> None:
    """Say that this screen (`session_id`) has the incident open; repeated as a heartbeat.
    Not an incident change: nothing goes to the timeline."""

    def work(session: Session) -> None:
        row = session.get(m.Presence, session_id)
        if row is None:
            incident = _incident(session, key)
            # Screens that died without saying goodbye, long ago: tidy them away.
            for old in session.exec(
                select(m.Presence).where(m.Presence.seen_at < now - timedelta(hours=1))
            ):
                session.delete(old)
            session.add(
                m.Presence(
                    session=session_id,
                    incident_id=incident.id,
                    name=one_line(name, 80),
                    host=one_line(host, 80),
                    opened_at=now,
                    seen_at=now,
                )
            )
        else:
            row.seen_at = now
            session.add(row)

    db.write(work)


def leave(db: Database, *, session_id: str) -> None:
    """This screen closed: it no longer counts as here."""

    def work(session: Session) -> None:
        row = session.get(m.Presence, session_id)
        if row is not None:
            session.delete(row)

    db.write(work)


# --- checklists -------------------------------------------------------------------------


def tick_checklist(
    db: Database,
    *,
    key: str | int,
    checklist: str,
    title: str,
    item: str,
    author: str,
    now: datetime,
    done: bool = True,
) -> str:
    """Tick (or, `done=False`, untick) a checklist item; the timeline records it as an
    action. Ticking a ticked item is refused, as is unticking an unticked one."""
    author = valid_name(author, "author")
    checklist, item = one_line(checklist, 60), one_line(item, 120)

    def work(session: Session) -> str:
        incident = _incident(session, key, lock=True)
        row = session.exec(
            select(m.ChecklistTick)
            .where(m.ChecklistTick.incident_id == incident.id)
            .where(m.ChecklistTick.checklist == checklist)
            .where(m.ChecklistTick.item == item)
        ).first()
        if done:
            if row is not None:
                raise IncidentError(f"{item!r} was already ticked by {row.ticked_by}")
            session.add(
                m.ChecklistTick(
                    incident_id=incident.id,
                    checklist=checklist,
                    item=item,
                    ticked_at=now,
                    ticked_by=author,
                )
            )
            text = f"✓ {one_line(title, 60)}: {item}"
        else:
            if row is None:
                raise IncidentError(f"{item!r} is not ticked")
            session.delete(row)
            text = f"Unticked {one_line(title, 60)}: {item}"
        _system_entry(session, incident, "action", text, author=author, at=now, now=now)
        return text

    return db.write(work)
