"""Running what the entry line (or the palette) asked for, through the operations.

One place maps a parsed command to its operation, so slash commands, palette commands
and key bindings all write the same way the CLI does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from incident_tui import ops
from incident_tui.domain import Deadline, incident_key
from incident_tui.entryline import (
    Command,
    HandOverRole,
    LogEntry,
    PinLast,
    PostUpdate,
    RaiseAction,
    SetPhase,
    SetPublicWords,
    SetSeverity,
    Snooze,
    StartTimer,
    StopTimer,
)
from incident_tui.errors import IncidentError
from incident_tui.public_words import set_public_description
from incident_tui.store import Database
from incident_tui.text import one_line


@dataclass(frozen=True)
class Done:
    """What a command did, in one line for the status bar."""

    message: str


def find_deadline(name: str, open_deadlines: list[Deadline]) -> Deadline:
    """The open deadline called `name` (`update:internal`, `internal`, `timer:rollback`, …)."""
    wanted = name.strip().lower()
    for candidate in (wanted, f"update:{wanted}", f"timer:{wanted}"):
        for deadline in open_deadlines:
            if deadline.name.lower() == candidate:
                return deadline
    names = ", ".join(d.name for d in open_deadlines) or "none"
    raise IncidentError(f"no open countdown {name.strip()!r}; open: {names}")


def run(
    command: Command,
    *,
    db: Database,
    number: int,
    author: str,
    now: datetime,
    open_deadlines: list[Deadline] = (),  # type: ignore[assignment]
    entered_at: datetime | None = None,
) -> Done:
    """Perform `command` on incident `number` as `author`: one committed transaction.

    `entered_at` is when the user entered it, if it waited (for the database, behind
    earlier lines) until `now`: it happened then, and an entry is recorded `now`."""
    key = incident_key(number)
    if isinstance(command, LogEntry):
        entry = ops.log_entry(
            db,
            key=number,
            text=command.text,
            author=author,
            now=now,
            at=command.at or (entered_at if entered_at is not None and entered_at < now else None),
            kind=command.kind,
            actor=command.actor,
        )
        when = " (backdated)" if command.at is not None else ""
        return Done(f"{entry.kind} #{entry.id} logged{when}")
    if entered_at is not None:
        now = min(now, entered_at)
    if isinstance(command, PinLast):
        entry = ops.pin_entry(db, key=number, author=author, now=now)
        verb = "pinned" if entry.pinned else "unpinned"
        return Done(f"{verb} #{entry.id}: {one_line(entry.text, 60)}")
    if isinstance(command, SetSeverity):
        return Done(
            ops.set_severity(db, key=number, severity=command.severity, author=author, now=now)
        )
    if isinstance(command, SetPhase):
        return Done(
            ops.set_phase(
                db, key=number, phase=command.phase, author=author, now=now, at=command.at
            )
        )
    if isinstance(command, HandOverRole):
        return Done(
            ops.hand_over_role(
                db, key=number, role=command.role, holder=command.holder, author=author, now=now
            )
        )
    if isinstance(command, PostUpdate):
        if command.text is None:
            raise IncidentError("the update has no text")
        update = ops.post_update(
            db, key=number, audience=command.audience, text=command.text, author=author, now=now
        )
        return Done(f"{update.audience} update posted; its countdown restarts")
    if isinstance(command, RaiseAction):
        item = ops.add_action(
            db,
            key=number,
            description=command.description,
            author=author,
            now=now,
            owner=command.owner,
            due_date=command.due,
            priority=command.priority,
            type=command.type,
        )
        return Done(f"{key}: action item #{item.id} raised")
    if isinstance(command, StartTimer):
        timer = ops.start_timer(
            db, key=number, duration=command.duration, label=command.label, author=author, now=now
        )
        return Done(f"timer {timer.label!r} due {timer.due_at:%H:%M:%S}Z")
    if isinstance(command, StopTimer):
        return Done(ops.cancel_timer(db, key=number, label=command.label, author=author, now=now))
    if isinstance(command, SetPublicWords):
        return Done(
            set_public_description(db, key=number, text=command.text, author=author, now=now)
        )
    if isinstance(command, Snooze):
        deadline = find_deadline(command.deadline, list(open_deadlines))
        return Done(
            ops.snooze_deadline(
                db,
                key=number,
                deadline=deadline.name,
                due_at=deadline.due_at,
                minutes=command.minutes,
                author=author,
                now=now,
            )
        )
    raise IncidentError(f"{type(command).__name__} is not something to run here")
