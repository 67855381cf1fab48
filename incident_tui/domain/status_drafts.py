"""Status updates: drafts from templates chosen by the phase, and the forms people copy.

Pure: an incident's detail and `now` in, text out. No Textual, no database.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from incident_tui.domain.errors import IncidentError
from incident_tui.domain.policy import Policy
from incident_tui.domain.records import Entry, IncidentDetail
from incident_tui.domain.text import clean, one_line
from incident_tui.domain.timeparse import clock_time, format_duration

SMS_LIMIT = 160
IMPACT_PLACEHOLDER = "Describe who is affected and how."
"""Stands in the draft where no summary says what the impact is: to be replaced."""
PUBLIC_PLACEHOLDER = (
    "Say what customers notice, in plain words (Search results may be missing for some "
    "users in Europe)."
)
"""Stands in an external draft until the incident has customer-facing words: the internal
title ("indexer v2.14 shard map", say) is never what the public reads."""
AFFECTED = "Affected:"
INTERNAL_MARK = "internal:"
"""A draft line starting with this is left out of the status-page form."""

# The template each phase uses: what the world should hear at that point.
_TEMPLATE_FOR_PHASE = {
    "triage": "investigating",
    "investigating": "investigating",
    "identified": "identified",
    "mitigating": "identified",
    "monitoring": "monitoring",
    "resolved": "resolved",
    "closed": "resolved",
}
_STATUS = {
    "investigating": "We are investigating the cause.",
    "identified": "The cause has been identified and a fix is being applied.",
    "monitoring": "A fix is in place and we are monitoring the results.",
    "resolved": "This incident has been resolved.",
}


def template_name(phase: str) -> str:
    return _TEMPLATE_FOR_PHASE.get(phase, "investigating")


def next_update_in(detail: IncidentDetail, audience: str, *, policy: Policy) -> str:
    """`30 min` (the cadence for the audience now), or `as needed` when none is owed."""
    cadence = policy.cadence(detail.severity, audience, detail.incident_type)
    return format_duration(cadence) if cadence else "as needed"


def affected_words(text: str) -> str | None:
    """What a draft's `Affected:` line says (None while it holds the placeholder)."""
    for line in clean(text).splitlines():
        if line.strip().startswith(AFFECTED):
            value = one_line(line.strip().removeprefix(AFFECTED))
            if value and value != one_line(PUBLIC_PLACEHOLDER):
                return value
    return None


def public_description(detail: IncidentDetail) -> str | None:
    """The incident's customer-facing words: the stored description (asked for on the
    first external update, set by `/public`), else what the last external update said
    was affected, or None."""
    if detail.public_description:
        return detail.public_description
    for update in reversed(detail.updates):
        if update.audience == "external":
            said = affected_words(update.text)
            if said:
                return said
    return None


def asks_for_public_words(detail: IncidentDetail, audience: str) -> bool:
    """Whether posting to `audience` must first say what customers notice: the first
    external update of an incident without words for the public."""
    return audience == "external" and public_description(detail) is None


def draft(
    detail: IncidentDetail, audience: str, *, now: datetime, tz: tzinfo, policy: Policy
) -> str:
    """A status update filled with the incident's current state, ready to edit. The
    external one speaks the public's words (never the internal title or summary)."""
    name = template_name(detail.phase)
    started = detail.milestones["started_at"] or detail.declared_at
    last = [u for u in detail.updates if u.audience == audience]
    public = audience == "external"
    if public:
        affected = public_description(detail) or PUBLIC_PLACEHOLDER
    else:
        affected = one_line(detail.title)
    lines = [f"Status: {name.capitalize()} — {_STATUS[name]}", f"{AFFECTED} {affected}"]
    if not public:
        impact = one_line(detail.summary) if detail.summary else IMPACT_PLACEHOLDER
        lines.append(f"Impact: {impact}")
    lines.append(f"Started: {clock_time(started, tz)}")
    if not public:
        lines.append(f"Severity: SEV{detail.severity}, phase {detail.phase}")
        roles = detail.roles
        if roles.get("commander"):
            lines.append(f"{INTERNAL_MARK} commander {roles['commander']}")
    if last:  # no "none yet" boilerplate on the first one
        ago = format_duration(now - last[-1].posted_at)
        lines.append(f"Last update: {clock_time(last[-1].posted_at, tz)} ({ago} ago)")
    if name != "resolved":
        lines.append(f"Next update in: {next_update_in(detail, audience, policy=policy)}")
    return "\n".join(lines)


def entries_since_last_update(detail: IncidentDetail, audience: str) -> list[Entry]:
    """The timeline since the last update to `audience` (or since the declaration)."""
    last = [u.posted_at for u in detail.updates if u.audience == audience]
    since = last[-1] if last else None
    return [
        e for e in detail.timeline if (since is None or e.recorded_at > since) and e.kind != "comm"
    ]


def full_form(detail: IncidentDetail, text: str) -> str:
    """Everything: a heading with key, severity and phase, then the update as written."""
    heading = f"[{detail.key} SEV{detail.severity} {detail.phase}] {one_line(detail.title)}"
    return f"{heading}\n{clean(text).strip()}\n"


def status_page_form(text: str) -> str:
    """For the public status page: no lines marked internal, no severity line."""
    kept = [
        line
        for line in clean(text).strip().splitlines()
        if not line.strip().lower().startswith((INTERNAL_MARK, "severity:"))
    ]
    return "\n".join(kept).strip() + "\n"


_SMS_STATUS = {
    "investigating": "investigating",
    "identified": "cause found, fix under way",
    "monitoring": "fix in place, monitoring",
    "resolved": "resolved",
}


def sms_form(
    detail: IncidentDetail, text: str, *, now: datetime, tz: tzinfo, policy: Policy, audience: str
) -> str:
    """At most 160 characters: the key, what is affected, the state in a few words, and
    when the next update is due — each once. For the status page's audience, its words."""
    # Sent now, the next update to this audience is owed one cadence from now.
    cadence = policy.cadence(detail.severity, audience, detail.incident_type)
    tail = (
        f" Next update {clock_time(now + cadence, tz)}."
        if cadence and detail.phase not in ("resolved", "closed")
        else ""
    )
    # The public's words wherever there are some (an SMS reaches phones), the title only
    # inside the company and only while there are none.
    said = affected_words(text)
    public = public_description(detail)
    if audience == "external":
        affected = said or public
    else:
        affected = public or said or one_line(detail.title)
    state = _SMS_STATUS[template_name(detail.phase)]
    severity = "" if audience == "external" else f" SEV{detail.severity}"
    if not affected:  # no words for it yet: the state alone, said once
        return f"{detail.key}{severity} {state}.{tail}"
    head = f"{detail.key}{severity} {state}: "
    body = affected.rstrip(".")
    room = SMS_LIMIT - len(head) - len(tail) - 1
    if len(body) > room:
        body = body[: room - 1].rstrip() + "…"
    return f"{head}{body}.{tail}"


def text_to_post(text: str, audience: str) -> str:
    """What is recorded as posted: the status page gets its public form (no internal
    lines); a draft whose impact placeholder was never filled in is refused."""
    if IMPACT_PLACEHOLDER in text:
        raise IncidentError("say what the impact is: replace the Impact line's placeholder")
    if audience == "external" and one_line(PUBLIC_PLACEHOLDER) in one_line(text):
        raise IncidentError(
            "say what customers notice on the Affected: line (plain words, no internal names)"
        )
    return status_page_form(text).strip() if audience == "external" else text
