"""Alerts in: each webhook format (payloads recorded from their documentation, in
tests/fixtures/alerts/), de-duplication, alerts joining a group, resolution, routing
rules, and `incident-tui ingest` — against a real SQLite file."""

from __future__ import annotations

import copy
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from incident_tui import ops
from incident_tui.config import config_from_mapping
from incident_tui.domain.alert_payloads import PayloadError, parse_payload
from incident_tui.domain.alert_routes import routes_from_config
from incident_tui.domain.alert_text import severity_of
from incident_tui.domain.errors import ConfigError
from incident_tui.ops.alerts import take_alerts
from tests.conftest import FROZEN_AT, CliRunner, table_dump

FIXTURES = Path(__file__).parent / "fixtures" / "alerts"
NOW = FROZEN_AT


def payload(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def take(db, source: str, data: dict | str, routes=(), now: datetime = NOW):  # type: ignore[no-untyped-def]
    body = data if isinstance(data, str) else json.dumps(data)
    return take_alerts(db, parse_payload(source, body), now=now, routes=routes)


def rows(path: Path, sql: str, *args: object) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def alerts_of(path: Path, number: int) -> list[tuple[str, str]]:
    return rows(
        path,
        "SELECT occurred_at, text FROM timeline_entry WHERE incident_id = ? AND kind = 'alert'"
        " ORDER BY occurred_at, id",
        number,
    )


def incident(path: Path, number: int) -> tuple:
    [row] = rows(
        path,
        "SELECT title, severity, phase, started_at, detected_at, declared_by FROM incident"
        " WHERE id = ?",
        number,
    )
    return row


# --- each format --------------------------------------------------------------------


def test_alertmanager_payload_declares_an_incident(db, db_path: Path) -> None:
    taken = take(db, "alertmanager", payload("alertmanager_firing"))
    assert taken.as_json() == {
        "incident": "INC-1",
        "declared": True,
        "entries_added": 1,
        "duplicates": 0,
    }
    title, severity, phase, started, detected, by = incident(db_path, 1)
    assert (title, severity, phase, by) == (
        "HighErrorRate: Checkout 5xx above 5%",
        1,
        "triage",
        "alertmanager",
    )
    # Impact began and was detected when the alert fired (Go's nanoseconds cut to µs).
    assert started.startswith("2026-11-24 08:55:00.123456")
    assert detected.startswith("2026-11-24 08:55:00.123456")
    [(at, text)] = alerts_of(db_path, 1)
    assert at.startswith("2026-11-24 08:55:00.123456")
    assert text.startswith("FIRING: HighErrorRate — Checkout 5xx above 5%")
    assert "instance=checkout-eu-1:9100 job=checkout severity=critical" in text
    assert "http://prometheus.example.org:9090/graph?g0.expr=" in text


def test_grafana_payload_one_entry_per_alert(db, db_path: Path) -> None:
    taken = take(db, "grafana", payload("grafana_firing"))
    assert (taken.key, taken.declared, taken.added) == ("INC-1", True, 2)
    title, severity, _, started, _, by = incident(db_path, 1)
    assert title == "High memory usage: This alert was triggered for zone us-1"
    assert severity == 3 and by == "grafana"  # no severity label: SEV3
    assert started.startswith("2021-10-12 07:51:03.157076")  # +02:00 read as UTC
    texts = [text for _, text in alerts_of(db_path, 1)]
    assert texts[0].startswith("FIRING: High memory usage — This alert was triggered")
    assert "team=blue zone=us-1" in texts[0]
    assert texts[0].endswith("https://play.grafana.org/alerting/1afz29v7z/edit")
    assert texts[1].startswith("FIRING: High CPU usage")


def test_pagerduty_payload_reads_the_incident_event(db, db_path: Path) -> None:
    taken = take(db, "pagerduty", payload("pagerduty_triggered"))
    assert (taken.key, taken.added) == ("INC-1", 1)
    title, severity, *_ = incident(db_path, 1)
    assert (title, severity) == ("A little bump in the road", 1)  # priority P1
    [(at, text)] = alerts_of(db_path, 1)
    assert at.startswith("2020-04-09 15:16:27")
    assert "service=API Service" in text and "urgency=high" in text
    assert "https://acme.pagerduty.com/incidents/PGR0VU2" in text

    resolved = payload("pagerduty_triggered")
    resolved["event"]["event_type"] = "incident.resolved"
    resolved["event"]["occurred_at"] = "2020-04-09T16:00:00Z"
    resolved["event"]["data"]["status"] = "resolved"
    assert take(db, "pagerduty", resolved).added == 1
    acknowledged = copy.deepcopy(resolved)
    acknowledged["event"]["data"]["status"] = "acknowledged"  # still firing: seen
    assert take(db, "pagerduty", acknowledged).added == 0
    assert [t.split(":")[0] for _, t in alerts_of(db_path, 1)] == ["FIRING", "RESOLVED"]


def test_generic_payload_and_its_group_form(db, db_path: Path) -> None:
    taken = take(db, "generic", payload("generic_firing"))
    assert (taken.key, taken.added) == ("INC-1", 1)
    title, severity, *_ = incident(db_path, 1)
    assert (title, severity) == ("Checkout p99 latency above 2s: p99 at 2.8s on checkout-eu", 2)
    grouped = {
        "group": "checkout-eu",
        "alerts": [
            {"title": "Checkout p99 latency above 2s", "id": "checkout-latency-eu",
             "starts_at": "2026-11-24T08:50:00Z"},
            {"title": "Checkout errors", "id": "checkout-errors-eu", "severity": "critical"},
        ],
    }  # fmt: skip
    joined = take(db, "generic", grouped)
    # The first alert is the one already seen (same id, status, start); the new one
    # joins the group's incident, at the time it arrived (no starts_at given).
    assert (joined.key, joined.added, joined.duplicates, joined.declared) == ("INC-1", 1, 1, False)
    assert alerts_of(db_path, 1)[-1][0].startswith("2026-11-24 09:02:00")


@pytest.mark.parametrize(
    ("word", "severity"),
    [("critical", 1), ("Error", 2), ("high", 2), ("warning", 3), ("info", 4), ("low", 4),
     (None, 3), ("bogus", 3)],
)  # fmt: skip
def test_severity_from_the_label(word: str | None, severity: int) -> None:
    assert severity_of({"severity": word} if word else {}) == severity


@pytest.mark.parametrize(
    ("source", "body", "reason"),
    [
        ("alertmanager", "{not json", "not JSON"),
        ("alertmanager", "[]", "expected a JSON object"),
        ("alertmanager", "{}", "alerts: missing"),
        ("alertmanager", '{"alerts": []}', "alerts: no alerts"),
        ("alertmanager", '{"alerts": [{"status": "firing"}]}', "alerts[0].startsAt"),
        (
            "alertmanager",
            '{"alerts": [{"status": "burning", "startsAt": "2026-11-24T08:00:00Z"}]}',
            "alerts[0].status: expected firing or resolved",
        ),
        ("grafana", '{"alerts": [{"startsAt": "yesterday"}]}', "not an RFC 3339 time"),
        ("pagerduty", '{"event": {"resource_type": "service"}}', "only incident events"),
        ("pagerduty", "{}", "event: missing"),
        ("generic", '{"status": "firing"}', "title: missing"),
        ("generic", '{"title": "x", "colour": "red"}', "colour: unknown field"),
    ],
)
def test_a_bad_payload_says_why(source: str, body: str, reason: str) -> None:
    with pytest.raises(PayloadError, match=reason.replace("[", r"\[").replace("]", r"\]")):
        parse_payload(source, body)


# --- de-duplication, groups, resolution ---------------------------------------------


def test_repeats_add_nothing(db, db_path: Path) -> None:
    take(db, "alertmanager", payload("alertmanager_firing"))
    before = table_dump(db_path)
    again = take(db, "alertmanager", payload("alertmanager_firing"), now=NOW + timedelta(minutes=4))
    assert (again.key, again.declared, again.added, again.duplicates) == ("INC-1", False, 0, 1)
    assert table_dump(db_path) == before
    assert rows(db_path, "SELECT count(*) FROM alert_receipt") == [(1,)]


def test_a_new_alert_joins_its_group(db, db_path: Path) -> None:
    take(db, "alertmanager", payload("alertmanager_firing"))
    data = payload("alertmanager_firing")
    second = copy.deepcopy(data["alerts"][0])
    second.update(fingerprint="0aa1", startsAt="2026-11-24T08:58:00Z")
    second["labels"]["instance"] = "checkout-eu-2:9100"
    data["alerts"].append(second)
    joined = take(db, "alertmanager", data)
    assert (joined.key, joined.declared, joined.added, joined.duplicates) == ("INC-1", False, 1, 1)
    assert rows(db_path, "SELECT count(*) FROM incident") == [(1,)]
    texts = [text for _, text in alerts_of(db_path, 1)]
    assert len(texts) == 2 and "instance=checkout-eu-2:9100" in texts[1]


def test_a_resolved_alert_adds_one_entry(db, db_path: Path) -> None:
    take(db, "alertmanager", payload("alertmanager_firing"))
    data = payload("alertmanager_firing")
    data["status"] = "resolved"
    data["alerts"][0].update(status="resolved", endsAt="2026-11-24T09:00:00Z")
    for _ in range(2):  # the second time is a retry: nothing more
        take(db, "alertmanager", data)
    entries = alerts_of(db_path, 1)
    assert len(entries) == 2
    at, text = entries[1]
    assert at.startswith("2026-11-24 09:00:00")
    assert text.startswith(
        "RESOLVED: HighErrorRate — Checkout 5xx above 5% (fired 2026-11-24 08:55:00Z)"
    )


def test_resolved_alone_declares_nothing(db, db_path: Path) -> None:
    data = payload("alertmanager_firing")
    data["status"] = "resolved"
    data["alerts"][0].update(status="resolved", endsAt="2026-11-24T09:00:00Z")
    before = table_dump(db_path)
    taken = take(db, "alertmanager", data)
    assert (taken.key, taken.added) == (None, 0)
    assert table_dump(db_path) == before


def test_firing_again_after_resolution_declares_a_new_incident(db, db_path: Path) -> None:
    take(db, "alertmanager", payload("alertmanager_firing"))
    ops.set_phase(db, key="INC-1", phase="resolved", author="mira", now=NOW)
    data = payload("alertmanager_firing")
    data["alerts"][0]["startsAt"] = "2026-11-24T09:01:00Z"
    again = take(db, "alertmanager", data, now=NOW + timedelta(minutes=1))
    assert (again.key, again.declared) == ("INC-2", True)
    assert rows(db_path, "SELECT incident_id FROM alert_group") == [(2,)]


def test_a_time_ahead_of_our_clock_is_now(db, db_path: Path) -> None:
    data = payload("alertmanager_firing")
    data["alerts"][0]["startsAt"] = "2026-11-24T09:30:00Z"
    take(db, "alertmanager", data)
    assert alerts_of(db_path, 1)[0][0].startswith("2026-11-24 09:02:00")


# --- routing rules ------------------------------------------------------------------


def test_routes_set_severity_title_and_attach(db, db_path: Path) -> None:
    routes = routes_from_config(
        [
            {"match": {"job": "checkout"}, "attach": "checkout"},
            {"match": {"team": "blue"}, "severity": 2, "title": "Blue team paged"},
        ]
    )
    ops.declare(db, title="Checkout failing in EU", severity=2, author="mira", now=NOW)
    attached = take(db, "alertmanager", payload("alertmanager_firing"), routes)
    assert (attached.key, attached.declared) == ("INC-1", False)
    assert len(alerts_of(db_path, 1)) == 1
    titled = take(db, "grafana", payload("grafana_firing"), routes)
    assert titled.declared
    assert incident(db_path, 2)[:2] == ("Blue team paged", 2)


def test_attach_with_no_open_incident_declares() -> None:
    routes = routes_from_config([{"attach": "nothing like this"}])
    assert routes[0].attach == "nothing like this" and routes[0].matches({"any": "labels"})


@pytest.mark.parametrize(
    ("alerts", "message"),
    [
        ({"route": {"match": {}}}, r"expected \[\[alerts.route\]\] tables"),
        ({"route": [{"severity": 7}]}, r"alerts.route\[0\].severity: expected a number"),
        ({"route": [{"match": {"a": 1}}]}, r"alerts.route\[0\].match"),
        ({"route": [{"atach": "x"}]}, r"unknown setting alerts.route\[0\].atach"),
        ({"routes": []}, "did you mean alerts.route"),
    ],
)
def test_route_config_errors_name_the_key(alerts: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        config_from_mapping({"alerts": alerts})


def test_routes_from_a_config_file() -> None:
    config = config_from_mapping(
        {"alerts": {"route": [{"match": {"service": "db"}, "severity": 1}]}}
    )
    [route] = config.alert_routes
    assert route.match == (("service", "db"),) and route.severity == 1


# --- the command line ---------------------------------------------------------------


def test_ingest_from_stdin_and_from_a_file(cli: CliRunner, db_path: Path) -> None:
    body = (FIXTURES / "alertmanager_firing.json").read_text()
    done = cli("ingest", "alertmanager", "-", input=body)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "INC-1: declared, 1 alert entry added\n"
    again = cli("ingest", "alertmanager", str(FIXTURES / "alertmanager_firing.json"), "--json")
    assert json.loads(again.stdout) == {
        "incident": "INC-1",
        "declared": False,
        "entries_added": 0,
        "duplicates": 1,
    }


def test_ingest_refuses_bad_input_in_one_line(cli: CliRunner, db_path: Path) -> None:
    cli("declare", "Something else", "--severity", "3")
    before = table_dump(db_path)
    bad = cli("ingest", "alertmanager", "-", input="{oops")
    assert bad.returncode == 1
    assert bad.stderr.startswith("incident-tui: error: not JSON") and bad.stderr.count("\n") == 1
    missing = cli("ingest", "grafana", "/nonexistent.json")
    assert missing.returncode == 1 and "cannot read /nonexistent.json" in missing.stderr
    unknown = cli("ingest", "nagios", "-", input="{}")
    assert unknown.returncode == 2 and "invalid choice" in unknown.stderr
    assert table_dump(db_path) == before


def test_timestamps_are_utc(db) -> None:
    group = parse_payload("grafana", json.dumps(payload("grafana_firing")))
    assert group.alerts[0].starts_at == datetime(2021, 10, 12, 7, 51, 3, 157076, tzinfo=UTC)
    assert group.alerts[0].ends_at is None  # Go's zero time
