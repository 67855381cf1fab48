"""The SQLModel tables: incidents, their timeline, roles, updates, actions, postmortem.

No `from __future__ import annotations` here: it breaks SQLModel's relationship handling.
Every datetime is timezone-aware UTC (SQLModel stores it as UTC and reads it back aware).
"""

from datetime import date, datetime
from typing import Protocol, cast

from sqlalchemy import Index, Table, UniqueConstraint
from sqlmodel import Field, SQLModel


class Incident(SQLModel, table=True):
    __tablename__ = "incident"
    # AUTOINCREMENT: the database hands out incident numbers and never reuses one.
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    title: str
    severity: int
    phase: str = "triage"
    summary: str = ""
    public_description: str | None = None
    """What customers notice, in plain words: the status page's and SMS's words."""
    is_drill: bool = False
    declared_at: datetime
    declared_by: str
    started_at: datetime
    detected_at: datetime | None = None
    acknowledged_at: datetime | None = None
    mitigated_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    updated_at: datetime
    incident_type: str | None = None
    """The kind of incident (`security`, `availability`, …: `[types.NAME]` in the config),
    which brings its roles to fill, checklists and update cadences; None when not set."""


class IncidentService(SQLModel, table=True):
    """A service the incident affects (`declare --service`, `/service`): the list, the
    actions, metrics and search filter by it."""

    __tablename__ = "incident_service"
    __table_args__ = (
        UniqueConstraint("incident_id", "name"),
        Index("ix_incident_service_name", "name", "incident_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id")
    name: str
    added_at: datetime
    added_by: str


class IncidentLabel(SQLModel, table=True):
    """A label on the incident (`--label region=eu-west-1`, `/label`): one value per key."""

    __tablename__ = "incident_label"
    __table_args__ = (UniqueConstraint("incident_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True)
    key: str
    value: str
    set_at: datetime
    set_by: str


class IncidentChange(SQLModel, table=True):
    """A phase, severity or milestone change: the history deadlines and metrics need."""

    __tablename__ = "incident_change"
    __table_args__ = (Index("ix_incident_change_incident", "incident_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id")
    at: datetime
    recorded_at: datetime
    field: str
    old: str | None = None
    new: str | None = None
    author: str


class RoleHolding(SQLModel, table=True):
    """One person holding one role for a while; a handoff ends one holding, starts another."""

    __tablename__ = "role_holding"
    __table_args__ = (Index("ix_role_holding_incident", "incident_id", "role", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id")
    role: str
    holder: str
    started_at: datetime
    ended_at: datetime | None = None
    assigned_by: str


class TimelineEntry(SQLModel, table=True):
    __tablename__ = "timeline_entry"
    __table_args__ = (
        Index("ix_timeline_entry_incident_occurred", "incident_id", "occurred_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id")
    occurred_at: datetime
    recorded_at: datetime
    kind: str = "note"
    author: str
    text: str
    actor: str = ""
    """Who did it, when not whoever typed it (`author`): "CI/CD pipeline", a named engineer."""
    pinned: bool = False
    deleted_at: datetime | None = None
    deleted_by: str | None = None
    version: int = 1
    """Bumped on every edit, so a writer can tell that someone changed it meanwhile."""


class EntryRevision(SQLModel, table=True):
    """The state of an entry before an edit or a delete: nothing is lost."""

    __tablename__ = "entry_revision"

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="timeline_entry.id", index=True)
    change: str
    changed_at: datetime
    changed_by: str
    kind: str
    text: str
    occurred_at: datetime
    pinned: bool


class StatusUpdate(SQLModel, table=True):
    __tablename__ = "status_update"
    __table_args__ = (Index("ix_status_update_incident", "incident_id", "audience", "posted_at"),)

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id")
    audience: str
    text: str
    author: str
    posted_at: datetime
    phase: str


class ActionItem(SQLModel, table=True):
    __tablename__ = "action_item"

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True)
    description: str
    owner: str | None = None
    due_date: date | None = None
    priority: str = "P2"
    type: str | None = None
    status: str = "open"
    ticket: str | None = None
    created_at: datetime
    created_by: str
    updated_at: datetime


class Postmortem(SQLModel, table=True):
    __tablename__ = "postmortem"

    incident_id: int = Field(foreign_key="incident.id", primary_key=True)
    status: str = "draft"
    summary: str = ""
    root_cause: str = ""
    contributing_factors: str = "[]"
    """The four list sections hold a JSON array of strings, one point each (migration
    0005 turned the older free text into one point per line)."""
    what_went_well: str = "[]"
    what_went_poorly: str = "[]"
    lucky_breaks: str = "[]"
    lessons_learned: str = ""
    users_affected: str = ""
    revenue_impact: str = ""
    sla_breached: bool | None = None
    """None: computed from the policy; True/False: set by hand."""
    authors: str = ""
    """Comma-separated names; empty means the role holders."""
    updated_at: datetime


class FiveWhy(SQLModel, table=True):
    __tablename__ = "five_why"
    __table_args__ = (UniqueConstraint("incident_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id")
    position: int
    question: str
    answer: str = ""


class Timer(SQLModel, table=True):
    """An ad-hoc countdown (`/timer 10m check shard map`)."""

    __tablename__ = "timer"

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True)
    label: str
    due_at: datetime
    started_at: datetime
    started_by: str
    cancelled_at: datetime | None = None


class DeadlineSnooze(SQLModel, table=True):
    """A countdown pushed back by hand (5, 10 or 15 min); the timeline records it too."""

    __tablename__ = "deadline_snooze"
    __table_args__ = (Index("ix_deadline_snooze_incident", "incident_id", "deadline"),)

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id")
    deadline: str
    until: datetime
    snoozed_at: datetime
    snoozed_by: str


class Presence(SQLModel, table=True):
    """Who has an incident's war room open: one row per open screen, kept fresh by a
    heartbeat and removed on leaving; a row not seen for a while is someone gone."""

    __tablename__ = "presence"

    session: str = Field(primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True)
    name: str
    host: str
    opened_at: datetime
    seen_at: datetime


class ChecklistTick(SQLModel, table=True):
    """A checklist item done (the checklists themselves come from the config file); the
    timeline records it too."""

    __tablename__ = "checklist_tick"
    __table_args__ = (UniqueConstraint("incident_id", "checklist", "item"),)

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id")
    checklist: str
    item: str
    ticked_at: datetime
    ticked_by: str


class AlertGroupLink(SQLModel, table=True):
    """An alert group (a sender's group key) and the incident its alerts go to: the same
    group again attaches to it while it is open."""

    __tablename__ = "alert_group"
    __table_args__ = (UniqueConstraint("source", "group_key"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str
    group_key: str
    incident_id: int = Field(foreign_key="incident.id", index=True)
    first_seen_at: datetime
    last_seen_at: datetime


class AlertReceipt(SQLModel, table=True):
    """One alert state taken in (fingerprint, status, start): the same again adds nothing,
    so a sender's retries and repeated notifications are harmless."""

    __tablename__ = "alert_receipt"
    __table_args__ = (UniqueConstraint("source", "fingerprint", "status", "starts_at"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str
    fingerprint: str
    status: str
    starts_at: str
    """The instant the sender gave, as ISO text ("" when it gave none): compared exactly."""
    incident_id: int = Field(foreign_key="incident.id", index=True)
    entry_id: int = Field(foreign_key="timeline_entry.id")
    received_at: datetime


class _Row(Protocol):
    id: int | None


def saved_id(row: _Row) -> int:
    """The id of a row the database has numbered (added and flushed, or read back).

    SQLModel types every primary key `int | None` because a new row has none yet; past the
    flush it always has one, and this says so once instead of at every use."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id yet: flush the session first")
    return row.id


def table_of(model: type[SQLModel]) -> Table:
    """The table behind a `table=True` model, for Core statements (bulk inserts).

    SQLModel's metaclass sets `__table__` on each table model; its typing doesn't declare it."""
    return cast(Table, model.__table__)  # type: ignore[attr-defined]
