"""Plain-text and JSON views of incidents for the command line (`show`, `list`).

Every user string passes through `clean`/`one_line` on the way out, so nothing in the
database can carry a terminal control sequence to the user's terminal.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from incident_tui.domain import MILESTONES, IncidentDetail, IncidentSummary
from incident_tui.policy import DEFAULT_POLICY, Policy, deadlines
from incident_tui.text import clean, one_line
from incident_tui.timeparse import format_duration, iso_z


def deadline_json(name: str, due_at: datetime, now: datetime) -> dict[str, Any]:
    return {
        "name": clean(name),
        "due_at": iso_z(due_at),
        "seconds_left": int((due_at - now).total_seconds() // 1),
    }


def detail_json(
    detail: IncidentDetail, *, now: datetime, policy: Policy = DEFAULT_POLICY
) -> dict[str, Any]:
    return {
        "key": detail.key,
        "title": clean(detail.title),
        "severity": detail.severity,
        "phase": detail.phase,
        "summary": clean(detail.summary),
        "is_drill": detail.is_drill,
        "declared_at": iso_z(detail.declared_at),
        "declared_by": clean(detail.declared_by),
        **{name: iso_z(detail.milestones[name]) for name in MILESTONES},
        "roles": {role: clean(holder) for role, holder in detail.roles.items()},
        "role_history": [
            {
                "role": h.role,
                "holder": clean(h.holder),
                "started_at": iso_z(h.started_at),
                "ended_at": iso_z(h.ended_at),
            }
            for h in detail.holdings
        ],
        "timeline": [
            {
                "id": e.id,
                "occurred_at": iso_z(e.occurred_at),
                "recorded_at": iso_z(e.recorded_at),
                "kind": e.kind,
                "author": clean(e.author),
                "text": clean(e.text),
                "pinned": e.pinned,
            }
            for e in detail.timeline
        ],
        "updates": [
            {
                "posted_at": iso_z(u.posted_at),
                "audience": u.audience,
                "author": clean(u.author),
                "text": clean(u.text),
                "phase": u.phase,
            }
            for u in detail.updates
        ],
        "action_items": [
            {
                "id": a.id,
                "description": clean(a.description),
                "owner": clean(a.owner) if a.owner else None,
                "due_date": a.due_date.isoformat() if a.due_date else None,
                "priority": a.priority,
                "type": a.type,
                "status": a.status,
                "ticket": clean(a.ticket) if a.ticket else None,
            }
            for a in detail.actions
        ],
        "deadlines": [
            deadline_json(d.name, d.due_at, now) for d in deadlines(detail.facts, policy)
        ],
    }


def summary_json(summary: IncidentSummary, *, now: datetime) -> dict[str, Any]:
    nd = summary.next_deadline
    return {
        "key": summary.key,
        "title": clean(summary.title),
        "severity": summary.severity,
        "phase": summary.phase,
        "started_at": iso_z(summary.started_at),
        "commander": clean(summary.commander) if summary.commander else None,
        "next_deadline": deadline_json(nd.name, nd.due_at, now) if nd else None,
    }


def countdown(due_at: datetime, now: datetime) -> str:
    """`in 4 min 10 s` or `overdue 2 min`."""
    left = due_at - now
    if left.total_seconds() < 0:
        return f"overdue {format_duration(-left)}"
    return f"in {format_duration(left)}"


def _when(at: datetime | None, tz: tzinfo, with_date: bool = True) -> str:
    if at is None:
        return "—"
    local = at.astimezone(tz)
    suffix = "Z" if local.utcoffset() is not None and local.utcoffset().total_seconds() == 0 else ""
    return local.strftime("%Y-%m-%d %H:%M:%S" if with_date else "%H:%M:%S") + suffix


def summary_lines(summaries: list[IncidentSummary], *, now: datetime) -> list[str]:
    lines = []
    for s in summaries:
        nd = s.next_deadline
        next_text = f"{nd.title} {countdown(nd.due_at, now)}" if nd else ""
        lines.append(
            f"{s.key:<8} SEV{s.severity}  {s.phase:<13} {format_duration(now - s.started_at):>12}"
            f"  {one_line(s.commander or 'no commander', 20):<20}  {one_line(s.title, 50):<50}"
            f"  {next_text}".rstrip()
        )
    return lines


def detail_lines(
    detail: IncidentDetail, *, now: datetime, tz: tzinfo, policy: Policy = DEFAULT_POLICY
) -> list[str]:
    multi_day = len({e.occurred_at.astimezone(tz).date() for e in detail.timeline}) > 1
    lines = [
        f"{detail.key}  SEV{detail.severity}  {detail.phase}  {one_line(detail.title)}",
        f"impact began {_when(detail.milestones['started_at'], tz)}"
        f" ({format_duration(now - detail.milestones['started_at'])} ago)",
    ]
    if detail.summary:
        lines.append(one_line(detail.summary))
    lines.append("")
    lines.append("milestones:")
    for name in MILESTONES:
        lines.append(f"  {name.removesuffix('_at'):<13} {_when(detail.milestones[name], tz)}")
    lines.append("roles:")
    for role, holder in detail.roles.items():
        lines.append(f"  {role:<13} {one_line(holder)}")
    if not detail.roles:
        lines.append("  (none)")
    lines.append("deadlines:")
    upcoming = deadlines(detail.facts, policy)
    for d in upcoming:
        lines.append(f"  {d.title:<30} {_when(d.due_at, tz)}  {countdown(d.due_at, now)}")
    if not upcoming:
        lines.append("  (none)")
    lines.append("timeline:")
    for e in detail.timeline:
        pin = "*" if e.pinned else " "
        lines.append(
            f" {pin}{_when(e.occurred_at, tz, multi_day)}  {e.kind:<8} "
            f"{one_line(e.author, 16):<16} {one_line(e.text)}"
        )
    if detail.updates:
        lines.append("updates:")
        for u in detail.updates:
            lines.append(f"  {_when(u.posted_at, tz)}  {u.audience:<9} {one_line(u.text, 100)}")
    if detail.actions:
        lines.append("action items:")
        for a in detail.actions:
            due = a.due_date.isoformat() if a.due_date else "no due date"
            lines.append(
                f"  #{a.id} [{a.status}] {a.priority} {a.type or '-'} "
                f"{one_line(a.owner or 'no owner')} {due}: {one_line(a.description)}"
            )
    return lines
