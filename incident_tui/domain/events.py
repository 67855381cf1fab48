"""What happened, as events: the rows written since a cursor turned into the JSON objects
`incident-tui watch` prints and hooks read on stdin, in the order they were recorded.

The store reads the rows (`store/event_reads.py`); this module composes them, and
`EventFollower` remembers what was already told, so a read that looks back (PostgreSQL
commits out of id order) tells nothing twice. Pure: no database, no Textual.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any

from incident_tui.domain.event_rows import (
    SOURCES,
    ActionItemRow,
    Changes,
    EntryRow,
    EventCursor,
    RevisionRow,
)
from incident_tui.domain.records import Action
from incident_tui.domain.text import clean
from incident_tui.domain.timeparse import iso_z
from incident_tui.domain.vocabulary import incident_key

EVENT_TYPES: tuple[str, ...] = (
    "incident.declared",
    "entry.added",
    "entry.edited",
    "entry.deleted",
    "entry.pinned",
    "entry.unpinned",
    "phase.changed",
    "severity.changed",
    "milestone.changed",
    "role.assigned",
    "role.vacated",
    "update.posted",
    "action.added",
    "action.updated",
)
"""Every event there is (the README's table, the hooks' `events` filter)."""

HOOK_AUTHOR = "hooks"
"""Who writes a hook's failure into the timeline; events by it never run hooks (no loop)."""


# --- what system entries say (written by ops/roles.py and ops/action_items.py) -----------

_VACATED = re.compile(r"^(?P<role>\S+) vacated \(was (?P<previous>.+)\)$")
_ACTION_CHANGED = re.compile(r"^Action item #(?P<id>\d+) \(.*\): (?P<changes>.+)$")


def action_mentioned(entry: EntryRow) -> int | None:
    """The action item a system `status` entry records a change of, or None."""
    if entry.kind != "status":
        return None
    match = _ACTION_CHANGED.match(entry.text)
    return int(match["id"]) if match else None


# --- composing ------------------------------------------------------------------------------


def _entry_json(row: EntryRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "occurred_at": iso_z(row.occurred_at),
        "recorded_at": iso_z(row.recorded_at),
        "kind": row.kind,
        "author": clean(row.author),
        "text": clean(row.text),
        "pinned": row.pinned,
        "actor": clean(row.actor or row.author),
    }


def _as_of(row: EntryRow, revision: RevisionRow) -> EntryRow:
    """The entry as it was when `revision` (its state before a change) was taken."""
    return replace(
        row,
        kind=revision.kind,
        text=revision.text,
        occurred_at=revision.occurred_at,
        pinned=revision.pinned,
    )


def action_json(row: ActionItemRow | Action) -> dict[str, Any]:
    """An action item as `show --json` and the events say it (one shape for both)."""
    return {
        "id": row.id,
        "description": clean(row.description),
        "owner": clean(row.owner) if row.owner else None,
        "due_date": row.due_date.isoformat() if row.due_date else None,
        "priority": row.priority,
        "type": row.type,
        "status": row.status,
        "ticket": clean(row.ticket) if row.ticket else None,
    }


def _instant_text(value: str | None) -> str | None:
    """A milestone's stored ISO text as `…Z` (None stays None)."""
    if value is None:
        return None
    try:
        return iso_z(datetime.fromisoformat(value))
    except ValueError:
        return value


def _severity(value: str | None) -> int | str | None:
    return int(value) if value is not None and value.isdigit() else value


# Within one transaction: the incident first, then its state, then the timeline entry
# (what a system entry says comes just before the entry itself), then revisions.
_RANK = {"incident": 0, "change": 1, "holding": 2, "update": 3, "action": 4, "entry": 6}


def compose(changes: Changes) -> list[dict[str, Any]]:
    """The events of `changes`, in the order they were recorded."""
    found: list[tuple[tuple[datetime, int, int], dict[str, Any]]] = []

    def add(
        name: str, source: str, id: int, number: int, at: datetime, by: str, **body: Any
    ) -> None:
        title, drill = changes.incidents.get(number, ("", False))
        derived = source == "entry" and name != "entry.added"
        found.append(
            (
                (at, _RANK.get(source, 7) - derived, id),
                {
                    "event": name,
                    "id": f"{source}:{id}:{name}" if derived else f"{source}:{id}",
                    "incident": incident_key(number),
                    "title": clean(title),
                    "drill": drill,
                    "at": iso_z(at),
                    "by": clean(by),
                    **body,
                },
            )
        )

    for d in changes.declared:
        add(
            "incident.declared",
            "incident",
            d.id,
            d.id,
            d.declared_at,
            d.declared_by,
            severity=d.severity,
            started_at=iso_z(d.started_at),
        )
    for e in changes.entries:
        history = changes.history.get(e.id, [])
        first = _as_of(e, history[0]) if history else e
        add(
            "entry.added",
            "entry",
            e.id,
            e.incident,
            e.recorded_at,
            e.author,
            entry=_entry_json(first),
        )
        vacated = _VACATED.match(e.text) if e.kind == "role" else None
        if vacated:
            add(
                "role.vacated",
                "entry",
                e.id,
                e.incident,
                e.recorded_at,
                e.author,
                role=vacated["role"],
                previous=vacated["previous"],
            )
        action_id = action_mentioned(e)
        if action_id is not None and action_id in changes.actions_now:
            match = _ACTION_CHANGED.match(e.text)
            add(
                "action.updated",
                "entry",
                e.id,
                e.incident,
                e.recorded_at,
                e.author,
                action=action_json(changes.actions_now[action_id]),
                changes=match["changes"] if match else "",
            )
    for r in changes.revisions:
        entry = changes.current.get(r.entry_id)
        if entry is None:
            continue
        history = changes.history.get(r.entry_id, [])
        later = [h for h in history if h.id > r.id]
        after = _as_of(entry, later[0]) if later else entry
        before = _as_of(entry, r)
        extra: dict[str, Any] = {}
        if r.change == "delete":
            name, shown = "entry.deleted", before
        elif r.change == "pin":
            name = "entry.pinned" if after.pinned else "entry.unpinned"
            shown = after
        else:
            name, shown = "entry.edited", after
            extra = {"before": {k: _entry_json(before)[k] for k in ("occurred_at", "kind", "text")}}
        add(
            name,
            "revision",
            r.id,
            entry.incident,
            r.changed_at,
            r.changed_by,
            entry=_entry_json(shown),
            **extra,
        )
    for c in changes.changes:
        if c.field == "phase":
            body: dict[str, Any] = {"from": c.old, "to": c.new, "effective_at": iso_z(c.at)}
            name = "phase.changed"
        elif c.field == "severity":
            body = {"from": _severity(c.old), "to": _severity(c.new)}
            name = "severity.changed"
        elif c.field.endswith("_at"):
            body = {
                "milestone": c.field.removesuffix("_at"),
                "from": _instant_text(c.old),
                "to": _instant_text(c.new),
            }
            name = "milestone.changed"
        else:
            continue
        add(name, "change", c.id, c.incident, c.recorded_at, c.author, **body)
    for h in changes.holdings:
        add(
            "role.assigned",
            "holding",
            h.id,
            h.incident,
            h.started_at,
            h.assigned_by,
            role=h.role,
            holder=clean(h.holder),
            previous=clean(h.previous) if h.previous else None,
        )
    for u in changes.updates:
        update = {
            "id": u.id,
            "audience": u.audience,
            "text": clean(u.text),
            "author": clean(u.author),
            "posted_at": iso_z(u.posted_at),
            "phase": u.phase,
        }
        add("update.posted", "update", u.id, u.incident, u.posted_at, u.author, update=update)
    for a in changes.actions:
        add(
            "action.added",
            "action",
            a.id,
            a.incident,
            a.created_at,
            a.created_by,
            action=action_json(a),
        )
    found.sort(key=lambda pair: pair[0])
    return [event for _key, event in found]


class EventFollower:
    """Where a reader stands: the cursor to read past (minus `lookback` ids on a database
    that commits out of id order), and the ids already told above it."""

    def __init__(self, cursor: EventCursor, lookback: int = 0) -> None:
        self.cursor = cursor
        self.lookback = lookback
        self._told: dict[str, set[int]] = {source: set() for source in SOURCES}

    def read_after(self) -> EventCursor:
        """The cursor the next read starts from (looking back by `lookback` ids)."""
        return EventCursor(**{s: max(0, getattr(self.cursor, s) - self.lookback) for s in SOURCES})

    def skip(self, changes: Changes) -> None:
        """Count `changes` as told without telling them: what was there at the start."""
        self.take(changes)

    def take(self, changes: Changes) -> list[dict[str, Any]]:
        """The events of `changes` not told yet, in order; remembers them as told."""
        fresh = replace(
            changes,
            declared=self._fresh("incident", changes.declared),
            entries=self._fresh("entry", changes.entries),
            revisions=self._fresh("revision", changes.revisions),
            changes=self._fresh("change", changes.changes),
            holdings=self._fresh("holding", changes.holdings),
            updates=self._fresh("update", changes.updates),
            actions=self._fresh("action", changes.actions),
        )
        tops = {}
        for source in SOURCES:
            told = self._told[source]
            tops[source] = max(told, default=0, key=int)
            tops[source] = max(tops[source], getattr(self.cursor, source))
            # Only what a look-back can still return needs remembering.
            floor = tops[source] - self.lookback
            told.difference_update([i for i in told if i <= floor])
        self.cursor = EventCursor(**tops)
        return compose(fresh)

    def _fresh(self, source: str, rows: Iterable[Any]) -> list[Any]:
        """The rows above the look-back floor not told yet (marked told now)."""
        told = self._told[source]
        floor = getattr(self.cursor, source) - self.lookback
        fresh = [r for r in rows if r.id > floor and r.id not in told]
        told.update(r.id for r in fresh)
        return fresh
