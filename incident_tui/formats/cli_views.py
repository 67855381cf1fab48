"""Plain-text and JSON views of incidents for the command line (`show`, `list`).

Every user string passes through `clean`/`one_line` on the way out, so nothing in the
database can carry a terminal control sequence to the user's terminal.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from incident_tui.domain.events import action_json
from incident_tui.domain.policy import DEFAULT_POLICY, Policy, deadlines
from incident_tui.domain.records import (
    ActionRow,
    IncidentDetail,
    IncidentSummary,
    SearchHit,
    seconds_until,
)
from incident_tui.domain.text import clean, one_line
from incident_tui.domain.timeparse import format_duration, iso_z
from incident_tui.domain.trends import MEASURES, PeriodMetrics, Trends, severities_seen
from incident_tui.domain.vocabulary import MILESTONES


def deadline_json(name: str, due_at: datetime, now: datetime) -> dict[str, Any]:
    return {
        "name": clean(name),
        "due_at": iso_z(due_at),
        "seconds_left": seconds_until(due_at, now),
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
        "public_description": (
            clean(detail.public_description) if detail.public_description else None
        ),
        "is_drill": detail.is_drill,
        "type": detail.incident_type,
        "services": list(detail.services),
        "labels": {key: clean(value) for key, value in detail.labels.items()},
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
                "actor": clean(e.actor or e.author),
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
        "action_items": [action_json(a) for a in detail.actions],
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
        "type": summary.incident_type,
        "services": list(summary.services),
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
    offset = local.utcoffset()
    suffix = "Z" if offset is not None and offset.total_seconds() == 0 else ""
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
        f" ({format_duration(now - detail.facts.started_at)} ago)",
    ]
    context = [
        *([f"type {detail.incident_type}"] if detail.incident_type else []),
        *([f"services {', '.join(detail.services)}"] if detail.services else []),
        *(
            [" ".join(f"{k}={one_line(v)}" for k, v in detail.labels.items())]
            if detail.labels
            else []
        ),
    ]
    if context:
        lines.append(" · ".join(context))
    if detail.summary:
        lines.append(one_line(detail.summary))
    if detail.public_description:
        lines.append(f"for the public: {one_line(detail.public_description)}")
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


# --- across incidents: actions, metrics, search -----------------------------------------


def action_row_json(row: ActionRow, *, today: date) -> dict[str, Any]:
    a = row.action
    return {
        "incident": row.key,
        "incident_title": clean(row.title),
        **action_json(a),
        "overdue": row.overdue(today),
    }


def action_lines(rows: list[ActionRow], *, today: date) -> list[str]:
    lines = []
    for row in rows:
        a = row.action
        due = a.due_date.isoformat() if a.due_date else "no due date"
        if row.overdue(today):
            due = f"OVERDUE {due} ({(today - a.due_date).days} d)"  # type: ignore[operator]
        owner = one_line(a.owner, 16) if a.owner else "no owner"
        lines.append(
            f"{row.key:<8} #{a.id:<5} {a.priority}  {a.status:<11} {owner:<16} {due:<28} "
            f"{one_line(a.description, 80)}"
        )
    return lines


def _seconds(value: timedelta | None) -> int | None:
    return None if value is None else int(value.total_seconds())


def period_json(period: PeriodMetrics) -> dict[str, Any]:
    severities = severities_seen(period)
    return {
        "since": iso_z(period.since),
        "until": iso_z(period.until),
        "incidents": period.incidents,
        "incidents_by_severity": {f"SEV{s}": period.by_severity[s] for s in severities},
        **{
            f"{key}_seconds": {
                "all": _seconds(period.mean(key)),
                **{f"SEV{s}": _seconds(period.mean(key, s)) for s in severities},
            }
            for key, *_ in MEASURES
        },
        "incidents_per_week": [
            {"week": week.isoformat(), **{f"SEV{s}": n for s, n in sorted(counts.items())}}
            for week, counts in period.weekly
        ],
        "action_items": {
            "total": period.actions_total,
            "done": period.actions_done,
            "completion_rate": period.completion_rate,
            "overdue": period.actions_overdue,
        },
        "update_cadence": {
            audience: {"required": required, "on_time": on_time}
            for audience, (required, on_time) in period.cadence.items()
        },
        "update_cadence_rate": period.cadence_rate(),
        "by_service": {
            name: {
                "incidents": figures.incidents,
                **{f"{key}_seconds": _seconds(figures.mean(key)) for key, *_ in MEASURES},
            }
            for name, figures in period.by_service.items()
        },
    }


def trends_json(trends: Trends) -> dict[str, Any]:
    return {"current": period_json(trends.current), "previous": period_json(trends.previous)}


def _duration(value: timedelta | None) -> str:
    return "—" if value is None else format_duration(value)


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def trends_lines(trends: Trends) -> list[str]:
    now, before = trends.current, trends.previous
    lines = [
        f"{now.since:%Y-%m-%d} → {now.until:%Y-%m-%d}, against {before.since:%Y-%m-%d} → "
        f"{before.until:%Y-%m-%d} (drills left out)",
        f"{'':<22}{'this period':>16}{'before':>16}",
        f"{'incidents':<22}{now.incidents:>16}{before.incidents:>16}",
    ]
    for severity in severities_seen(now, before):
        lines.append(
            f"{'  SEV' + str(severity):<22}{now.by_severity.get(severity, 0):>16}"
            f"{before.by_severity.get(severity, 0):>16}"
        )
    for key, label, *_ in MEASURES:
        lines.append(f"{label:<22}{_duration(now.mean(key)):>16}{_duration(before.mean(key)):>16}")
        for severity in severities_seen(now, before):
            lines.append(
                f"{'  SEV' + str(severity):<22}{_duration(now.mean(key, severity)):>16}"
                f"{_duration(before.mean(key, severity)):>16}"
            )
    lines += [
        f"{'action items done':<22}{_rate(now.completion_rate):>16}"
        f"{_rate(before.completion_rate):>16}",
        f"{'action items overdue':<22}{now.actions_overdue:>16}{before.actions_overdue:>16}",
        f"{'updates on time':<22}{_rate(now.cadence_rate()):>16}{_rate(before.cadence_rate()):>16}",
        "incidents per week (this period): "
        + "  ".join(f"{week:%m-%d} {sum(c.values())}" for week, c in now.weekly),
    ]
    return lines + service_lines(trends)


def service_lines(trends: Trends) -> list[str]:
    """The split by service (an incident in two services counts in both): incidents and
    the means, this period (the count before beside it)."""
    now, before = trends.current, trends.previous
    if not now.by_service and not before.by_service:
        return []
    labels = [label for _key, label, *_ in MEASURES]
    lines = [
        "by service (this period):",
        f"{'  service':<26}{'incidents':>10}{'before':>8}" + "".join(f"{x:>10}" for x in labels),
    ]
    names = list(now.by_service) + [n for n in before.by_service if n not in now.by_service]
    for name in names:
        mine = now.by_service.get(name)
        count = mine.incidents if mine else 0
        earlier = before.by_service[name].incidents if name in before.by_service else 0
        means = "".join(
            f"{_duration(mine.mean(key) if mine else None):>10}" for key, *_ in MEASURES
        )
        lines.append(f"  {one_line(name, 23):<24}{count:>10}{earlier:>8}{means}")
    return lines


def hit_json(hit: SearchHit) -> dict[str, Any]:
    return {
        "incident": hit.key,
        "incident_title": clean(hit.title),
        "kind": hit.kind,
        "id": hit.ref_id,
        "at": iso_z(hit.at),
        "text": clean(hit.text),
        "score": round(hit.score, 4),
        "is_drill": hit.is_drill,
    }


def hit_lines(hits: list[SearchHit], *, tz: tzinfo) -> list[str]:
    return [
        f"{hit.key:<8} {_when(hit.at, tz):<18} {hit.kind:<10} {one_line(hit.text, 90)}"
        for hit in hits
    ]
