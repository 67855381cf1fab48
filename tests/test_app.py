"""The app as a person sees it: the incident list and the plain incident screen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import DataTable, Static

from incident_tui import ops
from incident_tui.app import IncidentApp
from incident_tui.config import Config
from tests.conftest import FROZEN_AT

NOW = FROZEN_AT
HOSTILE = "[/] [bold]x[/bold] \x1b[2J 中文 שלום"


def seed(db) -> None:
    """Fixed data: an active SEV1 and SEV2, a resolved SEV3."""
    t = NOW - timedelta(hours=1)
    ops.declare(
        db,
        title="Search results empty for EU users",
        severity=2,
        author="mira",
        now=t,
        commander="mira",
        started_at=t - timedelta(minutes=7),
    )
    ops.declare(
        db,
        title="Checkout failing " + HOSTILE,
        severity=1,
        author="alex",
        now=t + timedelta(minutes=20),
        commander="alex",
    )
    ops.declare(db, title="Slow admin reports", severity=3, author="raj", now=t - timedelta(days=1))
    ops.set_phase(db, key=3, phase="resolved", author="raj", now=t - timedelta(hours=2))
    ops.log_entry(db, key=2, text=HOSTILE, author="tom", now=NOW - timedelta(minutes=5))
    ops.log_entry(db, key=2, text="x" * 10_000, author="tom", now=NOW - timedelta(minutes=4))
    ops.hand_over_role(db, key=2, role="scribe", holder="tom", author="alex", now=NOW)


def make_app(db, clock, **kw) -> IncidentApp:
    app = IncidentApp(database=db, config=Config(user_name="tester"), clock=clock, **kw)
    return app


async def settle(pilot) -> None:
    """Wait until loading is over and the screen stops changing (a DataTable sizes its
    columns on idle, after its rows arrive; a single pause sometimes caught it before)."""
    last = None
    for _ in range(50):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.02)
        shot = pilot.app.export_screenshot()
        if shot == last and not pilot.app.workers:
            return
        last = shot
    raise AssertionError("the screen never settled")


async def test_incident_list_shows_active_incidents_first_worst_first(db, clock) -> None:
    seed(db)
    app = make_app(db, clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#incidents", DataTable)
        keys = [str(k.value) for k in table.rows]
        assert keys == ["INC-2", "INC-1", "INC-3"]
        title_cell = table.get_row("INC-2")[2]
        assert title_cell.plain.startswith("Checkout failing [/] [bold]x[/bold]")
        assert "\x1b" not in title_cell.plain


async def test_open_key_lands_on_the_incident_and_renders_text_literally(db, clock) -> None:
    seed(db)
    app = make_app(db, clock, open_incident=2)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        body = app.screen.query_one("#view-text", Static)
        text = str(body.render())
        assert "[/] [bold]x[/bold]" in text
        assert "scribe        tom" in text
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.query_one("#incidents", DataTable).row_count == 3


async def test_enter_on_the_list_opens_the_incident(db, clock) -> None:
    seed(db)
    app = make_app(db, clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        heading = str(app.screen.query_one("#view-title", Static).render())
        assert heading.startswith("INC-1  SEV2  triage  Search results empty for EU users")


async def test_unopenable_database_ends_the_app_with_one_line(tmp_path, clock) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not a database at all" * 10)
    app = IncidentApp(db_target=str(bad), config=Config(user_name="tester"), clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(100):
            if app.fatal_error:
                break
            await pilot.pause(0.02)
    assert app.fatal_error == f"{bad} is not a SQLite database"
    assert bad.read_bytes() == b"not a database at all" * 10


@pytest.mark.parametrize("size", [(120, 36), (80, 24)], ids=["120x36", "80x24"])
class TestSnapshots:
    def test_incident_list(self, snap_compare, db, clock, size) -> None:
        seed(db)
        app = make_app(db, clock)
        assert snap_compare(app, terminal_size=size, run_before=settle)

    def test_incident_view(self, snap_compare, db, clock, size) -> None:
        seed(db)
        app = make_app(db, clock, open_incident=2)
        assert snap_compare(app, terminal_size=size, run_before=settle)


async def test_open_with_an_unknown_key_ends_with_one_line(db, clock) -> None:
    seed(db)
    app = make_app(db, clock, open_incident=99)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(100):
            if app.fatal_error:
                break
            await pilot.pause(0.02)
    assert app.fatal_error == "no incident INC-99"
