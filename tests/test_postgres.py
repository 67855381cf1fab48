"""The same operations against the real PostgreSQL server on 127.0.0.1:5432 (database `test`).

Outside CI the tests skip when no server answers; in CI (CI=true) they must run.
Each test works in a schema of its own, dropped afterwards.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from tests.conftest import FROZEN_AT, PG_SERVER, eventually, patience

NOW = FROZEN_AT
SERVER = PG_SERVER


def test_an_incident_runs_end_to_end_on_postgresql(pg) -> None:
    from incident_tui import ops
    from incident_tui.domain.policy import deadlines
    from incident_tui.store import queries

    number = ops.declare(
        pg, title="Checkout failing", severity=1, author="mira", now=NOW, commander="alex"
    )
    ops.log_entry(
        pg,
        key=number,
        text="EU 5xx",
        author="tom",
        now=NOW,
        at=NOW - timedelta(minutes=7),
        kind="alert",
    )
    ops.set_phase(pg, key=number, phase="investigating", author="alex", now=NOW)
    ops.hand_over_role(pg, key=number, role="commander", holder="raj", author="alex", now=NOW)
    ops.post_update(
        pg,
        key=number,
        audience="internal",
        text="looking",
        author="ana",
        now=NOW + timedelta(minutes=5),
    )
    detail = queries.incident_detail(pg, number)
    assert detail.roles["commander"] == "raj"
    assert detail.timeline[0].text == "EU 5xx"
    assert detail.timeline[0].occurred_at == NOW - timedelta(minutes=7)
    assert detail.milestones["acknowledged_at"] == NOW
    due = {d.name: d.due_at for d in deadlines(detail.facts)}
    assert due["update:internal"] == NOW + timedelta(minutes=20)


def test_logging_to_an_unknown_incident_is_refused_on_postgresql(pg) -> None:
    from incident_tui import ops
    from incident_tui.domain.errors import NotFound
    from incident_tui.store import queries

    number = ops.declare(pg, title="Checkout failing", severity=2, author="mira", now=NOW)
    with pytest.raises(NotFound, match="no incident INC-99"):
        ops.log_entry(pg, key="INC-99", text="lost?", author="tom", now=NOW)
    ops.log_entry(pg, key=number, text="still writable", author="tom", now=NOW)
    texts = [entry.text for entry in queries.incident_detail(pg, number).timeline]
    assert texts[-1] == "still writable" and "lost?" not in texts


def test_concurrent_declarations_get_distinct_keys_on_postgresql(pg) -> None:
    from incident_tui import ops

    def declare(i: int) -> int:
        return ops.declare(pg, title=f"incident {i}", severity=3, author="bot", now=NOW)

    with ThreadPoolExecutor(max_workers=4) as pool:
        numbers = list(pool.map(declare, range(40)))
    assert sorted(numbers) == list(range(1, 41))


def test_reopening_a_migrated_postgresql_database_keeps_its_rows(pg_url) -> None:
    from incident_tui import ops
    from incident_tui.store import queries
    from incident_tui.store.database import open_database

    first = open_database(pg_url)
    ops.declare(first, title="kept", severity=2, author="mira", now=NOW)
    first.dispose()
    again = open_database(pg_url)
    try:
        assert queries.incident_detail(again, 1).title == "kept"
    finally:
        again.dispose()


async def test_the_war_room_works_on_postgresql(pg, clock) -> None:
    """The same screen on PostgreSQL: the scribe's entry is committed and shown, and a
    change by another connection appears (polled: PostgreSQL has no data_version)."""
    from textual.widgets import Input

    from incident_tui import ops
    from incident_tui.app import IncidentApp
    from incident_tui.config import Config
    from incident_tui.store import queries
    from incident_tui.store.database import open_database
    from tests.test_war_room import ready, settled, shown_texts

    number = ops.declare(pg, title="Checkout failing", severity=1, author="mira", now=NOW)
    app = IncidentApp(
        database=pg, config=Config(user_name="tom"), clock=clock, open_incident=number
    )
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        screen.query_one("#entry", Input).value = "08:55 EU error rate rises"
        await pilot.press("enter")
        await settled(pilot)
        stored = queries.incident_detail(pg, number).timeline[0]
        assert (stored.text, stored.occurred_at) == (
            "EU error rate rises",
            NOW.replace(hour=8, minute=55),
        )
        assert shown_texts(screen)[0] == "EU error rate rises"
        other = open_database(pg.url)
        try:
            ops.log_entry(other, key=number, text="from another host", author="raj", now=NOW)
        finally:
            other.dispose()
        app.tick()  # the tick's read runs in a thread: wait for it, not one pause
        await eventually(
            pilot, lambda: shown_texts(screen)[-1] == "from another host", "the other entry"
        )


async def test_four_writers_on_postgresql_while_the_war_room_is_open(pg, tmp_path) -> None:
    """The same as on SQLite: 4 processes × 1,000 entries, every one shown once, in order."""
    import subprocess
    import sys

    from incident_tui import ops
    from incident_tui.app import IncidentApp
    from incident_tui.config import Config
    from incident_tui.domain.clock import SystemClock
    from incident_tui.store import queries
    from tests.test_war_room import WRITER, ready

    number = ops.declare(pg, title="Busy", severity=1, author="mira", now=NOW)
    script = tmp_path / "writer.py"
    script.write_text(WRITER.replace("key=1", f"key={number}"))
    app = IncidentApp(
        database=pg, config=Config(user_name="tom"), clock=SystemClock(), open_incident=number
    )
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        writers = [
            subprocess.Popen(
                [sys.executable, str(script), pg.url, f"w{n}", "1000"], stderr=subprocess.PIPE
            )
            for n in range(4)
        ]
        for writer in writers:
            while writer.poll() is None:
                await pilot.pause(0.1)
            assert writer.returncode == 0, writer.stderr.read().decode()
        stored = queries.incident_detail(pg, number).timeline
        for _ in patience():
            if len(screen.query_one("#timeline").timeline.entries) >= len(stored):
                break
            await pilot.pause(0.1)
        shown = screen.query_one("#timeline").timeline.entries
        assert [e.id for e in shown] == [e.id for e in stored]


def test_a_streamed_import_writes_its_entries_in_bulk_on_postgresql(pg, tmp_path) -> None:
    import json

    from incident_tui import ops
    from incident_tui.formats import export, importer
    from incident_tui.store import postmortem_reads, queries

    number = ops.declare(pg, title="Queue stuck", severity=2, author="ana", now=NOW)
    for i in range(3):
        ops.log_entry(pg, key=number, text=f"step {i}", author="ana", now=NOW)
    draft = postmortem_reads.postmortem_draft(pg, number, now=NOW)
    doc = json.loads(export.render(draft, "json"))
    doc["record"]["title"] = "Queue stuck (copy)"
    entries = doc["record"]["entries"]
    first = next(i for i, e in enumerate(entries) if e["text"] == "step 0")
    entries[first]["text"] = "lone \ud800 half"
    path = tmp_path / "export.json"
    path.write_text(json.dumps(doc))
    with importer.streamed(str(path), now=NOW) as imported:
        copy = importer.import_incident(pg, imported, now=NOW).number
    original = queries.incident_detail(pg, number).timeline
    copied = queries.incident_detail(pg, copy).timeline
    assert [(e.occurred_at, e.kind, e.author) for e in copied] == [
        (e.occurred_at, e.kind, e.author) for e in original
    ]
    assert [e.text for e in copied][first:] == ["lone \ufffd half", "step 1", "step 2"]
