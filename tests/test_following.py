"""The war room keeps following the newest entry under heavy concurrent writing, on a
SQLite file and on the real PostgreSQL server: what matters is what is drawn, not what
the timeline holds in memory (it held all 6,001 entries while the screen stayed on old
rows)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from textual.widgets import Input

from incident_tui import ops
from incident_tui.app import IncidentApp
from incident_tui.config import Config
from incident_tui.domain.clock import SystemClock
from tests.conftest import FROZEN_AT
from tests.terminal import PATIENCE_S
from tests.test_war_room import WRITER, ready

WRITERS, EACH = 4, 1000


def drawn_rows(screen) -> list[str]:
    """The timeline's rows as the compositor gets them right now: only what is in sight."""
    timeline = screen.query_one("#timeline")
    return [timeline.render_line(y).text for y in range(timeline.scrollable_content_region.height)]


def drawn(screen, text: str) -> bool:
    return any(text in row for row in drawn_rows(screen))


async def until(pilot, condition, what: str, seconds: float = PATIENCE_S) -> float:
    """Wait on the app until `condition` holds; how long it took (for the figures)."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if condition():
            return time.monotonic() - start
        await pilot.pause(0.02)
    raise AssertionError(f"never happened: {what}")


@pytest.fixture(params=["sqlite", "postgresql"])
def busy_db(request, tmp_path):
    from incident_tui.store.database import open_database

    url = str(tmp_path / "incidents.db") if request.param == "sqlite" else None
    if url is None:
        url = request.getfixturevalue("pg_url")
    db = open_database(url)
    yield db
    db.dispose()


async def test_the_war_room_follows_four_writers_then_draws_the_next_entries(
    busy_db, tmp_path
) -> None:
    db = busy_db
    number = ops.declare(db, title="Busy", severity=1, author="mira", now=FROZEN_AT)
    script = tmp_path / "writer.py"
    script.write_text(WRITER.replace("key=1", f"key={number}"))
    app = IncidentApp(
        database=db, config=Config(user_name="tom"), clock=SystemClock(), open_incident=number
    )
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        writers = [
            subprocess.Popen(
                [sys.executable, str(script), db.url, f"w{n}", str(EACH)], stderr=subprocess.PIPE
            )
            for n in range(WRITERS)
        ]
        for writer in writers:
            while writer.poll() is None:
                await pilot.pause(0.1)
            assert writer.returncode == 0, writer.stderr.read().decode()
        total = 2 + WRITERS * EACH  # the declaration, its checklist entry, the writers
        timeline = screen.query_one("#timeline")
        await until(pilot, lambda: len(timeline.timeline) == total, "every entry read")
        newest = timeline.timeline.entries[-1].text
        await until(pilot, lambda: drawn(screen, newest), f"the newest entry {newest!r} drawn")

        # A fifth process: with the app's tick stopped only the change feed can bring it.
        pilot.app.clock_timer.pause()
        env = dict(os.environ, INCIDENT_TUI_DB=db.url)
        fifth = subprocess.run(
            [sys.executable, "-m", "incident_tui", "log", str(number), "from a fifth process"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert fifth.returncode == 0, fifth.stderr
        took = await until(
            pilot, lambda: drawn(screen, "from a fifth process"), "the fifth process's entry"
        )
        print(f"{db.url.split(':')[0]}: the fifth process's entry drawn after {took:.3f} s")

        # One typed here: drawn once its commit is back from the writer thread (never
        # before: the screen shows only what is committed).
        entry = screen.query_one("#entry", Input)
        entry.value = "typed in the war room"
        await pilot.press("enter")
        await until(pilot, lambda: drawn(screen, "typed in the war room"), "the typed entry")
        assert drawn(screen, "from a fifth process")
        assert timeline.scroll_y == timeline.max_scroll_y
