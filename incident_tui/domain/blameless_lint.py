"""The blameless lint: what a postmortem draft should fix before review, with suggestions."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta

from incident_tui.domain.postmortem_draft import (
    LIST_SECTIONS,
    TEXT_SECTIONS,
    Finding,
    PostmortemDraft,
    users_affected_number,
)
from incident_tui.domain.timeparse import format_duration

GAP = timedelta(minutes=15)
"""A silence longer than this while the incident was active is worth explaining."""
RULES: tuple[str, ...] = (
    "blame",
    "empty-section",
    "users-affected",
    "action-incomplete",
    "few-whys",
    "unanswered-why",
    "missing-milestone",
    "milestone-order",
    "timeline-gap",
)
MODEL_SECTIONS: tuple[tuple[str, str], ...] = (
    ("summary", "Summary"),
    ("root_cause", "Root cause"),
    *LIST_SECTIONS,
)
"""The sections the product owner's model expects filled in."""
ENOUGH_WHYS = 3

_JUDGING = re.compile(
    r"\b(?:careless(?:ly)?|negligent(?:ly)?|sloppy|lazy|incompetent|stupid|dumb|reckless(?:ly)?)\b",
    re.IGNORECASE,
)
_HINDSIGHT = re.compile(r"\bshould(?:\s+have|['’]ve|n['’]t\s+have|\s+not\s+have)\b", re.IGNORECASE)
_PERSON_ERROR = re.compile(r"\b(?:human|user|operator|pilot)\s+error\b", re.IGNORECASE)
_FAILURE_VERB = (
    r"(?:broke|caused|forgot|missed|failed\s+to|messed\s+up|screwed\s+up|pushed\s+a\s+bad"
    r"|deployed\s+a\s+bad|didn['’]t|did\s+not|ignored|overlooked)\b"
)
_PRONOUN = r"\b(?:he|she|someone|somebody|(?:the|an)\s+(?:engineer|developer|operator))"
# The failure verb is one of the next three words: at most two words in between, and
# never across a comma or a semicolon ("When Tom restarted it, the job failed to start").
_THEN_FAILED = r"(?:['’]s)?(?:\s+[\w'’-]+){0,2}?\s+" + _FAILURE_VERB
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")

_SUGGESTIONS = {
    "judging": "Describe the conditions people worked under (time pressure, an unclear "
    "runbook, missing tooling) rather than judging them.",
    "hindsight": "Describe what in the system made this possible: 'the deploy pipeline did "
    "not check the shard map version' rather than what someone should have done.",
    "error": "Name what let the mistake through (a missing check, a confusing interface, "
    "no guardrail) rather than calling it an error of a person.",
    "person": "Describe what in the system made this possible: 'the deploy pipeline did not "
    "check the shard map version' rather than who missed it.",
}
_METRICS: tuple[tuple[str, tuple[str, str]], ...] = (
    ("time to detect", ("started", "detected")),
    ("time to acknowledge", ("detected", "acknowledged")),
    ("time to mitigate", ("started", "mitigated")),
    ("time to resolve", ("started", "resolved")),
)


def lint(draft: PostmortemDraft) -> list[Finding]:
    """Everything worth fixing in `draft`, rule by rule (see `RULES`), each in draft order.

    Advice only: the draft is not changed."""
    return [
        *_blame(draft),
        *_empty_sections(draft),
        *_users_affected(draft),
        *_incomplete_actions(draft),
        *_few_whys(draft),
        *_unanswered_whys(draft),
        *_missing_milestones(draft),
        *_milestone_order(draft),
        *_timeline_gaps(draft),
    ]


# --- blame -------------------------------------------------------------------------------


def _people(draft: PostmortemDraft) -> list[str]:
    """Names of the people involved, as they may be written in the text."""
    detail = draft.detail
    # An author that only ever posted alerts is a hook (pagerduty, alertmanager), not a
    # person: "alertmanager failed to page" is the system-focused wording we want.
    writers = {e.author for e in detail.timeline if e.kind != "alert"}
    raw = [
        *(h.holder for h in detail.holdings),
        *sorted(writers),
        *(a.owner for a in detail.actions if a.owner),
        *draft.fields.authors.split(","),
    ]
    names: dict[str, None] = {}
    for name in raw:
        name = name.strip().lstrip("@").strip().lower()
        if not name:
            continue
        names[name] = None
        parts = [p for p in re.split(r"[\s._]+", name) if len(p) >= 2]
        if len(parts) > 1:
            names.update(dict.fromkeys(parts))
    return list(names)


def _person_pattern(draft: PostmortemDraft) -> re.Pattern[str]:
    names = sorted(_people(draft), key=len, reverse=True)
    subjects = [rf"(?<![\w.-]){re.escape(n)}(?![\w@-])" for n in names]
    subjects.append(_PRONOUN)
    return re.compile(rf"(?:{'|'.join(subjects)}){_THEN_FAILED}", re.IGNORECASE)


def _sentences(text: str) -> Iterator[str]:
    for sentence in _SENTENCE_END.split(text):
        if sentence.strip():
            yield sentence.strip()


def _blaming(sentence: str, person: re.Pattern[str]) -> list[tuple[str, str]]:
    """(kind, quoted words) for each blaming phrase in one sentence."""
    found: list[tuple[str, str]] = []
    for kind, pattern in (
        ("judging", _JUDGING),
        ("hindsight", _HINDSIGHT),
        ("error", _PERSON_ERROR),
        ("person", person),
    ):
        for match in pattern.finditer(sentence):
            words = " ".join(match.group(0).split())
            if (kind, words) not in found:
                found.append((kind, words))
    return found


_EXPLAIN = {
    "judging": "judges a person",
    "hindsight": "judges with hindsight",
    "error": "stops at a person",
    "person": "makes a person the cause",
}


def _texts(draft: PostmortemDraft) -> Iterator[tuple[str, str, str, dict]]:
    """(where, message prefix, text, extra) for every piece of free text the lint reads."""
    for name, heading in TEXT_SECTIONS:
        yield heading.lower(), "", getattr(draft.fields, name), {"field": name}
    for name, heading in LIST_SECTIONS:
        for index, point in enumerate(getattr(draft.fields, name), start=1):
            extra = {"field": name, "point": index}
            yield heading.lower(), f"point {index}: ", point, extra
    for why in sorted(draft.whys, key=lambda w: w.position):
        for part in ("question", "answer"):
            extra = {"field": "whys", "position": why.position, "part": part}
            yield "five whys", f"why #{why.position} {part}: ", getattr(why, part), extra
    for action in draft.actions:
        extra = {"field": "actions", "action_id": action.id}
        yield f"action item #{action.id}", "", action.description, extra


def _blame(draft: PostmortemDraft) -> Iterator[Finding]:
    person = _person_pattern(draft)
    for where, prefix, text, extra in _texts(draft):
        for sentence in _sentences(text or ""):
            found = _blaming(sentence, person)
            if not found:
                continue
            reasons = "; ".join(f'"{words}" {_EXPLAIN[kind]}' for kind, words in found)
            yield Finding(
                rule="blame",
                where=where,
                message=f"{prefix}blaming phrasing: {reasons}",
                suggestion=_SUGGESTIONS[found[0][0]],
                extra={**extra, "sentence": sentence, "quotes": [w for _, w in found]},
            )


# --- action items, five whys, milestones --------------------------------------------------


def _incomplete_actions(draft: PostmortemDraft) -> Iterator[Finding]:
    for action in draft.actions:
        missing = [
            label
            for label, value in (
                ("no owner", action.owner),
                ("no due date", action.due_date),
                ("no type", action.type),
            )
            if not value
        ]
        if missing:
            yield Finding(
                rule="action-incomplete",
                where=f"action item #{action.id}",
                message=f"action item #{action.id} has {_and(missing)}",
                suggestion="give it an owner (@name), a due date (due:DATE) and a type "
                "(prevent, detect or mitigate), so it gets done",
                extra={"action_id": action.id, "missing": missing},
            )


def _empty_sections(draft: PostmortemDraft) -> Iterator[Finding]:
    for name, heading in MODEL_SECTIONS:
        value = getattr(draft.fields, name)
        if name == "summary":
            value = value or draft.detail.summary
        if isinstance(value, list) and any(point.strip() for point in value):
            continue
        if isinstance(value, str) and value.strip():
            continue
        yield Finding(
            rule="empty-section",
            where=heading.lower(),
            message=f"{heading.lower()} is empty",
            suggestion="write it before review: the postmortem's readers expect every section"
            + (", one point per line" if isinstance(value, list) else ""),
            extra={"field": name},
        )


def _users_affected(draft: PostmortemDraft) -> Iterator[Finding]:
    written = draft.fields.users_affected.strip()
    if users_affected_number(written) is not None:
        return
    yield Finding(
        rule="users-affected",
        where="impact",
        message="users affected is unknown (the export says 0)"
        if not written
        else f"users affected {written!r} is not a number (the export says 0)",
        suggestion="give a number, an estimate is fine: 12500 or ~12,500",
        extra={"field": "users_affected"},
    )


def _unanswered_whys(draft: PostmortemDraft) -> Iterator[Finding]:
    for why in sorted(draft.whys, key=lambda w: w.position):
        if why.question.strip() and not why.answer.strip():
            yield Finding(
                rule="unanswered-why",
                where="five whys",
                message=f"why #{why.position} has no answer",
                suggestion="answer it, or remove it (delete on the list)",
                extra={"field": "whys", "position": why.position},
            )


def _few_whys(draft: PostmortemDraft) -> Iterator[Finding]:
    answered = [w for w in draft.whys if w.question.strip() and w.answer.strip()]
    if len(answered) >= ENOUGH_WHYS:
        return
    unanswered = len(draft.whys) - len(answered)
    message = (
        f"only {len(answered)} of the five whys {'has' if len(answered) == 1 else 'have'} "
        "a question and an answer"
        if answered
        else "no why has both a question and an answer yet"
    )
    if unanswered:
        message += f" ({unanswered} incomplete)"
    yield Finding(
        rule="few-whys",
        where="five whys",
        message=message,
        suggestion=f"ask 'why?' at least {ENOUGH_WHYS} times, each answer leading to the next "
        "question, until the answer is a condition in the system",
        extra={"answered": len(answered)},
    )


def _missing_milestones(draft: PostmortemDraft) -> Iterator[Finding]:
    milestones = draft.detail.milestones
    blocked: dict[str, list[str]] = {}
    for metric, needs in _METRICS:
        for name in needs:
            if milestones.get(f"{name}_at") is None:
                blocked.setdefault(name, []).append(metric)
    for name in ("started", "detected", "acknowledged", "mitigated", "resolved"):
        if name in blocked:
            metrics = blocked[name]
            yield Finding(
                rule="missing-milestone",
                where="milestones",
                message=f"no '{name}' time: {_and(metrics)} cannot be computed",
                suggestion=f"set it with `incident-tui milestone {draft.detail.key} {name} TIME`",
                extra={"milestone": name, "metrics": metrics},
            )


def _milestone_order(draft: PostmortemDraft) -> Iterator[Finding]:
    """Out-of-order milestones (an older database; the operations keep the order now):
    the metric between them is left out rather than shown negative."""
    from incident_tui.domain.milestone_order import BEFORE

    milestones = draft.detail.milestones
    for first, second in BEFORE:
        early, late = milestones.get(first), milestones.get(second)
        if early is not None and late is not None and late < early:
            a, b = first.removesuffix("_at"), second.removesuffix("_at")
            yield Finding(
                rule="milestone-order",
                where="milestones",
                message=f"{b} {_utc(late):%H:%M}Z is before {a} {_utc(early):%H:%M}Z",
                suggestion=f"fix one with `incident-tui milestone {draft.detail.key} {a} TIME`",
                extra={"milestones": [first, second]},
            )


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


# --- timeline gaps ---------------------------------------------------------------------------


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _span(start: datetime, end: datetime) -> str:
    start, end = _utc(start), _utc(end)
    if start.date() == end.date():
        return f"timeline {start:%H:%M}–{end:%H:%M}Z"
    return f"timeline {start:%Y-%m-%d %H:%M}–{end:%Y-%m-%d %H:%M}Z"


def _active_moments(draft: PostmortemDraft) -> list[datetime]:
    """Start, the entries while the incident was active, and resolution (when resolved)."""
    detail = draft.detail
    start = detail.milestones.get("started_at") or detail.declared_at
    resolved = detail.milestones.get("resolved_at")
    entries = sorted(e.occurred_at for e in detail.timeline)
    inside: Iterable[datetime] = (
        at for at in entries if at >= start and (resolved is None or at <= resolved)
    )
    moments = [start, *inside]
    if resolved is not None and resolved >= start:
        moments.append(resolved)
    return moments


def _timeline_gaps(draft: PostmortemDraft) -> Iterator[Finding]:
    moments = _active_moments(draft)
    for before, after in zip(moments, moments[1:], strict=False):
        gap = after - before
        if gap <= GAP:
            continue
        minutes = timedelta(minutes=int(gap.total_seconds() // 60))
        yield Finding(
            rule="timeline-gap",
            where=_span(before, after),
            message=f"no entry for {format_duration(minutes)} while the incident was active",
            suggestion="add what happened meanwhile (backdate with HH:MM …), "
            "or note that nothing did",
            extra={"from": before, "to": after},
        )
