"""Drills: practice by replaying a past incident. Which event fires at which offset from
the drill's start, at a given speed.

Pure: no Textual, no database. `replay.py` runs the schedule through the operations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from incident_tui.domain.checklists import SEEN_ENTRY
from incident_tui.domain.entry_syntax import (
    Command,
    HandOverRole,
    LogEntry,
    PostUpdate,
    SetPhase,
    SetSeverity,
)
from incident_tui.domain.errors import IncidentError
from incident_tui.domain.records import Change, IncidentDetail
from incident_tui.domain.text import one_line
from incident_tui.domain.vocabulary import SYSTEM_KINDS

MIN_SPEED = 0.1
MAX_SPEED = 10_000.0
"""A 2-day incident replays in ~17 s at the top speed; an hour takes 10 h at the bottom."""

DRILL_PREFIX = "Drill: "


def parse_speed(value: str | float) -> float:
    """`--speed N`: times real time, fractions allowed (0.5 is half speed)."""
    try:
        speed = float(str(value).strip().removesuffix("x").removesuffix("×"))
    except ValueError:
        speed = math.nan
    if not math.isfinite(speed) or not MIN_SPEED <= speed <= MAX_SPEED:
        raise IncidentError(
            f"speed must be a number from {MIN_SPEED:g} to {MAX_SPEED:g} "
            f"(times real time), not {str(value).strip()!r}"
        )
    return speed


def format_speed(speed: float) -> str:
    return f"{speed:g}×"


# --- what the source incident recorded ---------------------------------------------------


@dataclass(frozen=True)
class DrillSource:
    """The incident a drill replays: all of it, and its phase and severity changes."""

    detail: IncidentDetail
    changes: list[Change]

    @property
    def start(self) -> datetime:
        """The instant the drill's start stands for: when the source was declared."""
        return self.detail.declared_at


# --- what the replay does ----------------------------------------------------------------
# Each event, performed as `author`, is the command `command()` (run by `ops.dispatch.perform`).


@dataclass(frozen=True)
class EntryLogged:
    kind: str
    text: str
    author: str
    pinned: bool = False

    def command(self) -> Command:
        return LogEntry(self.text, self.kind, pinned=self.pinned)


@dataclass(frozen=True)
class PhaseMoved:
    phase: str
    author: str

    def command(self) -> Command:
        return SetPhase(self.phase)


@dataclass(frozen=True)
class SeverityChanged:
    severity: int
    author: str

    def command(self) -> Command:
        return SetSeverity(self.severity)


@dataclass(frozen=True)
class RoleHandedOver:
    role: str
    holder: str | None
    """None: the role was vacated."""
    author: str

    def command(self) -> Command:
        return HandOverRole(self.role, self.holder)


@dataclass(frozen=True)
class UpdatePosted:
    audience: str
    text: str
    author: str

    def command(self) -> Command:
        return PostUpdate(self.audience, self.text)


ReplayEvent = EntryLogged | PhaseMoved | SeverityChanged | RoleHandedOver | UpdatePosted


@dataclass(frozen=True)
class SourceEvent:
    """One thing that happened in the source, at `at`; `order` breaks ties between
    events at the same instant the way they were recorded."""

    at: datetime
    order: tuple[datetime, int, int]
    event: ReplayEvent


@dataclass(frozen=True)
class ReplayStep:
    offset: timedelta
    """From the drill's start, already scaled by the speed (never negative)."""
    source_offset: timedelta
    """From the source's start, unscaled (negative for events before it)."""
    event: ReplayEvent


# Tie-break rank among events recorded at the same instant (after the recorded time).
_RANK = {
    PhaseMoved: 0,
    SeverityChanged: 1,
    RoleHandedOver: 2,
    EntryLogged: 3,
    UpdatePosted: 4,
}


def _event(at: datetime, recorded: datetime, row_id: int, event: ReplayEvent) -> SourceEvent:
    return SourceEvent(at, (recorded, _RANK[type(event)], row_id), event)


def source_events(source: DrillSource) -> list[SourceEvent]:
    """What a rehearsal replays: entries people wrote, phase and severity changes, role
    handovers and status updates. The system's own entries (`status`, `role`, `comm`)
    are left out, and so are the checklist's seen entries: the operations that replay
    those changes write them again."""
    detail = source.detail
    events: list[SourceEvent] = []
    for entry in detail.timeline:
        if entry.kind in SYSTEM_KINDS or entry.text.startswith(SEEN_ENTRY):
            continue
        events.append(
            _event(
                entry.occurred_at,
                entry.recorded_at,
                entry.id,
                EntryLogged(entry.kind, entry.text, entry.author, entry.pinned),
            )
        )
    for change in source.changes:
        if change.new is None:
            continue
        if change.field == "phase":
            event: ReplayEvent = PhaseMoved(change.new, change.author)
        elif change.field == "severity":
            event = SeverityChanged(int(change.new), change.author)
        else:
            continue
        events.append(_event(change.at, change.recorded_at, change.id, event))
    events.extend(_role_events(detail))
    for update in detail.updates:
        events.append(
            _event(
                update.posted_at,
                update.posted_at,
                update.id,
                UpdatePosted(update.audience, update.text, update.author),
            )
        )
    return events


def _role_events(detail: IncidentDetail) -> list[SourceEvent]:
    """Each holding began with a handover; one that ended with nobody taking over at that
    instant was vacated."""
    events = []
    starts = {(h.role, h.started_at) for h in detail.holdings}
    vacated: set[tuple[str, datetime]] = set()
    for index, holding in enumerate(detail.holdings):
        events.append(
            _event(
                holding.started_at,
                holding.started_at,
                index,
                RoleHandedOver(holding.role, holding.holder, holding.assigned_by),
            )
        )
        ended = holding.ended_at
        if ended is None or (holding.role, ended) in starts or (holding.role, ended) in vacated:
            continue
        vacated.add((holding.role, ended))
        # Holdings do not keep who ended them: the timeline entry of the vacating does.
        author = next(
            (
                e.author
                for e in detail.timeline
                if e.kind == "role"
                and e.occurred_at == ended
                and e.text.startswith(f"{holding.role} vacated")
            ),
            detail.declared_by,
        )
        events.append(
            _event(ended, ended, index, RoleHandedOver(holding.role, None, author)),
        )
    return events


def schedule(events: list[SourceEvent], *, start: datetime, speed: float) -> list[ReplayStep]:
    """Each event at (its time − `start`) / `speed` after the drill's start; events before
    `start` (backdated alerts) at once. Ordered by offset, then as they happened."""
    if not speed > 0:
        raise IncidentError("the replay speed must be above zero")
    steps = []
    for source_event in sorted(events, key=lambda e: (e.at, e.order)):
        source_offset = source_event.at - start
        offset = max(source_offset, timedelta(0)) / speed
        steps.append(ReplayStep(offset, source_offset, source_event.event))
    steps.sort(key=lambda step: step.offset)  # stable: ties keep the source's order
    return steps


def severity_at_start(detail: IncidentDetail) -> int:
    """The severity the source was declared with (before any change)."""
    changes = detail.facts.severity_changes
    return changes[0].old if changes else detail.severity


def drill_title(title: str, limit: int) -> str:
    """`Drill: <title>`, within the title limit; a drill of a drill is not prefixed twice."""
    plain = one_line(title)
    if not plain.startswith(DRILL_PREFIX):
        plain = DRILL_PREFIX + plain
    return one_line(plain, limit)


# --- saying what happened ------------------------------------------------------------------


def describe(event: ReplayEvent, limit: int = 160) -> str:
    """One line for a person: what the replay did."""
    if isinstance(event, EntryLogged):
        line = f"{event.kind} · {event.author}: {event.text}"
    elif isinstance(event, PhaseMoved):
        line = f"phase → {event.phase} · {event.author}"
    elif isinstance(event, SeverityChanged):
        line = f"severity → SEV{event.severity} · {event.author}"
    elif isinstance(event, RoleHandedOver):
        line = f"role {event.role} → {event.holder or 'vacant'} · {event.author}"
    else:
        line = f"{event.audience} update · {event.author}: {event.text}"
    return one_line(line, limit)


def source_clock(offset: timedelta) -> str:
    """`T+12:30`, `T-05:00`, `T+1:02:03`: when it happened, from the source's start."""
    seconds = int(offset.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"T{sign}{hours}:{minutes:02d}:{seconds:02d}"
    return f"T{sign}{minutes:02d}:{seconds:02d}"
