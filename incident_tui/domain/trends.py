"""Metrics across incidents: is response getting better?

MTTD, MTTA, MTTM and MTTR by severity (DESIGN.md: detect = detected − started,
acknowledge = acknowledged − detected, mitigate = mitigated − started, resolve =
resolved − started), incidents per week by severity, action-item completion and overdue
count, and update-cadence adherence — for a period and for the period of the same length
before it, so "last month against the one before" is one look. Drills never count.

Pure: no Textual, no database. `reports.trend_rows` reads the rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from incident_tui.domain.policy import Policy
from incident_tui.domain.postmortem_draft import adherence
from incident_tui.domain.records import IncidentFacts, SeverityChange
from incident_tui.domain.vocabulary import AUDIENCES, SEVERITIES

MEASURES: tuple[tuple[str, str, str, str], ...] = (
    ("mttd", "MTTD", "started_at", "detected_at"),
    ("mtta", "MTTA", "detected_at", "acknowledged_at"),
    ("mttm", "MTTM", "started_at", "mitigated_at"),
    ("mttr", "MTTR", "started_at", "resolved_at"),
)
"""(key, label, from milestone, to milestone)."""


@dataclass(frozen=True)
class IncidentRow:
    """What the metrics need of one incident."""

    number: int
    severity: int
    declared_at: datetime
    started_at: datetime
    detected_at: datetime | None = None
    acknowledged_at: datetime | None = None
    mitigated_at: datetime | None = None
    resolved_at: datetime | None = None
    severity_changes: tuple[SeverityChange, ...] = ()
    updates: tuple[tuple[str, datetime], ...] = ()
    """(audience, posted_at), oldest first."""

    def between(self, start: str, end: str) -> timedelta | None:
        a, b = getattr(self, start), getattr(self, end)
        if a is None or b is None or b < a:
            return None
        return b - a


@dataclass(frozen=True)
class ActionState:
    status: str
    due_date: date | None


@dataclass
class Mean:
    """A mean duration and how many incidents it is over."""

    total: timedelta = timedelta(0)
    count: int = 0

    def add(self, value: timedelta | None) -> None:
        if value is not None:
            self.total += value
            self.count += 1

    @property
    def value(self) -> timedelta | None:
        return self.total / self.count if self.count else None


@dataclass
class PeriodMetrics:
    since: datetime
    until: datetime
    incidents: int = 0
    by_severity: dict[int, int] = field(default_factory=dict)
    means: dict[str, dict[int | None, Mean]] = field(default_factory=dict)
    """Measure key → severity (None: all severities) → mean."""
    weekly: list[tuple[date, dict[int, int]]] = field(default_factory=list)
    """(Monday of the week, severity → incidents declared that week), oldest first."""
    actions_total: int = 0
    actions_done: int = 0
    actions_overdue: int = 0
    cadence: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Audience → (updates required, posted on time)."""

    @property
    def completion_rate(self) -> float | None:
        return self.actions_done / self.actions_total if self.actions_total else None

    def cadence_rate(self, audience: str | None = None) -> float | None:
        pairs = [self.cadence[audience]] if audience else list(self.cadence.values())
        required = sum(r for r, _ in pairs)
        return sum(o for _, o in pairs) / required if required else None

    def mean(self, measure: str, severity: int | None = None) -> timedelta | None:
        return self.means.get(measure, {}).get(severity, Mean()).value


@dataclass
class Trends:
    current: PeriodMetrics
    previous: PeriodMetrics


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def period_metrics(
    incidents: list[IncidentRow],
    actions: list[ActionState],
    *,
    since: datetime,
    until: datetime,
    today: date,
    policy: Policy,
) -> PeriodMetrics:
    """The metrics of the incidents declared in [since, until) (the caller passes those,
    drills left out) and their action items."""
    result = PeriodMetrics(since=since, until=until, incidents=len(incidents))
    result.means = {key: defaultdict(Mean) for key, *_ in MEASURES}
    weeks: dict[date, dict[int, int]] = {}
    week = week_start(since.date())
    while week < until.date() or week == week_start(since.date()):
        weeks[week] = {}
        week += timedelta(days=7)
    cadence = {audience: [0, 0] for audience in AUDIENCES}
    for row in incidents:
        result.by_severity[row.severity] = result.by_severity.get(row.severity, 0) + 1
        for key, _label, start, end in MEASURES:
            value = row.between(start, end)
            result.means[key][row.severity].add(value)
            result.means[key][None].add(value)
        counts = weeks.setdefault(week_start(row.declared_at.date()), {})
        counts[row.severity] = counts.get(row.severity, 0) + 1
        facts = IncidentFacts(
            severity=row.severity,
            phase="resolved" if row.resolved_at else "investigating",
            declared_at=row.declared_at,
            started_at=row.started_at,
            severity_changes=list(row.severity_changes),
        )
        ended = row.resolved_at or until
        for audience in AUDIENCES:
            posted = [at for who, at in row.updates if who == audience]
            owed = adherence(facts, posted, ended, policy, audience)
            cadence[audience][0] += owed.required
            cadence[audience][1] += owed.on_time
    result.weekly = sorted(weeks.items())
    result.actions_total = len(actions)
    result.actions_done = sum(1 for a in actions if a.status == "done")
    result.actions_overdue = sum(
        1 for a in actions if a.status != "done" and a.due_date is not None and a.due_date < today
    )
    result.cadence = {audience: (r, o) for audience, (r, o) in cadence.items()}
    return result


def severities_seen(*periods: PeriodMetrics) -> list[int]:
    seen = {s for p in periods for s in p.by_severity}
    return [s for s in SEVERITIES if s in seen]
