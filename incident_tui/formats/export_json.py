"""The JSON export: the product owner's postmortem data model, typed (names AND types),
its JSON Schema, and the exact `record` that `incident-tui import` reads back.

The model's fields are never null: a string the team has not written is `""`, an
unknown number of users `0` (the lint says it is missing), a SLA not (yet) breached
`false`. Extra fields (`kind`, `commanders`, `metrics`, …) may be null where "unknown"
is the honest value. The TypedDicts of `export_model.py` are the one model: `to_json`
builds them and `export_model.schema()` derives the JSON Schema from them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import repeat
from operator import attrgetter, is_, itemgetter
from typing import Any, Final

from incident_tui.domain.postmortem_draft import (
    LIST_SECTIONS,
    PostmortemDraft,
    impact_duration_text,
)
from incident_tui.domain.postmortem_draft import users_affected_number as _users
from incident_tui.domain.records import Entry
from incident_tui.domain.text import clean
from incident_tui.domain.timeparse import iso_z
from incident_tui.domain.vocabulary import MILESTONES
from incident_tui.formats.export_model import PostmortemDocument, TimelineEvent

JSON_FORMAT: Final = "incident-tui"
JSON_FORMAT_VERSION = 2
"""The JSON export's `formatVersion`: `incident-tui import` reads this version and older.
Bump it when the `record` section changes in a way an older reader would misread
(2: the list sections are arrays of points, entries carry their actor)."""


def _seconds(delta: timedelta | None) -> int | None:
    return int(delta.total_seconds()) if delta is not None else None


def iso_exact(at: datetime | None) -> str | None:
    """An instant as ISO 8601 UTC with `Z`, microseconds kept when there are any (the
    `record` section must give back the very instant that was stored)."""
    if at is None:
        return None
    if at.tzinfo is not UTC:
        at = at.astimezone(UTC)
    return at.isoformat()[:-6] + "Z"  # "+00:00" → "Z"; a replace() would cost twice this


_OCCURRED = itemgetter(Entry._fields.index("occurred_at"))
_TZINFO = attrgetter("tzinfo")


def _cleaner() -> Any:
    """`clean` remembering its answers: authors and actors repeat across 100k entries."""
    seen: dict[str, str] = {}

    def cleaned(text: str) -> str:
        done = seen.get(text)
        if done is None:
            done = seen[text] = clean(text)
        return done

    return cleaned


def stamps(timeline: list[Entry]) -> list[str]:
    """Each entry's `occurred_at` as `isoformat` gives it, in UTC (one C call each)."""
    instants = list(map(_OCCURRED, timeline))
    if not all(map(is_, map(_TZINFO, instants), repeat(UTC))):
        instants = [at.astimezone(UTC) for at in instants]
    return list(map(datetime.isoformat, instants))


def _entries(timeline: list[Entry]) -> list[dict[str, Any]]:
    """The record's entries: 100k of them in a big incident, so each instant is formatted
    by one `isoformat` (`…+00:00` cut to `…Z`), and most entries (recorded when they
    happened) format it once."""
    name = _cleaner()
    rows = []
    for e, stamp in zip(timeline, stamps(timeline), strict=True):
        occurred = stamp[:-6] + "Z"
        row = {
            "occurredAt": occurred,
            "recordedAt": occurred if e.recorded_at == e.occurred_at else iso_exact(e.recorded_at),
            "kind": e.kind,
            "author": name(e.author),
            "text": clean(e.text),
            "pinned": e.pinned,
        }
        if e.actor:
            row["actor"] = name(e.actor)
        rows.append(row)
    return rows


def _events(timeline: list[Entry]) -> list[TimelineEvent]:
    """The model's timeline: the time to the second (`isoformat` cut), names cleaned once."""
    name = _cleaner()
    return [
        {
            "time": stamp[:19] + "Z",
            "event": clean(e.text),
            "actor": name(e.actor or e.author),
            "kind": e.kind,
            "author": name(e.author),
        }
        for e, stamp in zip(timeline, stamps(timeline), strict=True)
    ]


def record(draft: PostmortemDraft, *, with_entries: bool = True) -> dict[str, Any]:
    """Everything stored about the incident, exactly: what `incident-tui import` rebuilds
    it from. The rest of the JSON export is the postmortem view computed from this.
    Without entries, `entries` is `[]` (json_rows writes them as text)."""
    detail, fields = draft.detail, draft.fields
    return {
        "title": clean(detail.title),
        "severity": detail.severity,
        "phase": detail.phase,
        "summary": clean(detail.summary),
        "isDrill": detail.is_drill,
        "incidentType": detail.incident_type,
        "services": list(detail.services),
        "labels": {key: clean(value) for key, value in detail.labels.items()},
        "declaredAt": iso_exact(detail.declared_at),
        "declaredBy": clean(detail.declared_by),
        "milestones": {
            name.removesuffix("_at"): iso_exact(detail.milestones[name]) for name in MILESTONES
        },
        "entries": _entries(detail.timeline) if with_entries else [],
        "roles": [
            {
                "role": h.role,
                "holder": clean(h.holder),
                "startedAt": iso_exact(h.started_at),
                "endedAt": iso_exact(h.ended_at),
                "assignedBy": clean(h.assigned_by),
            }
            for h in detail.holdings
        ],
        "changes": [
            {
                "at": iso_exact(c.at),
                "recordedAt": iso_exact(c.recorded_at),
                "field": c.field,
                "old": clean(c.old) if c.old is not None else None,
                "new": clean(c.new) if c.new is not None else None,
                "author": clean(c.author),
            }
            for c in draft.changes
        ],
        "updates": [
            {
                "postedAt": iso_exact(u.posted_at),
                "audience": u.audience,
                "author": clean(u.author),
                "text": clean(u.text),
                "phase": u.phase,
            }
            for u in detail.updates
        ],
        "actionItems": [
            {
                "description": clean(a.description),
                "owner": clean(a.owner) if a.owner else None,
                "dueDate": a.due_date.isoformat() if a.due_date else None,
                "priority": a.priority,
                "type": a.type,
                "status": a.status,
                "ticket": clean(a.ticket) if a.ticket else None,
                "createdAt": iso_exact(a.created_at),
                "createdBy": clean(a.created_by),
            }
            for a in draft.actions
        ],
        "postmortem": {
            "status": fields.status,
            "summary": clean(fields.summary),
            "rootCause": clean(fields.root_cause),
            **{
                _camel(name): [clean(p) for p in getattr(fields, name)] for name, _ in LIST_SECTIONS
            },
            "lessonsLearned": clean(fields.lessons_learned),
            "usersAffected": clean(fields.users_affected),
            "revenueImpact": clean(fields.revenue_impact),
            "slaBreached": fields.sla_breached,
            "authors": clean(fields.authors),
        },
        "fiveWhys": [
            {"question": clean(w.question), "answer": clean(w.answer)} for w in draft.whys
        ],
    }


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def timeline_entries(draft: PostmortemDraft) -> list[Entry]:
    """The key events when some are chosen (pinned), else the whole timeline."""
    return draft.key_events or draft.detail.timeline


def to_json(draft: PostmortemDraft, *, with_timeline: bool = True) -> PostmortemDocument:
    """The postmortem as JSON; with the timeline, also the exact `record` (the full JSON
    export, which `incident-tui import` reads back)."""
    detail, fields, metrics = draft.detail, draft.fields, draft.metrics
    started = detail.milestones.get("started_at") or detail.declared_at
    resolved = detail.milestones.get("resolved_at")
    severity: Any = f"SEV-{detail.severity}"
    doc: PostmortemDocument = {
        "format": JSON_FORMAT,
        "formatVersion": JSON_FORMAT_VERSION,
        "id": detail.key,
        "title": clean(detail.title),
        "date": iso_z(started),
        "severity": severity,
        "incidentType": detail.incident_type or "",
        "services": list(detail.services),
        "labels": {key: clean(value) for key, value in detail.labels.items()},
        "incidentCommander": clean(draft.commander or ""),
        "commanders": [
            {
                "name": clean(h.holder),
                "startedAt": iso_z(h.started_at),
                "endedAt": iso_z(h.ended_at),
            }
            for h in draft.commanders
        ],
        "authors": [clean(a) for a in draft.authors],
        "status": fields.status,  # type: ignore[typeddict-item]
        "summary": clean(fields.summary or detail.summary),
        "impact": {
            "duration": impact_duration_text(started, resolved),
            "durationSeconds": _seconds(metrics.impact_duration),
            "usersAffected": _users(fields.users_affected) or 0,
            "revenueImpact": clean(fields.revenue_impact),
            "slaBreached": bool(draft.sla_breached),
        },
        "timeline": _events(timeline_entries(draft)) if with_timeline else [],
        "rootCause": clean(fields.root_cause),
        "contributingFactors": [clean(p) for p in fields.contributing_factors],
        "whatWentWell": [clean(p) for p in fields.what_went_well],
        "whatWentPoorly": [clean(p) for p in fields.what_went_poorly],
        "luckyBreaks": [clean(p) for p in fields.lucky_breaks],
        "actionItems": [
            {
                "description": clean(a.description),
                "type": a.type or "",  # type: ignore[typeddict-item]
                "owner": clean(a.owner or ""),
                "priority": a.priority,  # type: ignore[typeddict-item]
                "dueDate": a.due_date.isoformat() if a.due_date else "",
                "status": a.status,  # type: ignore[typeddict-item]
                "jiraTicket": clean(a.ticket or ""),
            }
            for a in draft.actions
        ],
        "fiveWhys": [
            {"question": clean(w.question), "answer": clean(w.answer)} for w in draft.whys
        ],
        "lessonsLearned": clean(fields.lessons_learned),
        "metrics": {
            "timeToDetectSeconds": _seconds(metrics.time_to_detect),
            "timeToAcknowledgeSeconds": _seconds(metrics.time_to_acknowledge),
            "timeToMitigateSeconds": _seconds(metrics.time_to_mitigate),
            "timeToResolveSeconds": _seconds(metrics.time_to_resolve),
            "slaBreached": draft.sla_breached,
            "cadence": {
                c.audience: {
                    "required": c.required,
                    "onTime": c.on_time,
                    "worstLateSeconds": _seconds(c.worst_late),
                    "summary": c.describe(),
                }
                for c in metrics.cadence
            },
            "reconstructedEntries": metrics.reconstructed,
            "reconstructedWorstLateSeconds": _seconds(metrics.reconstructed_worst),
        },
        "updates": [
            {
                "postedAt": iso_z(u.posted_at),
                "audience": u.audience,
                "author": clean(u.author),
                "text": clean(u.text),
                "phase": u.phase,
            }
            for u in detail.updates
        ],
        "milestones": {
            name.removesuffix("_at"): iso_z(detail.milestones[name]) for name in MILESTONES
        },
    }
    if with_timeline:
        doc["record"] = record(draft)
    return doc
