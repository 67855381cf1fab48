"""A full disk, for real (a small tmpfs filled to the last block): a write fails in one
line, nothing is half-written, the scribe's line stays with the reason, and once there is
room again the same write goes through."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from textual.widgets import Input

from incident_tui import ops
from incident_tui.app import IncidentApp
from incident_tui.config import Config
from incident_tui.screens.war_room import WarRoomScreen
from incident_tui.store import queries
from incident_tui.store.database import open_database
from tests.conftest import FROZEN_AT, CliRunner, table_dump

BIG = "x" * 90_000
"""Bigger than what the WAL already holds, so the write needs new blocks."""
BACKSTOP_S = 120


def _fill(folder: Path) -> Path:
    """Every free block of the filesystem, in one file."""
    filler = folder / "filler"
    # Unbuffered: a buffered file keeps the bytes a full disk refused and fails again
    # when it is closed.
    with open(filler, "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
        except OSError:
            pass
    return filler


def _sound(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()


def test_a_cli_write_on_a_full_disk_is_one_line_and_nothing(tmpfs, cli: CliRunner) -> None:
    db = tmpfs("2m") / "small.db"
    assert cli("declare", "Disk trouble", "-s", "2", db=db).returncode == 0
    before = table_dump(db)
    filler = _fill(db.parent)
    result = cli("log", "INC-1", "-", input=BIG, db=db)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "disk is full" in lines[0], lines
    filler.unlink()
    assert table_dump(db) == before  # nothing half-written
    _sound(db)
    assert cli("log", "INC-1", "-", input=BIG, db=db).returncode == 0


async def _until(pilot, condition) -> None:  # type: ignore[no-untyped-def]
    give_up = time.monotonic() + BACKSTOP_S
    while not condition():
        assert time.monotonic() < give_up, "the app never got there"
        await pilot.pause(0.02)


async def test_the_scribes_line_survives_a_full_disk(tmpfs, clock) -> None:
    path = tmpfs("2m") / "small.db"
    db = open_database(path)
    number = ops.declare(db, title="Disk trouble", severity=2, author="mira", now=FROZEN_AT)
    app = IncidentApp(database=db, config=Config(user_name="tom"), clock=clock,
                      open_incident=number)  # fmt: skip
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await _until(
                pilot,
                lambda: isinstance(app.screen, WarRoomScreen) and app.screen.detail is not None,
            )
            screen = app.screen
            entry = screen.query_one("#entry", Input)
            status = screen.query_one("#entry-status")
            filler = _fill(path.parent)
            entry.value = BIG
            await pilot.press("enter")
            await _until(pilot, lambda: "disk is full" in str(status.render()))
            assert entry.value == BIG  # kept, with the reason beside it
            assert [
                e.text for e in queries.incident_detail(db, number).timeline if e.text == BIG
            ] == []
            filler.unlink()
            await pilot.press("enter")
            await _until(
                pilot,
                lambda: any(e.text == BIG for e in queries.incident_detail(db, number).timeline),
            )
    finally:
        db.dispose()
    _sound(path)
