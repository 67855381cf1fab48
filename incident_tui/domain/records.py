"""What people read about an incident, as plain records: its entries, changes, role
holdings, updates, action items, deadlines, the facts deadlines are computed from, and
the rows of the views across incidents."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from incident_tui.domain.vocabulary import CORE_ROLES, RECONSTRUCTED_AFTER, incident_key


@dataclass(frozen=True)
class SeverityChange:
    at: datetime
    old: int
    new: int


@dataclass(frozen=True)
class TypeChange:
    """The incident's type changed (None: no type) at `at`."""

    at: datetime
    old: str | None
    new: str | None


@dataclass(frozen=True)
class Timer:
    id: int
    label: str
    due_at: datetime


@dataclass(frozen=True)
class Deadline:
    """A countdown: `name` is `update:internal`, `acknowledge`, `timer:<label>`, …"""

    name: str
    due_at: datetime
    title: str

    def seconds_left(self, now: datetime) -> int:
        """Whole seconds until due (negative once overdue): what `show --json` says."""
        return seconds_until(self.due_at, now)


def seconds_until(due_at: datetime, now: datetime) -> int:
    return int((due_at - now).total_seconds() // 1)


@dataclass
class IncidentFacts:
    """What deadlines are computed from: one incident's state at a moment."""

    severity: int
    phase: str
    declared_at: datetime
    started_at: datetime
    detected_at: datetime | None = None
    acknowledged_at: datetime | None = None
    mitigated_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    severity_changes: list[SeverityChange] = field(default_factory=list)
    last_update: dict[str, datetime] = field(default_factory=dict)
    """Audience → when the latest status update to it was posted."""
    timers: list[Timer] = field(default_factory=list)
    snoozed_until: dict[str, datetime] = field(default_factory=dict)
    """Deadline name → the instant a snooze moved it to."""
    snoozed_at: dict[str, datetime] = field(default_factory=dict)
    """Deadline name → when it was last snoozed (an update posted since ends the snooze)."""
    incident_type: str | None = None
    """The config's `[types.NAME]` this incident is: its cadences go over the severity's."""
    type_changes: list[TypeChange] = field(default_factory=list)


class Entry(NamedTuple):
    """A timeline entry as the screens and the CLI see it.

    A NamedTuple: a war room holds 100k of them, built in one read (a frozen dataclass
    took three times as long to build and more memory)."""

    id: int
    occurred_at: datetime
    recorded_at: datetime
    kind: str
    author: str
    text: str
    pinned: bool = False
    version: int = 1
    actor: str = ""
    """Who did it, when someone other than the author (who typed it) did."""

    @property
    def reconstructed(self) -> bool:
        return self.recorded_at - self.occurred_at > RECONSTRUCTED_AFTER


@dataclass(frozen=True)
class Change:
    """One recorded change of a phase, the severity or a milestone (old and new as text)."""

    at: datetime
    recorded_at: datetime
    field: str
    old: str | None
    new: str | None
    author: str
    id: int = 0
    """The change's row id: the order two changes at one instant were made in."""


@dataclass(frozen=True)
class Holding:
    role: str
    holder: str
    started_at: datetime
    ended_at: datetime | None = None
    assigned_by: str = ""


@dataclass(frozen=True)
class Update:
    id: int
    audience: str
    text: str
    author: str
    posted_at: datetime
    phase: str


@dataclass(frozen=True)
class Action:
    id: int
    description: str
    owner: str | None
    due_date: date | None
    priority: str
    type: str | None
    status: str
    ticket: str | None
    created_at: datetime
    created_by: str = ""


@dataclass(frozen=True)
class Tick:
    """A checklist item done (checklists.py has the lists)."""

    checklist: str
    item: str
    ticked_at: datetime
    ticked_by: str


@dataclass(frozen=True)
class Presence:
    """One open war room: who, on which host, last heard from when."""

    name: str
    host: str
    seen_at: datetime


@dataclass
class IncidentDetail:
    """One incident with everything the war room, `show` and the export need."""

    number: int
    title: str
    severity: int
    phase: str
    summary: str
    is_drill: bool
    declared_at: datetime
    declared_by: str
    milestones: dict[str, datetime | None]
    holdings: list[Holding]
    timeline: list[Entry]
    updates: list[Update]
    actions: list[Action]
    facts: IncidentFacts
    presence: list[Presence] = field(default_factory=list)
    """Open war rooms on this incident (`people_here` says who counts as here)."""
    ticks: list[Tick] = field(default_factory=list)
    """Checklist items done."""
    seen: tuple[str, ...] = ()
    """What the app saw happen and logged once (seen.FACTS: declared, severity set, …)."""
    public_description: str | None = None
    """What customers notice, in plain words (asked for on the first external update)."""
    incident_type: str | None = None
    """The config's `[types.NAME]` this incident is, or None."""
    services: tuple[str, ...] = ()
    """The services it affects, in the order they were added."""
    labels: dict[str, str] = field(default_factory=dict)
    """Label key → value, by key."""

    @property
    def key(self) -> str:
        return incident_key(self.number)

    @property
    def roles(self) -> dict[str, str]:
        """Role → current holder (core roles first, then the rest by name)."""
        current = {h.role: h.holder for h in self.holdings if h.ended_at is None}
        order = [r for r in CORE_ROLES if r in current] + sorted(
            r for r in current if r not in CORE_ROLES
        )
        return {r: current[r] for r in order}


@dataclass(frozen=True)
class IncidentSummary:
    """A row of the incident list."""

    number: int
    title: str
    severity: int
    phase: str
    started_at: datetime
    declared_at: datetime
    commander: str | None
    next_deadline: Deadline | None
    is_drill: bool = False
    impact_ended_at: datetime | None = None
    """When impact stopped (mitigated, else resolved), for "how long it lasted"."""
    incident_type: str | None = None
    services: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return incident_key(self.number)


@dataclass(frozen=True)
class SearchHit:
    """One match: which incident, what kind of text, where (an entry id for timeline
    hits, so the war room can open at it), when, and the text itself."""

    number: int
    title: str
    kind: str
    ref_id: int
    at: datetime
    text: str
    score: float
    is_drill: bool = False

    @property
    def key(self) -> str:
        return incident_key(self.number)


@dataclass(frozen=True)
class ActionRow:
    """An action item with the incident it came from, for the list across incidents."""

    action: Action
    number: int
    title: str

    @property
    def key(self) -> str:
        return incident_key(self.number)

    def overdue(self, today: date) -> bool:
        a = self.action
        return a.status != "done" and a.due_date is not None and a.due_date < today
