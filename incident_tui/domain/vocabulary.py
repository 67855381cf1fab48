"""The incident's vocabulary: phases, kinds, roles, audiences and the facts deadlines need.

Pure data: no Textual, no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

from incident_tui.domain.errors import IncidentError

PHASES: tuple[str, ...] = (
    "triage",
    "investigating",
    "identified",
    "mitigating",
    "monitoring",
    "resolved",
    "closed",
)
OPEN_PHASES = PHASES[:5]
"""Phases in which the incident is still being worked (before resolution)."""

ENTRY_KINDS: tuple[str, ...] = (
    "note",
    "alert",
    "finding",
    "decision",
    "action",
    "comm",
    "status",
    "role",
)
SYSTEM_KINDS = frozenset({"comm", "status", "role"})
"""Kinds written only by the system, as the record of an operation."""

AUDIENCES: tuple[str, ...] = ("internal", "external", "executive")
CORE_ROLES: tuple[str, ...] = ("commander", "tech_lead", "comms", "scribe")
PRIORITIES: tuple[str, ...] = ("P0", "P1", "P2")
ACTION_TYPES: tuple[str, ...] = ("prevent", "detect", "mitigate")
ACTION_STATUSES: tuple[str, ...] = ("open", "in-progress", "done")
MILESTONES: tuple[str, ...] = (
    "started_at",
    "detected_at",
    "acknowledged_at",
    "mitigated_at",
    "resolved_at",
    "closed_at",
)
SEVERITIES: tuple[int, ...] = (1, 2, 3, 4)
RECONSTRUCTED_AFTER = timedelta(minutes=10)
"""An entry recorded this long after it happened was reconstructed, not seen live."""

_ROLE_ALIASES = {
    "ic": "commander",
    "incident_commander": "commander",
    "tl": "tech_lead",
    "techlead": "tech_lead",
    "tech": "tech_lead",
    "communications": "comms",
    "comm": "comms",
}
_AUDIENCE_ALIASES = {
    "int": "internal",
    "ext": "external",
    "status-page": "external",
    "statuspage": "external",
    "public": "external",
    "exec": "executive",
    "execs": "executive",
    "executives": "executive",
}
_ROLE_RE = re.compile(r"^[a-z0-9][a-z0-9_:.\-]{0,39}$")
_KEY_RE = re.compile(r"^(?:inc-?)?(\d{1,9})$", re.IGNORECASE)
_SEV_RE = re.compile(r"^(?:sev-?)?([0-9]+)$", re.IGNORECASE)


def incident_key(number: int) -> str:
    return f"INC-{number}"


def parse_key(key: str | int) -> int:
    """The incident number in `INC-12` (or `inc-12`, `12`); a number is taken as is."""
    if isinstance(key, int):
        return key
    match = _KEY_RE.match(key.strip())
    if not match:
        raise IncidentError(f"{key.strip()!r} is not an incident key (expected INC-<n>)")
    return int(match.group(1))


def parse_severity(value: str | int) -> int:
    match = _SEV_RE.match(str(value).strip())
    if not match or int(match.group(1)) not in SEVERITIES:
        raise IncidentError(f"severity must be 1, 2, 3 or 4 (SEV1 is the worst), not {value!r}")
    return int(match.group(1))


def parse_phase(value: str) -> str:
    name = value.strip().lower()
    if name in PHASES:
        return name
    matches = [p for p in PHASES if p.startswith(name)] if name else []
    if len(matches) == 1:
        return matches[0]
    raise IncidentError(f"unknown phase {value.strip()!r}; phases: {', '.join(PHASES)}")


def parse_kind(value: str, *, allow_system: bool = False) -> str:
    name = value.strip().lower()
    if name not in ENTRY_KINDS:
        raise IncidentError(f"unknown kind {value.strip()!r}; kinds: {', '.join(ENTRY_KINDS)}")
    if name in SYSTEM_KINDS and not allow_system:
        raise IncidentError(f"kind {name!r} is written by the system, not by hand")
    return name


def parse_audience(value: str) -> str:
    name = value.strip().lower()
    name = _AUDIENCE_ALIASES.get(name, name)
    if name not in AUDIENCES:
        raise IncidentError(
            f"unknown audience {value.strip()!r}; audiences: {', '.join(AUDIENCES)}"
        )
    return name


def parse_role(value: str) -> str:
    name = value.strip().lower().replace("-", "_") if ":" not in value else value.strip().lower()
    name = _ROLE_ALIASES.get(name, name)
    if not _ROLE_RE.match(name):
        raise IncidentError(
            f"{value.strip()!r} is not a role name (letters, digits, _ : . -; e.g. sme:database)"
        )
    return name


def parse_priority(value: str) -> str:
    name = value.strip().upper()
    if name not in PRIORITIES:
        raise IncidentError(f"priority must be P0, P1 or P2, not {value.strip()!r}")
    return name


def parse_action_type(value: str) -> str:
    name = value.strip().lower()
    if name not in ACTION_TYPES:
        raise IncidentError(f"type must be prevent, detect or mitigate, not {value.strip()!r}")
    return name


def parse_action_status(value: str) -> str:
    name = value.strip().lower().replace("_", "-").replace(" ", "-")
    if name == "inprogress":
        name = "in-progress"
    if name not in ACTION_STATUSES:
        raise IncidentError(f"status must be open, in-progress or done, not {value.strip()!r}")
    return name


def is_open_phase(phase: str) -> bool:
    return phase in OPEN_PHASES


@dataclass(frozen=True)
class SeverityChange:
    at: datetime
    old: int
    new: int


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
        return int((self.due_at - now).total_seconds() // 1)


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


PRESENCE_HEARTBEAT = timedelta(seconds=15)
"""How often an open war room says it is still open."""
PRESENCE_GONE = timedelta(seconds=45)
"""Not heard from for this long: the screen was closed without a goodbye (a crash, a
lost connection) and its user no longer counts as here."""


@dataclass(frozen=True)
class Presence:
    """One open war room: who, on which host, last heard from when."""

    name: str
    host: str
    seen_at: datetime


def people_here(
    presence: list[Presence], holdings: list[Holding], now: datetime
) -> list[tuple[str, list[str]]]:
    """Who has the incident open now, each once, with the roles they hold: role holders
    first (in role order), then the rest by name."""
    current = [h for h in holdings if h.ended_at is None]
    order = {role: index for index, role in enumerate(CORE_ROLES)}
    seen: dict[str, str] = {}
    for row in presence:
        if now - row.seen_at <= PRESENCE_GONE:
            seen.setdefault(row.name.casefold(), row.name)
    people = []
    for folded, name in seen.items():
        roles = sorted(
            (h.role for h in current if h.holder.casefold() == folded),
            key=lambda role: (order.get(role, len(order)), role),
        )
        people.append((name, roles))
    people.sort(
        key=lambda person: (
            min((order.get(r, len(order)) for r in person[1]), default=len(order) + 1),
            person[0].casefold(),
        )
    )
    return people


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

    @property
    def key(self) -> str:
        return incident_key(self.number)


# --- across incidents ---------------------------------------------------------------------

SEARCH_KINDS: tuple[str, ...] = ("incident", "entry", "update", "postmortem", "why", "action")
"""What a search hit is: the index's kind codes 0-5, in this order."""


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
