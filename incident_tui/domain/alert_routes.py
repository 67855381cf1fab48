"""Alert routing rules (`[[alerts.route]]` in the config): labels an alert group must
carry, and what follows — its severity, its title, or attaching it to an open incident
whose title holds some words instead of declaring a new one. The first rule that
matches decides; no rule, or nothing set by it, means the defaults (severity from the
`severity` label, title from `alertname` and the summary, a new incident).

Pure: no database, no Textual.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from incident_tui.domain.alert_payloads import AlertGroup
from incident_tui.domain.alert_text import group_severity, group_title
from incident_tui.domain.errors import ConfigError
from incident_tui.domain.text import one_line
from incident_tui.domain.vocabulary import SEVERITIES

ROUTE_KEYS = ("match", "severity", "title", "attach")


@dataclass(frozen=True)
class AlertRoute:
    match: tuple[tuple[str, str], ...] = ()
    """Label → value, each equal (exactly) for the rule to apply; empty matches all."""
    severity: int | None = None
    title: str | None = None
    attach: str | None = None
    """Attach to the newest open incident whose title contains this (any case)."""

    def matches(self, labels: Mapping[str, str]) -> bool:
        return all(labels.get(name) == value for name, value in self.match)


@dataclass(frozen=True)
class AlertPlan:
    """What a new alert group becomes: an incident's title and severity, and whether to
    look for an open incident to attach it to first."""

    title: str
    severity: int
    attach: str | None = None


def plan_for(group: AlertGroup, routes: tuple[AlertRoute, ...]) -> AlertPlan:
    """The first route matching the group's labels (those all its alerts share, else
    those of its first firing alert) decides; the defaults fill the rest."""
    labels = dict(group.common_labels)
    first = (group.firing or group.alerts)[:1]
    if first:
        labels = {**dict(first[0].labels), **labels}
    route = next((r for r in routes if r.matches(labels)), AlertRoute())
    return AlertPlan(
        title=route.title or group_title(group),
        severity=route.severity or group_severity(group),
        attach=route.attach,
    )


def routes_from_config(data: object) -> tuple[AlertRoute, ...]:
    """`[[alerts.route]]`: a list of tables, each with `match`, `severity`, `title`,
    `attach` (all optional)."""
    if data is None:
        return ()
    if not isinstance(data, list):
        raise ConfigError("alerts.route: expected [[alerts.route]] tables")
    routes = []
    for i, table in enumerate(data):
        where = f"alerts.route[{i}]"
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: expected a table")
        unknown = sorted(set(table) - set(ROUTE_KEYS))
        if unknown:
            raise ConfigError(
                f"unknown setting {where}.{unknown[0]}; known: {', '.join(ROUTE_KEYS)}"
            )
        match = table.get("match", {})
        if not isinstance(match, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in match.items()
        ):
            raise ConfigError(f'{where}.match: expected labels to values ({{ service = "x" }})')
        severity = table.get("severity")
        if severity is not None and (isinstance(severity, bool) or severity not in SEVERITIES):
            raise ConfigError(f"{where}.severity: expected a number from 1 to 4")
        routes.append(
            AlertRoute(
                match=tuple(sorted(match.items())),
                severity=severity,
                title=_words(table.get("title"), f"{where}.title", 200),
                attach=_words(table.get("attach"), f"{where}.attach", 200),
            )
        )
    return tuple(routes)


def _words(value: object, where: str, limit: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not one_line(value):
        raise ConfigError(f"{where}: expected a non-empty string")
    return one_line(value, limit)
