"""The app as a person sees it: the incident list, declaring, and a snapshot of every screen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import DataTable, Input
from textual.worker import WorkerCancelled

from incident_tui import ops
from incident_tui.app import IncidentApp
from incident_tui.config import Config
from incident_tui.screens.declare import DeclareScreen
from incident_tui.screens.war_room import WarRoomScreen
from incident_tui.store import queries
from tests.conftest import FROZEN_AT, patience, row_counts

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


def make_app(db, clock, user: str = "tester", **kw) -> IncidentApp:
    return IncidentApp(database=db, config=Config(user_name=user), clock=clock, **kw)


async def settle(pilot) -> None:
    """Wait until loading is over and the screen stops changing (a DataTable sizes its
    columns on idle, after its rows arrive; a single pause sometimes caught it before)."""
    last = None
    for _ in patience():
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:
            # An exclusive worker was replaced by a newer one (a tick's poll while the
            # screen loads, on a busy machine): wait on that one in the next round.
            last = None
            continue
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


async def test_open_key_lands_in_the_war_room_and_escape_goes_to_the_list(db, clock) -> None:
    seed(db)
    app = make_app(db, clock, open_incident=2)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, WarRoomScreen)
        heading = str(app.screen.query_one("#heading").render())
        assert heading.startswith(" INC-2  SEV1  TRIAGE  impact 40 min  ")
        assert "overdue" in heading and "Checkout failing [/]" in heading
        assert "tom" in str(app.screen.query_one("#roles").render())
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.query_one("#incidents", DataTable).row_count == 3


async def test_enter_on_the_list_opens_the_war_room(db, clock) -> None:
    seed(db)
    app = make_app(db, clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        heading = str(app.screen.query_one("#heading").render())
        assert heading.startswith(" INC-1  SEV2  TRIAGE")
        assert "Search results empty for EU users" in heading


async def test_declare_from_the_list_opens_the_new_war_room(db, clock) -> None:
    app = make_app(db, clock, user="mira")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, DeclareScreen)
        assert form.query_one("#commander", Input).value == "mira"
        await pilot.press(*"Search results empty for EU users", "tab", "2", "tab", "tab", *"08:55")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, WarRoomScreen)
        detail = queries.incident_detail(db, 1)
        assert (detail.title, detail.severity, detail.roles) == (
            "Search results empty for EU users",
            2,
            {"commander": "mira"},
        )
        assert detail.milestones["started_at"] == NOW.replace(hour=8, minute=55)


async def test_a_refused_declaration_keeps_the_form_as_typed(db, clock, db_path) -> None:
    app = make_app(db, clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("n", *"Checkout failing", "tab", "7", "enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, DeclareScreen)
        assert "severity must be 1, 2, 3 or 4" in str(form.query_one("#declare-error").render())
        assert form.query_one("#title", Input).value == "Checkout failing"
        form.query_one("#severity", Input).value = ""
        await pilot.press("enter")
        assert "severity is empty" in str(form.query_one("#declare-error").render())
    assert row_counts(db_path)["incident"] == 0


async def test_the_list_follows_other_writers(db, clock) -> None:
    seed(db)
    app = make_app(db, clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        ops.declare(db, title="Another one", severity=4, author="raj", now=NOW)
        app.tick()
        await settle(pilot)
        assert "INC-4" in [str(k.value) for k in app.screen.query_one("#incidents", DataTable).rows]


async def test_unopenable_database_ends_the_app_with_one_line(tmp_path, clock) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not a database at all" * 10)
    app = IncidentApp(db_target=str(bad), config=Config(user_name="tester"), clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in patience():
            if app.fatal_error:
                break
            await pilot.pause(0.02)
    assert app.fatal_error == f"{bad} is not a SQLite database"
    assert bad.read_bytes() == b"not a database at all" * 10


async def press_keys(pilot, *keys: str) -> None:
    await settle(pilot)
    for key in keys:
        await pilot.press(key)
        await pilot.pause()
    await settle(pilot)


@pytest.mark.parametrize("size", [(120, 36), (80, 24)], ids=["120x36", "80x24"])
class TestSnapshots:
    """Every screen with fixed data and a frozen clock, at both sizes."""

    def test_incident_list(self, snap_compare, db, clock, size) -> None:
        seed(db)
        assert snap_compare(make_app(db, clock), terminal_size=size, run_before=settle)

    def test_declare_form(self, snap_compare, db, clock, size) -> None:
        seed(db)
        assert snap_compare(
            make_app(db, clock), terminal_size=size, run_before=lambda p: press_keys(p, "n")
        )

    def test_war_room(self, snap_compare, db, clock, size) -> None:
        from incident_tui.cli.demo import seed_demo
        from incident_tui.ops import mark_present

        number = seed_demo(db, now=NOW)
        # Two others have the room open (the commander, and li on another screen); a
        # screen not heard from for 5 min is gone and must not show.
        for session, name, seen in (("s1", "mira", 0), ("s2", "li", 20), ("s3", "raj", 300)):
            mark_present(
                db,
                session_id=session,
                key=number,
                name=name,
                host="h",
                now=NOW - timedelta(seconds=seen),
            )
        assert snap_compare(
            make_app(db, clock, open_incident=number), terminal_size=size, run_before=settle
        )

    def test_war_room_connection_lost(self, snap_compare, db, clock, size) -> None:
        """The banner while the database cannot be followed; the line typed stays."""
        from incident_tui.app import LinkChanged

        seed(db)

        async def cut_off(pilot) -> None:
            await settle(pilot)
            pilot.app.post_message(
                LinkChanged(
                    "lost the database connection (server closed the connection unexpectedly)"
                )
            )
            await pilot.press(*"EU error rate back to 0.1%")
            await settle(pilot)

        assert snap_compare(
            make_app(db, clock, open_incident=2), terminal_size=size, run_before=cut_off
        )

    def test_war_room_hostile_text(self, snap_compare, db, clock, size) -> None:
        seed(db)
        assert snap_compare(
            make_app(db, clock, open_incident=2), terminal_size=size, run_before=settle
        )

    def test_composer(self, snap_compare, db, clock, size) -> None:
        from incident_tui.cli.demo import seed_demo

        number = seed_demo(db, now=NOW)
        app = make_app(db, clock, open_incident=number)
        assert snap_compare(app, terminal_size=size, run_before=lambda p: press_keys(p, "f5"))

    def test_help(self, snap_compare, db, clock, size) -> None:
        seed(db)
        app = make_app(db, clock, open_incident=2)
        assert snap_compare(app, terminal_size=size, run_before=lambda p: press_keys(p, "f1"))

    def test_phase_picker(self, snap_compare, db, clock, size) -> None:
        seed(db)
        app = make_app(db, clock, open_incident=2)
        assert snap_compare(app, terminal_size=size, run_before=lambda p: press_keys(p, "f2"))

    def test_edit_entry(self, snap_compare, db, clock, size) -> None:
        seed(db)
        app = make_app(db, clock, open_incident=2)
        assert snap_compare(
            app, terminal_size=size, run_before=lambda p: press_keys(p, "ctrl+t", "up", "f8")
        )

    def test_delete_confirmation(self, snap_compare, db, clock, size) -> None:
        seed(db)
        app = make_app(db, clock, open_incident=2)
        assert snap_compare(
            app, terminal_size=size, run_before=lambda p: press_keys(p, "ctrl+t", "up", "f9")
        )


def test_snapshot_too_small(snap_compare, db, clock) -> None:
    seed(db)
    assert snap_compare(
        make_app(db, clock, open_incident=2), terminal_size=(50, 15), run_before=settle
    )


async def test_open_with_an_unknown_key_ends_with_one_line(db, clock) -> None:
    seed(db)
    app = make_app(db, clock, open_incident=99)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in patience():
            if app.fatal_error:
                break
            await pilot.pause(0.02)
    assert app.fatal_error == "no incident INC-99"
