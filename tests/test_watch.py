"""Events out: `incident-tui watch` as a real process following other writers (SQLite and
PostgreSQL), its readable lines, a closed stdout, and the events composed from rows."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from incident_tui import ops
from tests.conftest import patience


def now() -> datetime:
    return datetime.now(UTC)


class Watching:
    """A running `incident-tui watch`: the lines it printed so far, and its stderr."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.process = process
        self.lines: list[str] = []
        self.errors: list[str] = []
        assert process.stderr is not None and process.stdout is not None
        first = process.stderr.readline()  # said once its cursor is set: writes count now
        assert "watching" in first, first
        self.errors.append(first)
        threading.Thread(target=self._read, args=(process.stdout, self.lines), daemon=True).start()
        threading.Thread(target=self._read, args=(process.stderr, self.errors), daemon=True).start()

    @staticmethod
    def _read(stream, into: list[str]) -> None:  # type: ignore[no-untyped-def]
        for line in stream:
            into.append(line)

    def events(self) -> list[dict]:
        return [json.loads(line) for line in list(self.lines)]

    def wait_for(self, condition: Callable[[], bool], what: str) -> None:
        for _ in patience():
            if condition():
                return
            if self.process.poll() is not None:
                break
            threading.Event().wait(0.05)
        raise AssertionError(f"never happened: {what}; printed {self.lines}; {self.errors}")

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=60)


@pytest.fixture
def watch(private_home: Path) -> Iterator[Callable[..., Watching]]:
    started: list[Watching] = []

    def start(target: str, *args: str, config: Path | None = None) -> Watching:
        env = dict(os.environ, INCIDENT_TUI_DB=target)
        if config is not None:
            env["INCIDENT_TUI_CONFIG"] = str(config)
        process = subprocess.Popen(
            [sys.executable, "-m", "incident_tui", "watch", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        watching = Watching(process)
        started.append(watching)
        return watching

    yield start
    for watching in started:
        if watching.process.poll() is None:
            watching.process.kill()
            watching.process.wait()


def _write_everything(db, cli, target: str) -> tuple[int, list[tuple[str, str]]]:  # type: ignore[no-untyped-def]
    """A war room's worth of changes (some through the CLI, as scripts do); the events
    they must give, in order, as (event, what identifies it)."""
    number = ops.declare(db, title="Checkout failing", severity=2, author="mira", now=now())
    assert cli("log", "INC-1", "EU error rate at 30%", "--kind", "alert", db=target, now=None)
    entry = ops.log_entry(db, key=number, text="shard map stale?", author="li", now=now())
    assert cli("phase", "INC-1", "investigating", db=target, now=None).returncode == 0
    ops.edit_entry(
        db, key=number, entry_id=entry.id, text="shard map stale", author="li", now=now()
    )
    ops.pin_entry(db, key=number, entry_id=entry.id, author="li", now=now())
    ops.hand_over_role(db, key=number, role="scribe", holder="tom", author="mira", now=now())
    ops.hand_over_role(db, key=number, role="scribe", holder="ana", author="mira", now=now())
    assert (
        cli("update", "INC-1", "external", "Checkout is failing for some", db=target, now=None)
    ).returncode == 0
    ops.set_severity(db, key=number, severity=1, author="mira", now=now())
    item = ops.add_action(
        db, key=number, description="Alert on stale shard maps", author="li", now=now()
    )
    ops.update_action(db, action_id=item.id, status="in-progress", author="li", now=now())
    ops.delete_entry(db, key=number, entry_id=entry.id, author="li", now=now())
    ops.set_milestone(
        db,
        key=number,
        milestone="started",
        at=now() - timedelta(minutes=20),
        author="mira",
        now=now(),
    )
    return number, [
        ("incident.declared", "Checkout failing"),
        ("entry.added", "Declared SEV2: Checkout failing"),
        ("entry.added", "✓ Checklist, seen: declared, severity set"),
        ("entry.added", "EU error rate at 30%"),
        ("entry.added", "shard map stale?"),
        ("milestone.changed", "acknowledged"),
        ("phase.changed", "investigating"),
        ("entry.added", "Phase triage → investigating"),
        ("entry.edited", "shard map stale"),
        ("entry.pinned", "shard map stale"),
        ("role.assigned", "tom"),
        ("entry.added", "tom is scribe"),
        ("role.assigned", "ana"),
        ("entry.added", "ana is scribe, taking over from tom"),
        ("update.posted", "Checkout is failing for some"),
        ("entry.added", "External update posted: Checkout is failing for some"),
        ("entry.added", "✓ Checklist, seen: first update posted"),
        ("severity.changed", "1"),
        ("entry.added", "Severity SEV2 → SEV1"),
        ("action.added", "Alert on stale shard maps"),
        ("action.updated", "status open → in-progress"),
        ("entry.added", "Action item #1 (Alert on stale shard maps): status open → in-progress"),
        ("entry.deleted", "shard map stale"),
        ("milestone.changed", "started"),
        ("entry.added", "Milestone started set to"),
    ]


def _said(event: dict) -> str:
    """What identifies an event in the expected list above."""
    name = event["event"]
    if name == "incident.declared":
        return event["title"]
    if name.startswith("entry."):
        return event["entry"]["text"]
    if name == "milestone.changed":
        return event["milestone"]
    if name == "phase.changed":
        return event["to"]
    if name == "severity.changed":
        return str(event["to"])
    if name == "role.assigned":
        return event["holder"]
    if name == "update.posted":
        return event["update"]["text"]
    if name == "action.added":
        return event["action"]["description"]
    if name == "action.updated":
        return event["changes"]
    return ""


def _expected_events_once_in_order(watching: Watching, expected: list[tuple[str, str]]) -> None:
    watching.wait_for(lambda: len(watching.lines) >= len(expected), "every event")
    told = [(e["event"], _said(e)) for e in watching.events()]
    assert len(told) == len(expected), told
    for (event, said), (want_event, want_said) in zip(told, expected, strict=True):
        assert event == want_event and said.startswith(want_said), (told, expected)
    ids = [e["id"] for e in watching.events()]
    assert len(ids) == len(set(ids))


def test_watch_prints_every_change_once_in_order_on_sqlite(db, db_path, cli, watch) -> None:
    watching = watch(str(db_path), "--json")
    _number, expected = _write_everything(db, cli, str(db_path))
    _expected_events_once_in_order(watching, expected)
    first = watching.events()[0]
    assert first == {
        "event": "incident.declared",
        "id": "incident:1",
        "incident": "INC-1",
        "title": "Checkout failing",
        "drill": False,
        "at": first["at"],
        "by": "mira",
        "severity": 2,
        "started_at": first["at"],
    }
    update = next(e for e in watching.events() if e["event"] == "update.posted")
    assert update["update"]["audience"] == "external"
    assert update["update"]["phase"] == "investigating"
    edited = next(e for e in watching.events() if e["event"] == "entry.edited")
    assert edited["before"]["text"] == "shard map stale?" and edited["by"] == "li"
    assert watching.stop() == 0
    assert "Traceback" not in "".join(watching.errors)


def test_watch_starts_from_now_and_follows_one_incident(db, db_path, watch) -> None:
    first = ops.declare(db, title="Old one", severity=3, author="mira", now=now())
    ops.log_entry(db, key=first, text="before watch started", author="mira", now=now())
    second = ops.declare(db, title="Other", severity=3, author="mira", now=now())
    watching = watch(str(db_path), "INC-1", "--json")
    ops.log_entry(db, key=second, text="not this incident", author="mira", now=now())
    ops.log_entry(db, key=first, text="after watch started", author="mira", now=now())
    watching.wait_for(lambda: len(watching.lines) >= 1, "one event")
    ops.log_entry(db, key=first, text="and the next", author="mira", now=now())
    watching.wait_for(lambda: len(watching.lines) >= 2, "two events")
    assert [e["entry"]["text"] for e in watching.events()] == [
        "after watch started",
        "and the next",
    ]
    assert watching.stop() == 0


def test_watch_readable_lines(db, db_path, watch) -> None:
    number = ops.declare(db, title="Checkout failing", severity=2, author="mira", now=now())
    watching = watch(str(db_path))
    ops.log_entry(db, key=number, text="EU \x1b[2Jerror rate up", author="li", now=now())
    ops.post_update(db, key=number, audience="internal", text="Looking", author="ana", now=now())
    watching.wait_for(lambda: len(watching.lines) >= 3, "three lines")
    added, posted, _comm = watching.lines[:3]
    assert "INC-1  entry.added" in added and "note · li: EU error rate up" in added
    assert "\x1b" not in added
    assert "update.posted" in posted and "internal · ana: Looking" in posted
    assert watching.stop() == 0


def test_a_closed_stdout_ends_watch_quietly(db, db_path, private_home) -> None:
    number = ops.declare(db, title="Checkout failing", severity=2, author="mira", now=now())
    script = f"{sys.executable} -m incident_tui watch | head -1"
    process = subprocess.Popen(
        ["sh", "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, INCIDENT_TUI_DB=str(db_path)),
    )
    assert process.stderr is not None
    assert "watching" in process.stderr.readline()
    ops.log_entry(db, key=number, text="the one line", author="mira", now=now())
    out, err = process.communicate(timeout=60)
    assert "the one line" in out and out.count("\n") == 1
    assert process.returncode == 0
    assert "Traceback" not in err and "BrokenPipe" not in err


def test_watch_an_unknown_incident_is_one_line(cli) -> None:
    result = cli("watch", "INC-9")
    assert result.returncode == 1
    assert result.stderr.strip() == "incident-tui: error: no incident INC-9"


@pytest.mark.postgres
def test_watch_prints_every_change_once_in_order_on_postgresql(pg, pg_url, cli, watch) -> None:
    watching = watch(pg_url, "--json")
    _number, expected = _write_everything(pg, cli, pg_url)
    _expected_events_once_in_order(watching, expected)
    assert watching.stop() == 0
    assert "Traceback" not in "".join(watching.errors)


def test_a_late_commit_below_the_cursor_is_told_once() -> None:
    """PostgreSQL hands out ids at insert and commits in any order: entry 7 can commit
    after entry 8 was told. The follower looks back and tells each exactly once."""
    from incident_tui.domain.event_rows import Changes, EntryRow, EventCursor
    from incident_tui.domain.events import EventFollower

    def entry(id: int) -> EntryRow:
        at = datetime(2026, 11, 24, 9, 0, id, tzinfo=UTC)
        return EntryRow(id, 1, at, at, "note", "li", f"entry {id}", False, "")

    follower = EventFollower(EventCursor(entry=6), lookback=200)
    follower.skip(Changes(entries=[entry(5), entry(6)]))  # there before it started
    assert [e["id"] for e in follower.take(Changes(entries=[entry(5), entry(6), entry(8)]))] == [
        "entry:8"
    ]
    after = follower.read_after()
    assert after.entry == 0  # 8 - 200, floored: the read looks back
    late = follower.take(Changes(entries=[entry(5), entry(6), entry(7), entry(8)]))
    assert [e["id"] for e in late] == ["entry:7"]
    assert follower.take(Changes(entries=[entry(7), entry(8)])) == []
    assert follower.cursor.entry == 8
