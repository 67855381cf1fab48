"""Metrics across incidents: is response getting better? A period beside the one before:
MTTD/MTTA/MTTM/MTTR by severity, incidents per week (sparklines, numbers beside them),
action-item follow-through and update cadence, and the split by service (an incident in
two services counts in both). Drills never count. `f` limits it all to one service.

Reads through `reports.trends`; pure computation in `trends`; no SQL here.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Sparkline, Static

from incident_tui.domain.text import one_line
from incident_tui.domain.timeparse import format_duration
from incident_tui.domain.trends import MEASURES, NO_SERVICE, severities_seen
from incident_tui.domain.vocabulary import AUDIENCES, SEVERITIES
from incident_tui.screens.service_filter import ServiceFiltered, service_binding
from incident_tui.screens.wiring import guarded_work
from incident_tui.widgets.badges import severity_badge

if TYPE_CHECKING:
    from incident_tui.domain.trends import PeriodMetrics, Trends

PERIODS: tuple[int, ...] = (7, 30, 90, 365)
"""Days a period can span: keys 1-4."""
AUDIENCE_TITLES = {"internal": "internal", "external": "status page", "executive": "executives"}
SERVICES_SHOWN = 10
"""Services in the split (most incidents first); `incident-tui metrics` lists them all."""


def _duration(value: timedelta | None) -> str:
    return "—" if value is None else format_duration(value)


def _compact(value: timedelta | None) -> str:
    """`13m40s`, `1h56m`, `2d03h`: a mean in a narrow column."""
    if value is None:
        return "—"
    total = int(value.total_seconds())
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days}d{hours:02d}h"
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{seconds:02d}s" if seconds else f"{minutes}m"


def _trend(
    now: timedelta | float | None, before: timedelta | float | None, *, lower_is_better: bool
) -> Text:
    """▼ better / ▲ worse, coloured; nothing when either side is missing or equal."""
    if now is None or before is None or now == before:
        return Text("")
    better = (now < before) == lower_is_better  # type: ignore[operator]
    return Text(" ▼" if now < before else " ▲", style="green" if better else "red")  # type: ignore[operator]


class MetricsScreen(ServiceFiltered, Screen[None]):
    # The panes' look and the sparklines' rows; the two columns (one at 80×24) are in
    # styles/app.tcss.
    DEFAULT_CSS = """
    MetricsScreen #metrics-table, MetricsScreen #metrics-side {
        padding: 1 1;
        border: round $primary-darken-1;
    }
    MetricsScreen .spark-row { height: 2; }
    MetricsScreen .spark-label { width: 7; }
    MetricsScreen Sparkline { width: 1fr; height: 1; }
    MetricsScreen .spark-total { width: 18; padding: 0 1; }
    MetricsScreen #weekly-title { height: 2; }
    MetricsScreen #follow-through { height: auto; margin: 1 0 0 0; }
    """

    BINDINGS = [
        *[
            Binding(
                str(n + 1),
                f"period({days})",
                f"{days} d",
                id=f"period-{days}",
                tooltip=f"The last {days} days",
            )
            for n, days in enumerate(PERIODS)
        ],
        service_binding("metrics-service-filter"),
        Binding(
            "escape", "back", "Back", id="back-from-metrics", tooltip="Back to the incident list"
        ),
    ]

    def __init__(self, days: int = 30) -> None:
        super().__init__()
        self.days = days
        self.trends: Trends | None = None

    def compose(self) -> ComposeResult:
        yield Static("Metrics", id="metrics-title")
        with VerticalScroll(id="metrics-body"):
            yield Static("Loading…", id="metrics-table")
            with Vertical(id="metrics-side"):
                yield Static("", id="weekly-title")
                for severity in SEVERITIES:
                    with Horizontal(classes="spark-row"):
                        yield Static(severity_badge(severity), classes="spark-label")
                        yield Sparkline([0], id=f"spark-{severity}", summary_function=max)
                        yield Static("", id=f"spark-total-{severity}", classes="spark-total")
                yield Static("", id="follow-through")
        yield Footer()

    def on_mount(self) -> None:
        self.watch(self.app, "changes", self._changed, init=False)

    def on_screen_resume(self) -> None:
        self.load()  # each time it is shown: the figures as they are now

    def _changed(self, _changes: object = None) -> None:
        if self.is_current:
            self.load()

    def action_period(self, days: int) -> None:
        self.days = days
        self.load()

    def action_back(self) -> None:
        self.incident_app.back_to_list()

    def services_changed(self) -> None:
        self.load()

    @guarded_work("metrics")
    def load(self) -> None:
        from incident_tui.store.reports import trends

        app = self.incident_app
        now = app.clock.now()
        found = trends(
            app.get_database(),
            since=now - timedelta(days=self.days),
            until=now,
            today=now.astimezone(app.config.display_tz).date(),
            policy=app.config.policy,
            services=self.services,
        )
        app.call_from_thread(self.show, found)

    def show(self, found: Trends) -> None:
        self.trends = found
        now, before = found.current, found.previous
        self.query_one("#metrics-title", Static).update(
            Text(
                # The filter first: a narrow terminal cuts the end of the line.
                f"Metrics{self.service_words} · the last {self.days} days "
                f"({now.since:%Y-%m-%d} → {now.until:%Y-%m-%d}) "
                f"against the {self.days} before · drills left out · 1-4: 7/30/90/365 days"
            )
        )
        self.query_one("#metrics-table", Static).update(self._table(now, before))
        self.query_one("#weekly-title", Static).update(
            Text.assemble(
                ("Incidents per week", "bold"),
                (f"  {now.incidents} in all, {before.incidents} before", "dim"),
            )
        )
        for severity in SEVERITIES:
            counts = [week.get(severity, 0) for _, week in now.weekly]
            self.query_one(f"#spark-{severity}", Sparkline).data = counts or [0]
            self.query_one(f"#spark-total-{severity}", Static).update(
                Text(f"{sum(counts):>3}  (before {before.by_severity.get(severity, 0)})")
            )
        self.query_one("#follow-through", Static).update(self._follow_through(now, before))

    def _table(self, now: PeriodMetrics, before: PeriodMetrics) -> Text:
        severities = severities_seen(now, before)
        text = Text()
        text.append(f"{'':<12}{'this period':>13}{'before':>13}\n", style="bold")
        text.append(f"{'incidents':<12}{now.incidents:>13}{before.incidents:>13}")
        text.append_text(_trend(now.incidents, before.incidents, lower_is_better=True))
        for key, label, *_ in MEASURES:
            text.append("\n\n")
            text.append(f"{label:<12}", style="bold")
            text.append(f"{_duration(now.mean(key)):>13}{_duration(before.mean(key)):>13}")
            text.append_text(_trend(now.mean(key), before.mean(key), lower_is_better=True))
            for severity in severities:
                text.append(f"\n  SEV{severity:<7}")
                mine, theirs = now.mean(key, severity), before.mean(key, severity)
                text.append(
                    f"{_duration(mine):>13}{_duration(theirs):>13}",
                    style="dim" if not now.means[key][severity].count else "",
                )
                text.append_text(
                    _trend(
                        now.mean(key, severity), before.mean(key, severity), lower_is_better=True
                    )
                )
        text.append_text(self._by_service(now, before))
        return text

    def _by_service(self, now: PeriodMetrics, before: PeriodMetrics) -> Text:
        """Incidents, MTTA and MTTR per service, this period (its count before beside)."""
        text = Text()
        if not now.by_service:
            return text
        text.append("\n\n")
        text.append(f"{'By service':<14}{'this':>5}{'before':>7}{'MTTA':>8}{'MTTR':>8}", "bold")
        names = list(now.by_service)
        for name in names[:SERVICES_SHOWN]:
            figures = now.by_service[name]
            earlier = before.by_service.get(name)
            text.append(f"\n{one_line(name, 13):<14}")
            text.append(
                f"{figures.incidents:>5}{earlier.incidents if earlier else 0:>7}"
                f"{_compact(figures.mean('mtta')):>8}{_compact(figures.mean('mttr')):>8}",
                style="dim" if name == NO_SERVICE else "",
            )
        if len(names) > SERVICES_SHOWN:
            more = len(names) - SERVICES_SHOWN
            text.append(f"\n… {more} more (incident-tui metrics lists them all)", "dim")
        return text

    def _follow_through(self, now: PeriodMetrics, before: PeriodMetrics) -> Text:
        def rate(value: float | None) -> str:
            return "—" if value is None else f"{value:.0%}"

        text = Text()
        text.append("Action items\n", style="bold")
        text.append(
            f"  {rate(now.completion_rate)} done ({now.actions_done} of {now.actions_total})"
            f"  · before {rate(before.completion_rate)}"
        )
        text.append_text(_trend(now.completion_rate, before.completion_rate, lower_is_better=False))
        text.append("\n  ")
        text.append(
            f"{now.actions_overdue} overdue", style="bold red" if now.actions_overdue else "green"
        )
        text.append("\n\nUpdates on time\n", style="bold")
        text.append(f"  {rate(now.cadence_rate())} overall · before {rate(before.cadence_rate())}")
        text.append_text(_trend(now.cadence_rate(), before.cadence_rate(), lower_is_better=False))
        for audience in AUDIENCES:
            required, on_time = now.cadence[audience]
            text.append(f"\n  {AUDIENCE_TITLES[audience]:<12} {on_time} of {required}")
        return text

    def palette_commands(self) -> list[tuple[str, str, Any]]:
        return [
            *(
                (
                    f"Metrics: last {days} days",
                    "Change the period",
                    lambda d=days: self.action_period(d),
                )
                for days in PERIODS
            ),
            ("Metrics of one service…", "Only one service's incidents", self.action_service_filter),
        ]
