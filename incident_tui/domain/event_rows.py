"""The rows events are made of, as the store reads them past a cursor (`Changes`), and
the cursor itself: plain records for `domain/events.py` to compose. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

SOURCES = ("incident", "entry", "revision", "change", "holding", "update", "action")
"""The tables events come from, each followed by its ids."""


@dataclass(frozen=True)
class EventCursor:
    """The newest id told, per source table (`SOURCES`)."""

    incident: int = 0
    entry: int = 0
    revision: int = 0
    change: int = 0
    holding: int = 0
    update: int = 0
    action: int = 0


@dataclass(frozen=True)
class EntryRow:
    id: int
    incident: int
    occurred_at: datetime
    recorded_at: datetime
    kind: str
    author: str
    text: str
    pinned: bool
    actor: str


@dataclass(frozen=True)
class RevisionRow:
    """An entry's state before an edit, a delete or a pin (`change`), and who made it."""

    id: int
    entry_id: int
    change: str
    changed_at: datetime
    changed_by: str
    kind: str
    text: str
    occurred_at: datetime
    pinned: bool


@dataclass(frozen=True)
class DeclaredRow:
    id: int
    title: str
    severity: int
    declared_at: datetime
    declared_by: str
    started_at: datetime


@dataclass(frozen=True)
class ChangeRow:
    id: int
    incident: int
    at: datetime
    recorded_at: datetime
    field: str
    old: str | None
    new: str | None
    author: str


@dataclass(frozen=True)
class HoldingRow:
    id: int
    incident: int
    role: str
    holder: str
    started_at: datetime
    assigned_by: str
    previous: str | None
    """Who held the role until this holding began (None: it was vacant)."""


@dataclass(frozen=True)
class UpdateRow:
    id: int
    incident: int
    audience: str
    text: str
    author: str
    posted_at: datetime
    phase: str


@dataclass(frozen=True)
class ActionItemRow:
    id: int
    incident: int
    description: str
    owner: str | None
    due_date: date | None
    priority: str
    type: str | None
    status: str
    ticket: str | None
    created_at: datetime
    created_by: str


@dataclass
class Changes:
    """What the store read past a cursor (new rows), and what composing them needs:
    `history` every revision of the entries concerned (by entry, oldest first),
    `current` those entries as they stand, `actions_now` the action items the new
    `status` entries name, `incidents` (number → title, is_drill) of every row."""

    declared: list[DeclaredRow] = field(default_factory=list)
    entries: list[EntryRow] = field(default_factory=list)
    revisions: list[RevisionRow] = field(default_factory=list)
    changes: list[ChangeRow] = field(default_factory=list)
    holdings: list[HoldingRow] = field(default_factory=list)
    updates: list[UpdateRow] = field(default_factory=list)
    actions: list[ActionItemRow] = field(default_factory=list)
    history: dict[int, list[RevisionRow]] = field(default_factory=dict)
    current: dict[int, EntryRow] = field(default_factory=dict)
    actions_now: dict[int, ActionItemRow] = field(default_factory=dict)
    incidents: dict[int, tuple[str, bool]] = field(default_factory=dict)
