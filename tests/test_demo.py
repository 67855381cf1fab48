"""The demo: a realistic SEV1 built through the operations, in a database of its own."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from incident_tui.cli.demo import seed_demo
from incident_tui.domain.clock import FrozenClock
from incident_tui.domain.policy import deadlines
from incident_tui.store.queries import incident_detail
from tests.conftest import CliRunner


def test_seed_demo_builds_an_ongoing_sev1(db, clock: FrozenClock) -> None:
    now = clock.now()
    number = seed_demo(db, now=now)

    detail = incident_detail(db, number)
    assert detail.title == "Search results empty for EU users"
    assert detail.severity == 1
    assert detail.phase == "identified"
    roles = detail.roles
    for role in ("commander", "scribe", "tech_lead", "comms"):
        assert roles.get(role), f"{role} is vacant"
    assert roles["sme:search"] == "li"
    assert len(detail.timeline) >= 20
    assert all(e.occurred_at <= now and e.recorded_at <= now for e in detail.timeline)
    reconstructed = [
        e for e in detail.timeline if e.recorded_at - e.occurred_at > timedelta(minutes=10)
    ]
    assert reconstructed
    assert sum(e.pinned for e in detail.timeline) == 2
    assert {u.audience for u in detail.updates} == {"internal", "external"}
    assert len(detail.actions) == 2

    open_deadlines = {d.name: d for d in deadlines(detail.facts)}
    timer = open_deadlines["timer:check shard map after rollback"]
    assert timer.seconds_left(now) == 6 * 60
    assert detail.milestones["started_at"] == now - timedelta(minutes=52)
    assert detail.declared_at == now - timedelta(minutes=45)


def test_seed_demo_adds_two_more_incidents(db, clock: FrozenClock) -> None:
    number = seed_demo(db, now=clock.now())
    others = [incident_detail(db, n) for n in range(1, 4) if n != number]
    assert sorted((d.severity, d.phase) for d in others) == [(2, "resolved"), (3, "investigating")]


def _incident_count(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM incident").fetchone()[0]
    finally:
        conn.close()


def test_demo_no_open_builds_a_fresh_private_database(
    cli: CliRunner, db_path: Path, private_home: Path
) -> None:
    first = cli("demo", "--no-open")
    assert first.returncode == 0, first.stderr
    path = Path(first.stdout.strip())
    assert path.is_relative_to(private_home / "data")
    assert path.name == "demo.db"
    assert not db_path.exists(), "the demo touched $INCIDENT_TUI_DB"
    assert _incident_count(path) == 3

    second = cli("demo", "--no-open")
    assert second.returncode == 0, second.stderr
    assert Path(second.stdout.strip()) == path
    assert _incident_count(path) == 3
    assert not db_path.exists()


def test_demo_with_db_refuses_an_existing_file(cli: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "mine.db"
    built = cli("demo", "--no-open", "--db", str(target))
    assert built.returncode == 0, built.stderr
    assert Path(built.stdout.strip()) == target
    assert _incident_count(target) == 3

    again = cli("demo", "--no-open", "--db", str(target))
    assert again.returncode == 1
    assert "already exists" in again.stderr
    assert "Traceback" not in again.stderr
    assert _incident_count(target) == 3
