"""The postmortem draft: what the war room recorded plus what the team wrote, and the
metrics computed from the milestones.

Pure: no Textual, no database. `queries.postmortem_draft` builds a `PostmortemDraft`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from incident_tui.domain import AUDIENCES, Action, Change, IncidentDetail, IncidentFacts
from incident_tui.policy import Policy, update_due

POSTMORTEM_STATUSES: tuple[str, ...] = ("draft", "in-review", "published")
TEXT_SECTIONS: tuple[tuple[str, str], ...] = (
    ("summary", "Summary"),
    ("root_cause", "Root cause"),
    ("contributing_factors", "Contributing factors"),
    ("what_went_well", "What went well"),
    ("what_went_poorly", "What went poorly"),
    ("lucky_breaks", "Lucky breaks"),
    ("lessons_learned", "Lessons learned"),
)
"""The free-text sections, in the order of the draft: (field, heading)."""
SHORT_FIELDS: tuple[tuple[str, str], ...] = (
    ("users_affected", "Users affected"),
    ("revenue_impact", "Revenue impact"),
    ("authors", "Authors"),
)
EDITABLE_FIELDS = frozenset(
    [name for name, _ in TEXT_SECTIONS + SHORT_FIELDS] + ["status", "sla_breached"]
)


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
    contributing_factors: str = ""
    what_went_well: str = ""
    what_went_poorly: str = ""
    lucky_breaks: str = ""
    lessons_learned: str = ""
    users_affected: str = ""
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
    def key_events(self):  # type: ignore[no-untyped-def]
        """The entries marked as key events: the pinned ones."""
        return [e for e in self.detail.timeline if e.pinned]

    @property
    def authors(self) -> list[str]:
        written = [a.strip() for a in self.fields.authors.split(",") if a.strip()]
        if written:
            return written
        holders = [h.holder for h in self.detail.holdings]
        return list(dict.fromkeys(holders))

    @property
    def commander(self) -> str | None:
        commanders = [h.holder for h in self.detail.holdings if h.role == "commander"]
        return commanders[0] if commanders else None

    @property
    def sla_breached(self) -> bool | None:
        if self.fields.sla_breached is not None:
            return self.fields.sla_breached
        return self.metrics.sla_breached

    @property
    def spans_days(self) -> bool:
        days = {e.occurred_at.date() for e in self.detail.timeline}
        started = self.detail.milestones.get("started_at")
        if started is not None:
            days.add(started.date())
        return len(days) > 1


def _between(start: datetime | None, end: datetime | None) -> timedelta | None:
    return end - start if start is not None and end is not None else None


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
    steady = policy.cadence(facts.severity, audience) if not facts.severity_changes else None
    for at in [*posted, None]:
        moment = at or end
        if not facts.severity_changes:
            # The common case, and the metrics across incidents walk thousands of these:
            # one cadence after the previous update (or the declaration).
            due = (previous or facts.declared_at) + steady if steady else None
        else:
            # The incident as it stood then: its severity at that moment, the changes so far.
            later = [c for c in facts.severity_changes if c.at > moment]
            state = replace(
                facts,
                severity=later[0].old if later else facts.severity,
                last_update={audience: previous} if previous else {},
                severity_changes=[c for c in facts.severity_changes if c.at <= moment],
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
    late = [e.recorded_at - e.occurred_at for e in detail.timeline if e.reconstructed]
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
        impact_duration=_between(started, mitigated or resolved),
        cadence=[
            cadence_adherence(detail, policy, audience, now=now)
            for audience in AUDIENCES
            if policy.cadence(detail.severity, audience)
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
