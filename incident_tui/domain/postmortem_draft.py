"""The postmortem draft: what the war room recorded plus what the team wrote, and the
metrics computed from the milestones.

Pure: no Textual, no database. `queries.postmortem_draft` builds a `PostmortemDraft`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from itertools import compress
from operator import itemgetter, sub

from incident_tui.domain.errors import IncidentError
from incident_tui.domain.policy import Policy, update_due
from incident_tui.domain.records import (
    Action,
    Change,
    Entry,
    Holding,
    IncidentDetail,
    IncidentFacts,
)
from incident_tui.domain.vocabulary import AUDIENCES, RECONSTRUCTED_AFTER

POSTMORTEM_STATUSES: tuple[str, ...] = ("draft", "in-review", "published")
TEXT_SECTIONS: tuple[tuple[str, str], ...] = (
    ("summary", "Summary"),
    ("root_cause", "Root cause"),
    ("lessons_learned", "Lessons learned"),
)
"""The free-text sections: (field, heading)."""
LIST_SECTIONS: tuple[tuple[str, str], ...] = (
    ("contributing_factors", "Contributing factors"),
    ("what_went_well", "What went well"),
    ("what_went_poorly", "What went poorly"),
    ("lucky_breaks", "Where we got lucky"),
)
"""The sections that are lists of points, one point each: (field, heading)."""
MAX_POINTS = 100
SHORT_FIELDS: tuple[tuple[str, str], ...] = (
    ("users_affected", "Users affected"),
    ("revenue_impact", "Revenue impact"),
    ("authors", "Authors"),
)
EDITABLE_FIELDS = frozenset(
    [name for name, _ in TEXT_SECTIONS + LIST_SECTIONS + SHORT_FIELDS] + ["status", "sla_breached"]
)
LIST_FIELDS = frozenset(name for name, _ in LIST_SECTIONS)

_OCCURRED, _RECORDED, _PINNED = map(
    itemgetter, map(Entry._fields.index, ("occurred_at", "recorded_at", "pinned"))
)
"""Columns of the timeline's entries, read by builtins (100k entries in a big incident)."""

_USERS = re.compile(
    r"^(?:~|≈|about|approx\.?|approximately|around|over|>)?\s*([\d][\d,_ ]*)([km])?\+?$"
)


def parse_users_affected(text: str) -> int | None:
    """`12500`, `~12,500`, `12k`, `1.2M` → a number of users; empty → None (unknown)."""
    raw = " ".join(text.strip().lower().split())
    if not raw:
        return None
    decimal = re.fullmatch(r"(?:~|≈|about|around)?\s*(\d+)\.(\d+)\s*([km])", raw)
    if decimal:
        whole, fraction, unit = decimal.groups()
        scale = 1000 if unit == "k" else 1_000_000
        return int(float(f"{whole}.{fraction}") * scale)
    match = _USERS.match(raw)
    digits = match.group(1).replace(",", "").replace("_", "").replace(" ", "") if match else ""
    if not digits.isdigit():
        raise IncidentError(
            f"users affected is a number of users (12500, ~12,500, 12k), not {text.strip()!r}"
        )
    scale = {"k": 1000, "m": 1_000_000}.get(match.group(2) or "", 1) if match else 1
    return int(digits) * scale


def users_affected_number(text: str) -> int | None:
    """The number in `users_affected`, or None when unknown (empty, or older free text)."""
    try:
        return parse_users_affected(text)
    except IncidentError:
        return None


@dataclass(frozen=True)
class Why:
    position: int
    question: str
    answer: str = ""


@dataclass
class PostmortemFields:
    """What the team writes (stored in the `postmortem` row; empty until first saved)."""

    status: str = "draft"
    summary: str = ""
    root_cause: str = ""
    contributing_factors: list[str] = field(default_factory=list)
    what_went_well: list[str] = field(default_factory=list)
    what_went_poorly: list[str] = field(default_factory=list)
    lucky_breaks: list[str] = field(default_factory=list)
    lessons_learned: str = ""
    users_affected: str = ""
    """As written (a number: `12500`, `~12,500`); `users_affected_number` reads it."""
    revenue_impact: str = ""
    sla_breached: bool | None = None
    """None: computed from the policy; True/False: set by hand."""
    authors: str = ""
    """Comma-separated; empty means the role holders."""


@dataclass(frozen=True)
class CadenceAdherence:
    audience: str
    required: int
    on_time: int
    worst_late: timedelta | None
    """How late the latest of them was; None when all were on time."""

    def describe(self) -> str:
        if not self.required:
            return "none required"
        text = f"{self.on_time} of {self.required} updates on time"
        if self.worst_late:
            minutes = max(1, round(self.worst_late.total_seconds() / 60))
            text += f", worst {minutes} min late"
        return text


@dataclass(frozen=True)
class Metrics:
    time_to_detect: timedelta | None
    time_to_acknowledge: timedelta | None
    time_to_mitigate: timedelta | None
    time_to_resolve: timedelta | None
    impact_duration: timedelta | None
    """Impact start to resolution (the model's `impact.duration`)."""
    cadence: list[CadenceAdherence]
    reconstructed: int
    reconstructed_worst: timedelta | None
    sla_breached: bool | None
    """Resolved later than the severity's resolve target (None while unknown)."""


@dataclass
class PostmortemDraft:
    detail: IncidentDetail
    fields: PostmortemFields
    whys: list[Why]
    metrics: Metrics
    changes: list[Change] = field(default_factory=list)
    """The phase, severity and milestone history (the JSON export's `record` carries it)."""

    @property
    def actions(self) -> list[Action]:
        return self.detail.actions

    @property
    def key_events(self):
        """The entries marked as key events: the pinned ones."""
        return list(compress(self.detail.timeline, map(_PINNED, self.detail.timeline)))

    @property
    def authors(self) -> list[str]:
        written = [a.strip() for a in self.fields.authors.split(",") if a.strip()]
        if written:
            return written
        holders = [h.holder for h in self.detail.holdings]
        return list(dict.fromkeys(holders))

    @property
    def commanders(self) -> list[Holding]:
        """Every holding of the commander role, in order (a handover ends one, starts
        the next)."""
        return sorted(
            (h for h in self.detail.holdings if h.role == "commander"),
            key=lambda h: h.started_at,
        )

    @property
    def commander(self) -> str | None:
        """The incident commander of record: the one holding the role when the incident
        was resolved (while it is open, the one holding it now; else the last one)."""
        holdings = self.commanders
        resolved = self.detail.milestones.get("resolved_at")
        if resolved is not None:
            at_resolution = [
                h
                for h in holdings
                if h.started_at <= resolved and (h.ended_at is None or h.ended_at > resolved)
            ]
            if at_resolution:
                return at_resolution[-1].holder
        current = [h for h in holdings if h.ended_at is None]
        chosen = current or holdings
        return chosen[-1].holder if chosen else None

    @property
    def sla_breached(self) -> bool | None:
        if self.fields.sla_breached is not None:
            return self.fields.sla_breached
        return self.metrics.sla_breached

    @property
    def spans_days(self) -> bool:
        # More than one day exactly when the earliest and the latest fall on different
        # days: a min and a max over 100k entries, not a set of their dates.
        instants = [at for at in self.detail.milestones.values() if at is not None]
        if self.detail.timeline:
            timeline = self.detail.timeline
            instants += (min(map(_OCCURRED, timeline)), max(map(_OCCURRED, timeline)))
        return bool(instants) and min(instants).date() != max(instants).date()


def _between(start: datetime | None, end: datetime | None) -> timedelta | None:
    """end − start; None when either is unknown or they are out of order (a metric is
    never negative: the lint's milestone-order rule points at the pair instead)."""
    if start is None or end is None or end < start:
        return None
    return end - start


def _utc_clock(at: datetime, with_date: bool) -> str:
    from datetime import UTC

    at = at.astimezone(UTC)
    return f"{at:%Y-%m-%d %H:%M}" if with_date else f"{at:%H:%M}"


def _minutes_text(delta: timedelta) -> str:
    minutes = round(delta.total_seconds() / 60)
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    parts = []
    for count, unit in ((days, "day"), (hours, "hour"), (minutes, "minute")):
        if count:
            parts.append(f"{count} {unit}{'s' if count != 1 else ''}")
    return " ".join(parts) or "under a minute"


def impact_duration_text(started: datetime | None, resolved: datetime | None) -> str:
    """The model's `impact.duration`: `47 minutes (14:23 - 15:10 UTC)`; dates in the
    range when it crosses midnight; `ongoing since 14:23 UTC` before resolution."""
    from datetime import UTC

    if started is None:
        return "unknown"
    if resolved is None:
        return (
            f"ongoing since {_utc_clock(started, False)} UTC ({started.astimezone(UTC):%Y-%m-%d})"
        )
    if resolved < started:
        return f"unknown (resolved {_utc_clock(resolved, True)} UTC before the impact began)"
    with_date = started.astimezone(UTC).date() != resolved.astimezone(UTC).date()
    span = f"{_utc_clock(started, with_date)} - {_utc_clock(resolved, with_date)} UTC"
    return f"{_minutes_text(resolved - started)} ({span})"


def cadence_adherence(
    detail: IncidentDetail, policy: Policy, audience: str, *, now: datetime
) -> CadenceAdherence:
    """How many updates owed to `audience` were posted on time, and the worst lateness.

    Walks the updates in order: each was due one cadence after the one before (or after
    the declaration), severity changes included; one still owed when the incident was
    resolved (or now) counts as late by then."""
    end = detail.milestones.get("resolved_at") or now
    posted = sorted(u.posted_at for u in detail.updates if u.audience == audience)
    return adherence(detail.facts, posted, end, policy, audience)


def adherence(
    facts: IncidentFacts, posted: list[datetime], end: datetime, policy: Policy, audience: str
) -> CadenceAdherence:
    """`cadence_adherence` from the bare facts: the sorted times updates to `audience`
    were posted, and when the incident stopped owing them (resolution, or now)."""
    required = on_time = 0
    worst: timedelta | None = None
    previous: datetime | None = None
    changed = bool(facts.severity_changes or facts.type_changes)
    steady = None if changed else policy.cadence(facts.severity, audience, facts.incident_type)
    for at in [*posted, None]:
        moment = at or end
        if not changed:
            # The common case, and the metrics across incidents walk thousands of these:
            # one cadence after the previous update (or the declaration).
            due = (previous or facts.declared_at) + steady if steady else None
        else:
            # The incident as it stood then: its severity and type at that moment, the
            # changes so far.
            later = [c for c in facts.severity_changes if c.at > moment]
            later_type = [c for c in facts.type_changes if c.at > moment]
            state = replace(
                facts,
                severity=later[0].old if later else facts.severity,
                incident_type=later_type[0].old if later_type else facts.incident_type,
                last_update={audience: previous} if previous else {},
                severity_changes=[c for c in facts.severity_changes if c.at <= moment],
                type_changes=[c for c in facts.type_changes if c.at <= moment],
            )
            due = update_due(state, policy, audience)
        if at is None:
            if due is not None and due < end:
                required += 1
                late = end - due
                worst = late if worst is None else max(worst, late)
            break
        if due is not None:
            required += 1
            if at <= due:
                on_time += 1
            else:
                worst = at - due if worst is None else max(worst, at - due)
        previous = at
    return CadenceAdherence(audience, required, on_time, worst)


def compute_metrics(detail: IncidentDetail, policy: Policy, *, now: datetime) -> Metrics:
    m = detail.milestones
    started, detected = m.get("started_at"), m.get("detected_at")
    mitigated, resolved = m.get("mitigated_at"), m.get("resolved_at")
    # `Entry.reconstructed` over 100k entries, without a Python call per entry.
    timeline = detail.timeline
    lags = map(sub, map(_RECORDED, timeline), map(_OCCURRED, timeline))
    late = list(filter(RECONSTRUCTED_AFTER.__lt__, lags))
    target = policy.for_severity(detail.severity).resolve
    breached = None
    if target is not None and started is not None:
        if resolved is not None:
            breached = resolved - started > target
        elif now - started > target:
            breached = True
    return Metrics(
        time_to_detect=_between(started, detected),
        time_to_acknowledge=_between(detected, m.get("acknowledged_at")),
        time_to_mitigate=_between(started, mitigated),
        time_to_resolve=_between(started, resolved),
        impact_duration=_between(started, resolved),
        cadence=[
            cadence_adherence(detail, policy, audience, now=now)
            for audience in AUDIENCES
            if policy.cadence(detail.severity, audience, detail.incident_type)
            or any(u.audience == audience for u in detail.updates)
        ],
        reconstructed=len(late),
        reconstructed_worst=max(late) if late else None,
        sla_breached=breached,
    )


@dataclass
class Finding:
    """One thing the lint points out: where, what, and a suggestion. It never rewrites."""

    rule: str
    where: str
    message: str
    suggestion: str = ""
    extra: dict = field(default_factory=dict)
