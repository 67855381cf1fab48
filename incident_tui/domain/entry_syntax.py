"""The scribe's entry line: what a typed line means, and Tab completion.

Pure: a line and the clock in, a command out (or an IncidentError saying what is wrong,
so the line can stay as typed). Running a command is `commands.run` (its table).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from incident_tui.domain.context import ContextChange, context_change
from incident_tui.domain.errors import IncidentError
from incident_tui.domain.timeparse import parse_date, parse_duration, split_leading_time
from incident_tui.domain.vocabulary import (
    ACTION_TYPES,
    AUDIENCES,
    PHASES,
    PRIORITIES,
    parse_action_type,
    parse_audience,
    parse_phase,
    parse_priority,
    parse_role,
    parse_severity,
)


@dataclass(frozen=True)
class LogEntry:
    text: str
    kind: str = "note"
    at: datetime | None = None
    actor: str | None = None
    """Who did it (`@name` or `@"CI/CD pipeline"` first), when not the scribe."""
    pinned: bool = False
    """A key event from the start (the CLI's `--pin`, a replayed pinned entry)."""


@dataclass(frozen=True)
class PinLast:
    pass


@dataclass(frozen=True)
class SetSeverity:
    severity: int | str
    """An int from the entry line; the CLI's N as typed (the operation parses it)."""


@dataclass(frozen=True)
class SetPhase:
    phase: str
    at: datetime | None = None


@dataclass(frozen=True)
class HandOverRole:
    role: str
    holder: str | None
    """None leaves the role vacant."""


@dataclass(frozen=True)
class PostUpdate:
    audience: str
    text: str | None
    """None: open the composer instead of posting."""


@dataclass(frozen=True)
class RaiseAction:
    description: str
    owner: str | None = None
    due: date | None = None
    priority: str = "P2"
    type: str | None = None
    ticket: str | None = None


@dataclass(frozen=True)
class StartTimer:
    duration: timedelta
    label: str


@dataclass(frozen=True)
class StopTimer:
    """`/timer done LABEL`: a timer that rang (or is no longer needed) is dismissed."""

    label: str


@dataclass(frozen=True)
class Snooze:
    deadline: str
    minutes: int


@dataclass(frozen=True)
class SetPublicWords:
    """`/public TEXT`: what customers notice, for the status page and the SMS."""

    text: str


@dataclass(frozen=True)
class SetContext:
    """`/service`, `/label`, `/type`, `incident-tui context`: services, labels, the type."""

    change: ContextChange
    known_types: tuple[str, ...] = field(default=())
    """The config's type names when it was typed (the operation checks the type again)."""


@dataclass(frozen=True)
class ShowHelp:
    pass


@dataclass(frozen=True)
class ShowHandoff:
    """`/handoff`: the commander's handover brief, to edit, log and copy (a dialog)."""


Command = (
    LogEntry
    | PinLast
    | SetSeverity
    | SetPhase
    | HandOverRole
    | PostUpdate
    | RaiseAction
    | StartTimer
    | StopTimer
    | Snooze
    | SetPublicWords
    | SetContext
    | ShowHelp
    | ShowHandoff
)


@dataclass(frozen=True)
class SlashCommand:
    name: str
    usage: str
    help: str


SLASH_COMMANDS: tuple[SlashCommand, ...] = (
    SlashCommand("note", "/note [TIME] TEXT", "log a note (what plain text does)"),
    SlashCommand("decision", "/decision [TIME] TEXT", "log a decision"),
    SlashCommand("finding", "/finding [TIME] TEXT", "log a finding"),
    SlashCommand("alert", "/alert [TIME] TEXT", "log an alert that fired"),
    SlashCommand("action-taken", "/action-taken [TIME] TEXT", "log something done"),
    SlashCommand("pin", "/pin", "pin the last entry as a key event (again: unpin)"),
    SlashCommand("sev", "/sev N", "change the severity (1 is the worst)"),
    SlashCommand("phase", "/phase NAME [TIME]", "move to a phase (a unique prefix works)"),
    SlashCommand("role", "/role ROLE NAME", "hand a role over ('-' leaves it vacant)"),
    SlashCommand("update", "/update AUDIENCE [TEXT]", "post a status update (no text: composer)"),
    SlashCommand(
        "action",
        "/action TEXT [@owner] [due:DATE] [P0|P1|P2] [prevent|detect|mitigate]",
        "raise an action item",
    ),
    SlashCommand(
        "timer",
        "/timer DURATION LABEL",
        "start a countdown (e.g. /timer 10m rollback); /timer done LABEL dismisses it",
    ),
    SlashCommand("snooze", "/snooze DEADLINE [5|10|15]", "push a countdown back (logged)"),
    SlashCommand(
        "public", "/public TEXT", "what customers notice, in plain words (status page, SMS)"
    ),
    SlashCommand(
        "service",
        "/service NAME [NAME…]",
        "the services it affects (-NAME removes one)",
    ),
    SlashCommand("label", "/label KEY=VALUE [KEY=VALUE…]", "label the incident (KEY= removes)"),
    SlashCommand("type", "/type NAME", "the incident's type, one the config defines (- clears)"),
    SlashCommand("handoff", "/handoff", "the commander's handover brief: edit, log, copy"),
    SlashCommand("help", "/help", "keys and slash commands"),
)
COMMAND_NAMES: tuple[str, ...] = tuple(c.name for c in SLASH_COMMANDS)
_ENTRY_KINDS = {
    "note": "note",
    "decision": "decision",
    "finding": "finding",
    "alert": "alert",
    "action-taken": "action",
}
_DUE_RE = re.compile(r"^due:(\S+)$", re.IGNORECASE)


def _usage(name: str) -> str:
    return next(c.usage for c in SLASH_COMMANDS if c.name == name)


# A leading `@name` or `@"name with spaces"` names who did it; `@@` keeps a literal @.
_ACTOR_RE = re.compile(r'^@(?:"([^"]+)"|([^\s@"][^\s]*))\s+(?=\S)')


def split_actor(text: str) -> tuple[str | None, str]:
    """(`actor`, the rest) for `@bo rolled back` or `@"CI/CD pipeline" deployed 4.2`."""
    if text.startswith("@@"):
        return None, text[1:]
    match = _ACTOR_RE.match(text)
    if not match:
        return None, text
    return (match.group(1) or match.group(2)).strip(), text[match.end() :]


def _entry(text: str, kind: str, *, now: datetime, tz: tzinfo) -> LogEntry:
    at, rest = split_leading_time(text, now=now, tz=tz)
    actor, rest = split_actor(rest.strip())
    if not rest.strip():
        raise IncidentError("nothing to log: type the entry's text")
    return LogEntry(rest, kind, at, actor)


def parse_line(
    line: str,
    *,
    now: datetime,
    tz: tzinfo,
    today: date | None = None,
    types: Collection[str] = (),
) -> Command:
    """What the scribe meant by `line`; an IncidentError says what is wrong with it.
    `types`: the incident types the config knows (for `/type`)."""
    stripped = line.strip()
    if not stripped:
        raise IncidentError("nothing to log")
    if not stripped.startswith("/") or stripped.startswith("//"):
        # `//text` logs a note that starts with a slash.
        return _entry(
            stripped[1:] if stripped.startswith("//") else stripped, "note", now=now, tz=tz
        )
    head, _, rest = stripped[1:].partition(" ")
    name = head.lower()
    rest = rest.strip()
    if name not in COMMAND_NAMES:
        near = [c for c in COMMAND_NAMES if c.startswith(name[:2])] if name else []
        hint = f" — did you mean /{near[0]}?" if near else ""
        raise IncidentError(f"unknown command /{head}{hint} (/help lists them)")
    if name in _ENTRY_KINDS:
        if not rest:
            raise IncidentError(f"usage: {_usage(name)}")
        return _entry(rest, _ENTRY_KINDS[name], now=now, tz=tz)
    if name == "pin":
        return PinLast()
    if name == "help":
        return ShowHelp()
    if name == "handoff":
        return ShowHandoff()
    if name == "sev":
        if not rest:
            raise IncidentError(f"usage: {_usage(name)}")
        return SetSeverity(parse_severity(rest))
    if name == "phase":
        if not rest:
            raise IncidentError(f"usage: {_usage(name)} — phases: {', '.join(PHASES)}")
        phase_word, _, when = rest.partition(" ")
        at = None
        if when.strip():
            from incident_tui.domain.timeparse import parse_past_time

            at = parse_past_time(when, now=now, tz=tz)
        return SetPhase(parse_phase(phase_word), at)
    if name == "role":
        role, _, holder = rest.partition(" ")
        if not role or not holder.strip():
            raise IncidentError(f"usage: {_usage(name)}")
        holder = holder.strip()
        return HandOverRole(parse_role(role), None if holder == "-" else holder)
    if name == "update":
        if not rest:
            raise IncidentError(f"usage: {_usage(name)} — audiences: {', '.join(AUDIENCES)}")
        audience, _, text = rest.partition(" ")
        return PostUpdate(parse_audience(audience), text.strip() or None)
    if name == "action":
        return _parse_action(rest, today=today or now.astimezone(tz).date())
    if name == "timer":
        duration, _, label = rest.partition(" ")
        if duration.lower() == "done":
            if not label.strip():
                raise IncidentError("usage: /timer done LABEL")
            return StopTimer(label.strip().removeprefix("timer:"))
        if not duration or not label.strip():
            raise IncidentError(f"usage: {_usage(name)}")
        return StartTimer(parse_duration(duration), label.strip())
    if name == "public":
        if not rest:
            raise IncidentError(f"usage: {_usage(name)} (Search results may be missing in Europe)")
        return SetPublicWords(rest)
    if name in ("service", "label", "type"):
        return _parse_context(name, rest, types=tuple(types))
    if name == "snooze":
        parts = rest.split()
        if not parts or len(parts) > 2:
            raise IncidentError(f"usage: {_usage(name)}")
        minutes = parts[1] if len(parts) == 2 else "5"
        if minutes.removesuffix("m") not in ("5", "10", "15"):
            raise IncidentError("a countdown snoozes for 5, 10 or 15 minutes")
        return Snooze(parts[0], int(minutes.removesuffix("m")))
    raise IncidentError(f"unknown command /{head}")  # pragma: no cover — names checked above


def _parse_context(name: str, rest: str, *, types: tuple[str, ...]) -> SetContext:
    """`/service a -b`, `/label k=v k=`, `/type NAME` (`/type -` clears it)."""
    words = rest.split()
    if not words:
        hint = f" — types: {', '.join(sorted(types))}" if name == "type" and types else ""
        raise IncidentError(f"usage: {_usage(name)}{hint}")
    if name == "service":
        change = context_change(
            services=[w for w in words if not w.startswith("-")],
            remove_services=[w[1:] for w in words if w.startswith("-")],
        )
    elif name == "label":
        change = context_change(labels=words)
    else:
        if len(words) > 1:
            raise IncidentError(f"usage: {_usage(name)}")
        clear = words[0] == "-"
        change = context_change(
            incident_type=None if clear else words[0], known_types=types, clear_type=clear
        )
    return SetContext(change, types)


def _parse_action(rest: str, *, today: date) -> RaiseAction:
    """`TEXT [@owner] [due:DATE] [P0|P1|P2] [prevent|detect|mitigate]`.

    `@owner`, `due:` and a priority are distinctive and taken anywhere; a type word only
    at the end, so "prevent" inside the description stays text.
    """
    owner = due = kind = None
    priority = "P2"
    words: list[str] = []
    for word in rest.split():
        if word.startswith("@") and len(word) > 1:
            owner = word[1:]
        elif _DUE_RE.match(word):
            due = parse_date(_DUE_RE.match(word).group(1), today=today)  # type: ignore[union-attr]
        elif word.upper() in PRIORITIES:
            priority = parse_priority(word)
        else:
            words.append(word)
    if words and words[-1].lower() in ACTION_TYPES:
        kind = parse_action_type(words.pop())
    if not words:
        raise IncidentError(f"usage: {_usage('action')}")
    return RaiseAction(" ".join(words), owner, due, priority, kind)
