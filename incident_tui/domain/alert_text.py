"""What an alert means to an incident: its severity (from the `severity` label), the
incident's title (`alertname` and the summary), and the text of its timeline entry
(status, name, summary, labels, source link).

Pure: no database, no Textual.
"""

from __future__ import annotations

from collections.abc import Mapping

from incident_tui.domain.alert_payloads import (
    DEFAULT_SEVERITY,
    RESOLVED,
    SEVERITY_WORDS,
    Alert,
    AlertGroup,
)
from incident_tui.domain.text import one_line

MAX_LABELS_TEXT = 2000


def severity_of(labels: Mapping[str, str]) -> int:
    """critical → 1, error/high → 2, warning → 3, info/low → 4; absent or unknown → 3."""
    word = (labels.get("severity") or "").strip().lower()
    return SEVERITY_WORDS.get(word, DEFAULT_SEVERITY)


def group_severity(group: AlertGroup) -> int:
    """The worst severity among the group's firing alerts (all alerts when none fires)."""
    alerts = group.firing or group.alerts
    return min((severity_of(dict(a.labels)) for a in alerts), default=DEFAULT_SEVERITY)


def group_title(group: AlertGroup) -> str:
    """`alertname` (the group's, else its first firing alert's), plus the summary."""
    common = dict(group.common_labels)
    first = (group.firing or group.alerts)[0] if group.alerts else None
    name = common.get("alertname") or (first.label("alertname") if first else "") or "alert"
    summary = group.summary or (first.annotation("summary") if first else "")
    title = f"{name}: {summary}" if summary and summary != name else name
    return one_line(title, 200)


def entry_text(alert: Alert) -> str:
    """An alert's timeline entry: what fired (or resolved), its labels and its link."""
    name = alert.label("alertname") or "alert"
    said = alert.annotation("summary") or alert.annotation("description")
    head = f"{alert.status.upper()}: {name}" + (f" — {said}" if said else "")
    if alert.status == RESOLVED and alert.starts_at is not None:
        head += f" (fired {alert.starts_at:%Y-%m-%d %H:%M:%S}Z)"
    labels = " ".join(f"{k}={v}" for k, v in alert.labels if k != "alertname")
    if len(labels) > MAX_LABELS_TEXT:
        labels = labels[: MAX_LABELS_TEXT - 1] + "…"
    parts = [one_line(head, 1000)]
    if labels:
        parts.append(one_line(labels))
    if alert.link:
        parts.append(one_line(alert.link, 2000))
    return " · ".join(parts)
