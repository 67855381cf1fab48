"""The commander's handover brief: what the next commander must know, drafted from the
incident's state — impact and since when, phase, the current hypothesis, what was ruled
out, decisions, open actions and owners, who holds which role, what was last said and
the next deadlines. Plain text, to be edited, logged as an entry and copied."""

from __future__ import annotations

import re
from datetime import datetime, tzinfo

from incident_tui.domain.incident_types import roles_to_fill
from incident_tui.domain.policy import DEFAULT_POLICY, Policy, deadlines
from incident_tui.domain.records import Entry, IncidentDetail
from incident_tui.domain.status_drafts import public_description
from incident_tui.domain.text import one_line
from incident_tui.domain.timeparse import clock_time, format_duration
from incident_tui.domain.vocabulary import AUDIENCES

HEADING = "Handover brief"
"""The brief's first words: how its logged entry is recognised."""

HYPOTHESES = 3
DECISIONS = 5
RULED_OUT = 5

_RULED_OUT = re.compile(
    r"\b(ruled out|rule out|not the cause|not caused by|isn'?t the|wasn'?t the|excluded|"
    r"red herring|no longer suspect|unrelated)\b",
    re.IGNORECASE,
)


def ruled_out(entry: Entry) -> bool:
    """An entry that says a cause was ruled out (findings and notes, in people's words)."""
    return entry.kind in ("finding", "note", "decision") and bool(_RULED_OUT.search(entry.text))


def _newest(entries: list[Entry], count: int) -> list[Entry]:
    return sorted(entries, key=lambda e: (e.occurred_at, e.id), reverse=True)[:count]


def _line(entry: Entry, tz: tzinfo) -> str:
    return f"- {clock_time(entry.occurred_at, tz)} {one_line(entry.text, 200)} ({entry.author})"


def brief(
    detail: IncidentDetail, *, now: datetime, tz: tzinfo, policy: Policy = DEFAULT_POLICY
) -> str:
    """The brief for `detail` at `now`, times in `tz`."""
    started = detail.milestones.get("started_at") or detail.declared_at
    lines = [
        f"{HEADING}: {detail.key} SEV{detail.severity} {one_line(detail.title, 120)}",
        f"Phase: {detail.phase}, impact since {clock_time(started, tz)}"
        f" ({format_duration(now - started)} ago)",
    ]
    impact = public_description(detail) or one_line(detail.summary, 300)
    lines.append(f"Impact: {impact or 'not written down yet'}")

    live = [e for e in detail.timeline if e.kind != "status"]
    findings = [e for e in live if e.kind == "finding" and not ruled_out(e)]
    sections: list[tuple[str, list[Entry], str]] = [
        ("Current hypothesis (latest findings)", _newest(findings, HYPOTHESES), "none yet"),
        ("Ruled out", _newest([e for e in live if ruled_out(e)], RULED_OUT), "nothing yet"),
        (
            "Decisions",
            _newest([e for e in live if e.kind == "decision" and not ruled_out(e)], DECISIONS),
            "none yet",
        ),
    ]
    for title, entries, empty in sections:
        lines += ["", f"{title}:"]
        lines += [_line(e, tz) for e in entries] or [f"- {empty}"]

    lines += ["", "Open actions:"]
    open_actions = [a for a in detail.actions if a.status != "done"]
    lines += [
        f"- {one_line(a.description, 160)} — {a.owner or 'no owner'}"
        + (f", due {a.due_date.isoformat()}" if a.due_date else "")
        for a in open_actions
    ] or ["- none"]

    lines += ["", "Roles:"]
    lines += [f"- {role}: {holder}" for role, holder in detail.roles.items()] or ["- none held"]
    vacant = [r for r in roles_to_fill(policy.types, detail.incident_type) if r not in detail.roles]
    lines += [f"- {role}: vacant (the {detail.incident_type} type asks for it)" for role in vacant]

    lines += ["", "Last said:"]
    for audience in AUDIENCES:
        said = [u for u in detail.updates if u.audience == audience]
        if said:
            last = said[-1]
            lines.append(
                f"- {audience}, {clock_time(last.posted_at, tz)}"
                f" ({format_duration(now - last.posted_at)} ago): {one_line(last.text, 160)}"
            )
        else:
            lines.append(f"- {audience}: nothing yet")

    lines += ["", "Next deadlines:"]
    upcoming = deadlines(detail.facts, policy)  # earliest first
    lines += [
        f"- {d.title}: "
        + (
            f"{format_duration(now - d.due_at)} overdue"
            if d.due_at <= now
            else f"at {clock_time(d.due_at, tz)} (in {format_duration(d.due_at - now)})"
        )
        for d in upcoming
    ] or ["- none"]
    return "\n".join(lines)
