"""Metrics across incidents: is response getting better?

MTTD, MTTA, MTTM and MTTR by severity (DESIGN.md: detect = detected − started,
acknowledge = acknowledged − detected, mitigate = mitigated − started, resolve =
resolved − started), incidents per week by severity, action-item completion and overdue
count, and update-cadence adherence — for a period and for the period of the same length
before it, so "last month against the one before" is one look. Drills never count. Each
period is also split by service: an incident affecting two services counts in both, one
with none under "(none)".

Pure: no Textual, no database. `store.trend_rows` reads the rows.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from operator import attrgetter, itemgetter
from typing import NamedTuple

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


class IncidentRow(NamedTuple):
    """What the metrics need of one incident. A NamedTuple: a year's metrics read
    thousands of them, built in one pass (`store.trend_rows`)."""

    number: int
    severity: int
    declared_at: datetime
    started_at: datetime
    detected_at: datetime | None = None
    acknowledged_at: datetime | None = None
    mitigated_at: datetime | None = None
    resolved_at: datetime | None = None
    severity_changes: tuple[SeverityChange, ...] = ()
    services: tuple[str, ...] = ()


NO_SERVICE = "(none)"
"""Where the incidents with no service count in the split by service."""

Posted = Mapping[tuple[int, str], Sequence[datetime]]
"""(incident number, audience) → when its updates to that audience were posted, oldest
first."""


@dataclass(frozen=True)
class ActionCounts:
    """The action items of a period's incidents: how many, done, overdue (not done and
    due before today)."""

    total: int = 0
    done: int = 0
    overdue: int = 0


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
class ServiceMetrics:
    """One service's share of a period: its incidents and their means (all severities)."""

    incidents: int = 0
    means: dict[str, Mean] = field(default_factory=dict)
    """Measure key → mean."""

    def mean(self, measure: str) -> timedelta | None:
        return self.means.get(measure, Mean()).value


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
    by_service: dict[str, ServiceMetrics] = field(default_factory=dict)
    """Service → its figures, most incidents first, `NO_SERVICE` last."""

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
    incidents: Sequence[IncidentRow],
    actions: ActionCounts,
    *,
    since: datetime,
    until: datetime,
    policy: Policy,
    posted: Posted | None = None,
) -> PeriodMetrics:
    """The metrics of the incidents declared in [since, until) (the caller passes those,
    drills left out), their updates (`posted`) and their action items (counted).

    A year holds thousands of incidents: each figure is one pass over the rows, by
    severity, with no object per incident and audience (the cadence of an incident whose
    severity never changed is counted inline; one that changed goes through `adherence`)."""
    posted = {} if posted is None else posted
    result = PeriodMetrics(since=since, until=until, incidents=len(incidents))
    by_severity: dict[int, list[IncidentRow]] = {}
    for row in incidents:
        by_severity.setdefault(row.severity, []).append(row)
    result.by_severity = {severity: len(rows) for severity, rows in by_severity.items()}
    result.means = {key: _means(by_severity, start, end) for key, _label, start, end in MEASURES}
    result.weekly = _weekly(incidents, since=since, until=until)
    result.actions_total = actions.total
    result.actions_done = actions.done
    result.actions_overdue = actions.overdue
    result.cadence = _cadence(by_severity, posted, until=until, policy=policy)
    result.by_service = _by_service(incidents)
    return result


_NO_SERVICES = (NO_SERVICE,)


def _by_service(incidents: Sequence[IncidentRow]) -> dict[str, ServiceMetrics]:
    """One pass to group the rows by service (a row in each of its services), then the
    means of each group as `_means` takes them."""
    groups: dict[str, list[IncidentRow]] = {}
    for row in incidents:
        for name in row.services or _NO_SERVICES:
            groups.setdefault(name, []).append(row)
    order = sorted(groups, key=lambda name: (name == NO_SERVICE, -len(groups[name]), name))
    result = {}
    for name in order:
        rows = {0: groups[name]}  # `_means` by one pseudo-severity
        result[name] = ServiceMetrics(
            incidents=len(groups[name]),
            means={key: _means(rows, start, end)[0] for key, _label, start, end in MEASURES},
        )
    return result


_NO_TIME = timedelta(0)


def _means(
    by_severity: dict[int, list[IncidentRow]], start: str, end: str
) -> dict[int | None, Mean]:
    """Severity (None: all) → the mean of `end − start` where both are known and in order."""
    pair = itemgetter(IncidentRow._fields.index(start), IncidentRow._fields.index(end))
    means: dict[int | None, Mean] = defaultdict(Mean)
    everything = means[None]
    for severity, rows in by_severity.items():
        spans = [b - a for a, b in map(pair, rows) if a is not None and b is not None and b >= a]
        mean = means[severity]
        mean.total, mean.count = sum(spans, _NO_TIME), len(spans)
        everything.total += mean.total
        everything.count += mean.count
    if not by_severity:
        del means[None]
    return means


def _weekly(
    incidents: Sequence[IncidentRow], *, since: datetime, until: datetime
) -> list[tuple[date, dict[int, int]]]:
    weeks: dict[date, dict[int, int]] = {}
    week = week_start(since.date())
    while week < until.date() or week == week_start(since.date()):
        weeks[week] = {}
        week += timedelta(days=7)
    # One count per (day, severity), in the order the rows first show them; then by week.
    per_day = Counter(
        zip(map(datetime.date, map(_declared, incidents)), map(_severity, incidents), strict=True)
    )
    for (day, severity), n in per_day.items():
        counts = weeks.setdefault(week_start(day), {})
        counts[severity] = counts.get(severity, 0) + n
    return sorted(weeks.items())


_declared = attrgetter("declared_at")
_severity = attrgetter("severity")


def _cadence(
    by_severity: dict[int, list[IncidentRow]], posted: Posted, *, until: datetime, policy: Policy
) -> dict[str, tuple[int, int]]:
    """Audience → (updates required, posted on time), as `adherence` counts them."""
    required = dict.fromkeys(AUDIENCES, 0)
    on_time = dict.fromkeys(AUDIENCES, 0)
    get = posted.get
    for severity, rows in by_severity.items():
        cadences = [(a, policy.cadence(severity, a)) for a in AUDIENCES]
        steady = [(a, every) for a, every in cadences if every is not None]
        for row in rows:
            number, ended = row.number, row.resolved_at or until
            if row.severity_changes:
                facts = IncidentFacts(
                    severity=row.severity,
                    phase="resolved" if row.resolved_at else "investigating",
                    declared_at=row.declared_at,
                    started_at=row.started_at,
                    severity_changes=list(row.severity_changes),
                )
                for audience in AUDIENCES:
                    owed = adherence(
                        facts, list(get((number, audience), ())), ended, policy, audience
                    )
                    required[audience] += owed.required
                    on_time[audience] += owed.on_time
                continue
            # `adherence` without a severity change: each update is due one cadence after
            # the one before (the first, after the declaration), and one more is owed if
            # the last one's cadence ran out before the end.
            for audience, every in steady:
                previous = row.declared_at
                posts = get((number, audience), ())
                for at in posts:
                    on_time[audience] += at <= previous + every
                    previous = at
                required[audience] += len(posts) + (previous + every < ended)
    return {audience: (required[audience], on_time[audience]) for audience in AUDIENCES}


def severities_seen(*periods: PeriodMetrics) -> list[int]:
    seen = {s for p in periods for s in p.by_severity}
    return [s for s in SEVERITIES if s in seen]
