"""The one table from a parsed command to the operation that performs it.

The entry line (slash commands, palette commands, key bindings), the drill replay and the
CLI all perform a command here, so each writes the same way. A new entry-line command is
a dataclass in `domain/entry_syntax.py` and one `@_operation` below.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from incident_tui import ops
from incident_tui.domain.entry_syntax import (
    Command,
    HandOverRole,
    LogEntry,
    PinLast,
    PostUpdate,
    RaiseAction,
    SetContext,
    SetPhase,
    SetPublicWords,
    SetSeverity,
    Snooze,
    StartTimer,
    StopTimer,
)
from incident_tui.domain.errors import IncidentError
from incident_tui.domain.records import Deadline
from incident_tui.domain.text import one_line
from incident_tui.domain.vocabulary import incident_key, parse_key
from incident_tui.ops.public_words import set_public_description
from incident_tui.store.database import Database


@dataclass(frozen=True)
class Done:
    """What a command did, in one line for the status bar."""

    message: str


@dataclass(frozen=True)
class Target:
    """Where and as whom a command is performed: incident `key` (`INC-3`, `3` or the
    number), by `author`, at `now`; `open_deadlines` for a snooze."""

    db: Database
    key: str | int
    author: str
    now: datetime
    open_deadlines: Sequence[Deadline] = ()


@dataclass(frozen=True)
class Operation:
    perform: Callable[[Any, Target], Any]
    """The command and its target in, what the operation returned out."""
    said: Callable[[Any, Any, Target], str]
    """The command, that result and the target in, the status bar's line out."""


OPERATIONS: dict[type, Operation] = {}
"""Command class → its operation: the one dispatch table."""


def _operation(
    kind: type, said: Callable[[Any, Any, Target], str]
) -> Callable[[Callable[[Any, Target], Any]], Callable[[Any, Target], Any]]:
    def register(perform: Callable[[Any, Target], Any]) -> Callable[[Any, Target], Any]:
        OPERATIONS[kind] = Operation(perform, said)
        return perform

    return register


def _operation_for(command: Command) -> Operation:
    operation = OPERATIONS.get(type(command))
    if operation is None:
        raise IncidentError(f"{type(command).__name__} is not something to run here")
    return operation


def perform(command: Command, target: Target) -> Any:
    """Perform `command` on `target`: one committed transaction. Returns what the
    operation returned (the entry, the update, the action item, a message…)."""
    return _operation_for(command).perform(command, target)


def run(
    command: Command,
    *,
    db: Database,
    number: int,
    author: str,
    now: datetime,
    open_deadlines: Sequence[Deadline] = (),
    entered_at: datetime | None = None,
) -> Done:
    """Perform `command` on incident `number` as `author`: one committed transaction.

    `entered_at` is when the user entered it, if it waited (for the database, behind
    earlier lines) until `now`: it happened then, and an entry is recorded `now`."""
    performed = command
    if isinstance(command, LogEntry):
        if command.at is None and entered_at is not None and entered_at < now:
            performed = replace(command, at=entered_at)
    elif entered_at is not None:
        now = min(now, entered_at)
    target = Target(db, number, author, now, open_deadlines)
    operation = _operation_for(command)
    return Done(operation.said(command, operation.perform(performed, target), target))


def find_deadline(name: str, open_deadlines: Sequence[Deadline]) -> Deadline:
    """The open deadline called `name` (`update:internal`, `internal`, `timer:rollback`, …)."""
    wanted = name.strip().lower()
    for candidate in (wanted, f"update:{wanted}", f"timer:{wanted}"):
        for deadline in open_deadlines:
            if deadline.name.lower() == candidate:
                return deadline
    names = ", ".join(d.name for d in open_deadlines) or "none"
    raise IncidentError(f"no open countdown {name.strip()!r}; open: {names}")


def _message(_command: Any, message: str, _target: Target) -> str:
    """For the operations that return their own line."""
    return message


@_operation(
    LogEntry,
    lambda c, entry, _t: (
        f"{entry.kind} #{entry.id} logged" + (" (backdated)" if c.at is not None else "")
    ),
)
def _log(c: LogEntry, t: Target) -> Any:
    return ops.log_entry(
        t.db,
        key=t.key,
        text=c.text,
        author=t.author,
        now=t.now,
        at=c.at,
        kind=c.kind,
        pinned=c.pinned,
        actor=c.actor,
    )


@_operation(
    PinLast,
    lambda _c, entry, _t: (
        f"{'pinned' if entry.pinned else 'unpinned'} #{entry.id}: " + one_line(entry.text, 60)
    ),
)
def _pin(_c: PinLast, t: Target) -> Any:
    return ops.pin_entry(t.db, key=t.key, author=t.author, now=t.now)


@_operation(SetSeverity, _message)
def _severity(c: SetSeverity, t: Target) -> str:
    return ops.set_severity(t.db, key=t.key, severity=c.severity, author=t.author, now=t.now)


@_operation(SetPhase, _message)
def _phase(c: SetPhase, t: Target) -> str:
    return ops.set_phase(t.db, key=t.key, phase=c.phase, author=t.author, now=t.now, at=c.at)


@_operation(HandOverRole, _message)
def _role(c: HandOverRole, t: Target) -> str:
    return ops.hand_over_role(
        t.db, key=t.key, role=c.role, holder=c.holder, author=t.author, now=t.now
    )


@_operation(
    PostUpdate, lambda _c, update, _t: f"{update.audience} update posted; its countdown restarts"
)
def _update(c: PostUpdate, t: Target) -> Any:
    if c.text is None:
        raise IncidentError("the update has no text")
    return ops.post_update(
        t.db, key=t.key, audience=c.audience, text=c.text, author=t.author, now=t.now
    )


@_operation(
    RaiseAction,
    lambda _c, item, t: f"{incident_key(parse_key(t.key))}: action item #{item.id} raised",
)
def _action(c: RaiseAction, t: Target) -> Any:
    return ops.add_action(
        t.db,
        key=t.key,
        description=c.description,
        author=t.author,
        now=t.now,
        owner=c.owner,
        due_date=c.due,
        priority=c.priority,
        type=c.type,
        ticket=c.ticket,
    )


@_operation(StartTimer, lambda _c, timer, _t: f"timer {timer.label!r} due {timer.due_at:%H:%M:%S}Z")
def _timer(c: StartTimer, t: Target) -> Any:
    return ops.start_timer(
        t.db, key=t.key, duration=c.duration, label=c.label, author=t.author, now=t.now
    )


@_operation(StopTimer, _message)
def _stop_timer(c: StopTimer, t: Target) -> str:
    return ops.cancel_timer(t.db, key=t.key, label=c.label, author=t.author, now=t.now)


@_operation(SetPublicWords, _message)
def _set_public_words(c: SetPublicWords, t: Target) -> str:
    return set_public_description(t.db, key=t.key, text=c.text, author=t.author, now=t.now)


@_operation(SetContext, lambda _c, text, t: f"{incident_key(parse_key(t.key))}: {text}")
def _set_context(c: SetContext, t: Target) -> str:
    return ops.set_context(
        t.db,
        key=t.key,
        change=c.change,
        author=t.author,
        now=t.now,
        known_types=c.known_types,
    )


@_operation(Snooze, _message)
def _snooze(c: Snooze, t: Target) -> str:
    deadline = find_deadline(c.deadline, t.open_deadlines)
    return ops.snooze_deadline(
        t.db,
        key=t.key,
        deadline=deadline.name,
        due_at=deadline.due_at,
        minutes=c.minutes,
        author=t.author,
        now=t.now,
    )
