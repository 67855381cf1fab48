"""Alert webhooks read into one neutral shape: Alertmanager (version 4), Grafana
alerting, PagerDuty (v3 webhooks) and the generic JSON form, each parsed to an
`AlertGroup` of `Alert`s (`alert_text.py` says what they mean: severity, title, entry).

Pure: no database, no Textual. A payload that is not JSON or not of its format is a
`PayloadError` naming what is wrong (the receiver's 400).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from incident_tui.domain.errors import IncidentError
from incident_tui.domain.text import clean, one_line

FORMATS: tuple[str, ...] = ("alertmanager", "grafana", "pagerduty", "generic")
FIRING = "firing"
RESOLVED = "resolved"

MAX_KEY = 400
"""A group key or fingerprint longer than this is stored as its SHA-256."""
MAX_ALERTS = 1000

SEVERITY_WORDS = {
    "critical": 1,
    "crit": 1,
    "page": 1,
    "p1": 1,
    "error": 2,
    "high": 2,
    "major": 2,
    "p2": 2,
    "warning": 3,
    "warn": 3,
    "medium": 3,
    "p3": 3,
    "info": 4,
    "low": 4,
    "minor": 4,
    "none": 4,
    "p4": 4,
}
DEFAULT_SEVERITY = 3


class PayloadError(IncidentError):
    """A payload that is not JSON, or not the shape of its format."""


@dataclass(frozen=True)
class Alert:
    fingerprint: str
    status: str
    labels: tuple[tuple[str, str], ...]
    annotations: tuple[tuple[str, str], ...]
    starts_at: datetime | None
    """When it began firing; None when the sender did not say (the generic form): the
    receiver then takes the time it arrived."""
    ends_at: datetime | None
    link: str

    def label(self, name: str) -> str:
        return dict(self.labels).get(name, "")

    def annotation(self, name: str) -> str:
        return dict(self.annotations).get(name, "")


@dataclass(frozen=True)
class AlertGroup:
    source: str
    """The format it came in (alertmanager, grafana, pagerduty, generic): who wrote it."""
    group_key: str
    status: str
    alerts: tuple[Alert, ...]
    common_labels: tuple[tuple[str, str], ...]
    summary: str = ""

    @property
    def firing(self) -> tuple[Alert, ...]:
        return tuple(a for a in self.alerts if a.status == FIRING)


def parse_payload(source: str, body: bytes | str) -> AlertGroup:
    """The body of one webhook call in format `source`, read into an `AlertGroup`."""
    if source not in _PARSERS:
        raise PayloadError(f"unknown format {source!r}; formats: {', '.join(FORMATS)}")
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError) as error:
        raise PayloadError(f"not JSON: {error}") from None
    if not isinstance(data, dict):
        raise PayloadError("expected a JSON object")
    return _PARSERS[source](data)


# --- reading the formats -------------------------------------------------------------


def _text(value: object, where: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise PayloadError(f"{where}: expected a string")
    return clean(str(value)).strip()


def _pairs(value: object, where: str) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise PayloadError(f"{where}: expected an object of strings")
    pairs = []
    for key, inner in value.items():
        name = one_line(clean(str(key)), 200)
        if name:
            pairs.append((name, one_line(_text(inner, f"{where}.{key}"), 1000)))
    return tuple(sorted(pairs))


_FRACTION = re.compile(r"(\.\d{6})\d+")


def _instant(value: object, where: str, *, required: bool = True) -> datetime | None:
    """An RFC 3339 instant; Go's zero time (`0001-01-01T00:00:00Z`) and "" are none."""
    if value in (None, "") and not required:
        return None
    if not isinstance(value, str):
        raise PayloadError(f"{where}: expected an RFC 3339 time")
    text = _FRACTION.sub(r"\1", value.strip())  # Go writes nanoseconds
    try:
        at = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise PayloadError(f"{where}: {value!r} is not an RFC 3339 time") from None
    if at.tzinfo is None:
        raise PayloadError(f"{where}: {value!r} has no time zone")
    if at.year < 1970:
        if required:
            raise PayloadError(f"{where}: {value!r} is before 1970")
        return None
    return at.astimezone(UTC)


def _key(value: str) -> str:
    if len(value) <= MAX_KEY:
        return value
    return "sha256:" + hashlib.sha256(value.encode("utf-8")).hexdigest()


def _fingerprint(labels: tuple[tuple[str, str], ...]) -> str:
    """A stable id from the labels, for senders that give none (as Alertmanager does)."""
    return hashlib.sha256(json.dumps(labels).encode("utf-8")).hexdigest()[:16]


def _status(value: object, where: str) -> str:
    status = _text(value, where).lower() or FIRING
    if status not in (FIRING, RESOLVED):
        raise PayloadError(f"{where}: expected firing or resolved, not {status!r}")
    return status


def _list(data: dict, name: str) -> list:
    value = data.get(name)
    if not isinstance(value, list):
        raise PayloadError(f"{name}: expected a list of alerts")
    if not value:
        raise PayloadError(f"{name}: no alerts")
    if len(value) > MAX_ALERTS:
        raise PayloadError(f"{name}: {len(value)} alerts; at most {MAX_ALERTS} a payload")
    return value


def _common(alerts: tuple[Alert, ...]) -> tuple[tuple[str, str], ...]:
    if not alerts:
        return ()
    shared = set(alerts[0].labels)
    for alert in alerts[1:]:
        shared &= set(alert.labels)
    return tuple(sorted(shared))


def _alertmanager(data: dict, source: str = "alertmanager") -> AlertGroup:
    """Alertmanager's webhook (version 4), which Grafana's follows with extra fields."""
    if "alerts" not in data:
        raise PayloadError("alerts: missing (not an Alertmanager webhook payload)")
    alerts = []
    for i, raw in enumerate(_list(data, "alerts")):
        where = f"alerts[{i}]"
        if not isinstance(raw, dict):
            raise PayloadError(f"{where}: expected an object")
        labels = _pairs(raw.get("labels"), f"{where}.labels")
        alerts.append(
            Alert(
                fingerprint=_key(_text(raw.get("fingerprint"), f"{where}.fingerprint"))
                or _fingerprint(labels),
                status=_status(raw.get("status"), f"{where}.status"),
                labels=labels,
                annotations=_pairs(raw.get("annotations"), f"{where}.annotations"),
                starts_at=_instant(raw.get("startsAt"), f"{where}.startsAt"),
                ends_at=_instant(raw.get("endsAt"), f"{where}.endsAt", required=False),
                link=_text(raw.get("generatorURL"), f"{where}.generatorURL"),
            )
        )
    found = tuple(alerts)
    common = _pairs(data.get("commonLabels"), "commonLabels") or _common(found)
    annotations = dict(_pairs(data.get("commonAnnotations"), "commonAnnotations"))
    group_key = _text(data.get("groupKey"), "groupKey")
    if not group_key:
        group_key = json.dumps(_pairs(data.get("groupLabels"), "groupLabels") or common)
    return AlertGroup(
        source=source,
        group_key=_key(group_key),
        status=_status(data.get("status"), "status"),
        alerts=found,
        common_labels=common,
        summary=one_line(annotations.get("summary", ""), 200),
    )


def _grafana(data: dict) -> AlertGroup:
    return _alertmanager(data, "grafana")


_PD_STATUS = {"triggered": FIRING, "acknowledged": FIRING, "resolved": RESOLVED}
_PD_URGENCY = {"high": "high", "low": "low"}


def _pagerduty(data: dict) -> AlertGroup:
    """A PagerDuty v3 webhook: one event on one PagerDuty incident, read as one alert
    whose group is that incident."""
    event = data.get("event")
    if not isinstance(event, dict):
        raise PayloadError("event: missing (not a PagerDuty v3 webhook payload)")
    if event.get("resource_type") != "incident":
        raise PayloadError(
            f"event.resource_type: {event.get('resource_type')!r}; only incident events are read"
        )
    inner = event.get("data")
    if not isinstance(inner, dict):
        raise PayloadError("event.data: expected the incident object")
    number = _text(inner.get("id"), "event.data.id")
    if not number:
        raise PayloadError("event.data.id: missing")
    raw_status = _text(inner.get("status"), "event.data.status").lower()
    if raw_status not in _PD_STATUS:
        raise PayloadError(
            f"event.data.status: {raw_status!r} is not triggered/acknowledged/resolved"
        )
    status = _PD_STATUS[raw_status]
    labels = {"alertname": one_line(_text(inner.get("title"), "event.data.title"), 200)}
    service = inner.get("service")
    if isinstance(service, dict) and service.get("summary"):
        labels["service"] = one_line(_text(service["summary"], "event.data.service.summary"))
    priority = inner.get("priority")
    pd_priority = ""
    if isinstance(priority, dict) and priority.get("summary"):
        pd_priority = one_line(_text(priority["summary"], "event.data.priority.summary"))
        labels["priority"] = pd_priority
    urgency = _text(inner.get("urgency"), "event.data.urgency").lower()
    if urgency:
        labels["urgency"] = urgency
    severity = pd_priority.lower() if pd_priority.lower() in SEVERITY_WORDS else ""
    labels["severity"] = severity or _PD_URGENCY.get(urgency, "")
    labels = {k: v for k, v in labels.items() if v}
    created = _instant(inner.get("created_at"), "event.data.created_at")
    occurred = _instant(event.get("occurred_at"), "event.occurred_at", required=False)
    pairs = tuple(sorted(labels.items()))
    alert = Alert(
        fingerprint=_key(number),
        status=status,
        labels=pairs,
        annotations=(),
        starts_at=created,
        ends_at=occurred if status == RESOLVED else None,
        link=_text(inner.get("html_url"), "event.data.html_url"),
    )
    return AlertGroup("pagerduty", _key(number), status, (alert,), pairs)


_GENERIC_FIELDS = frozenset(
    {
        "title",
        "status",
        "severity",
        "id",
        "group",
        "summary",
        "labels",
        "annotations",
        "starts_at",
        "ends_at",
        "link",
    }
)


def _generic_alert(raw: object, where: str) -> tuple[Alert, str]:
    if not isinstance(raw, dict):
        raise PayloadError(f"{where or 'payload'}: expected an object")
    unknown = sorted(set(raw) - _GENERIC_FIELDS)
    if unknown:
        raise PayloadError(
            f"{where}{unknown[0]}: unknown field; fields: {', '.join(sorted(_GENERIC_FIELDS))}"
        )
    labels = dict(_pairs(raw.get("labels"), f"{where}labels"))
    title = one_line(_text(raw.get("title"), f"{where}title"), 200)
    if title:
        labels["alertname"] = title
    if not labels.get("alertname"):
        raise PayloadError(f"{where}title: missing (or labels.alertname)")
    severity = _text(raw.get("severity"), f"{where}severity")
    if severity:
        labels["severity"] = severity
    annotations = dict(_pairs(raw.get("annotations"), f"{where}annotations"))
    summary = one_line(_text(raw.get("summary"), f"{where}summary"), 1000)
    if summary:
        annotations["summary"] = summary
    pairs = tuple(sorted(labels.items()))
    starts = _instant(raw.get("starts_at"), f"{where}starts_at", required=False)
    alert = Alert(
        fingerprint=_key(_text(raw.get("id"), f"{where}id")) or _fingerprint(pairs),
        status=_status(raw.get("status"), f"{where}status"),
        labels=pairs,
        annotations=tuple(sorted(annotations.items())),
        starts_at=starts,
        ends_at=_instant(raw.get("ends_at"), f"{where}ends_at", required=False),
        link=_text(raw.get("link"), f"{where}link"),
    )
    return alert, _text(raw.get("group"), f"{where}group")


def _generic(data: dict) -> AlertGroup:
    """One alert object, or `{"group": KEY, "alerts": [alert, …]}` (see the README)."""
    if "alerts" in data:
        extra = sorted(set(data) - {"group", "alerts"})
        if extra:
            raise PayloadError(f"{extra[0]}: unknown field beside alerts (group, alerts)")
        read = [_generic_alert(raw, f"alerts[{i}].") for i, raw in enumerate(_list(data, "alerts"))]
        group = _text(data.get("group"), "group")
    else:
        read = [_generic_alert(data, "")]
        group = read[0][1]
    alerts = tuple(alert for alert, _ in read)
    common = _common(alerts)
    if not group:
        group = dict(common).get("alertname") or alerts[0].fingerprint
    status = FIRING if any(a.status == FIRING for a in alerts) else RESOLVED
    return AlertGroup("generic", _key(group), status, alerts, common)


_PARSERS: dict[str, Callable[[dict], AlertGroup]] = {
    "alertmanager": _alertmanager,
    "grafana": _grafana,
    "pagerduty": _pagerduty,
    "generic": _generic,
}
