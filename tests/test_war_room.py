"""The war room as the scribe, the commander and the comms lead use it (pilot tests).

Every test runs on a real SQLite file with a frozen clock; what the screen shows is
checked against what the database holds.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from textual.widgets import Input, Static, TextArea

from incident_tui import ops
from incident_tui.app import IncidentApp
from incident_tui.config import Config
from incident_tui.domain.clock import FrozenClock
from incident_tui.domain.policy import deadlines
from incident_tui.screens.composer import ComposerScreen
from incident_tui.screens.dialogs import ConfirmScreen, EditEntryScreen, PickScreen
from incident_tui.screens.help import HelpScreen
from incident_tui.screens.too_small import TooSmallScreen
from incident_tui.screens.war_room import WarRoomScreen
from incident_tui.store import queries
from tests.conftest import FROZEN_AT, patience, table_dump

NOW = FROZEN_AT
HOSTILE = "[/] [bold]x[/bold] \x1b[2J\x1b]52;c;aGk=\x07 中文 שלום"


def declare_sev2(db) -> int:
    """Scenario 1 at 09:02: Mira declared a SEV2 at 08:50, impact from 08:45."""
    return ops.declare(
        db,
        title="Search results empty for EU users",
        severity=2,
        author="mira",
        now=NOW - timedelta(minutes=12),
        commander="mira",
        started_at=NOW - timedelta(minutes=17),
    )


def make_app(db, clock, number: int, user: str = "tom") -> IncidentApp:
    return IncidentApp(
        database=db, config=Config(user_name=user), clock=clock, open_incident=number
    )


async def ready(pilot) -> WarRoomScreen:
    for _ in patience():
        screen = pilot.app.screen
        if isinstance(screen, WarRoomScreen) and screen.detail is not None:
            await pilot.pause()
            return screen
        await pilot.pause(0.02)
    raise AssertionError("the war room never loaded")


async def type_line(pilot, text: str) -> None:
    entry = pilot.app.screen.query_one("#entry", Input)
    entry.value = text
    entry.cursor_position = len(text)
    await pilot.press("enter")
    await settled(pilot)


async def settled(pilot, screen=None) -> None:
    """Wait until every line taken is written (or refused), reported and drawn."""
    screen = screen or pilot.app.screen
    await pilot.pause()
    for _ in patience():
        if not isinstance(screen, WarRoomScreen) or screen.writes_settled:
            await pilot.pause()
            return
        await pilot.pause(0.01)
    raise AssertionError("the lines typed were never written")


def status_text(screen) -> str:
    return str(screen.query_one("#entry-status").render())


def shown_texts(screen) -> list[str]:
    return [e.text for e in screen.query_one("#timeline").timeline.entries]


def entries(db, number):
    return queries.incident_detail(db, number).timeline


# --- the scribe ---------------------------------------------------------------------------


async def test_scribe_types_a_note_and_it_is_committed_and_shown(db, clock) -> None:
    number = declare_sev2(db)
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        await pilot.press(*"checked recent deploys", "enter")
        await settled(pilot)
        stored = entries(db, number)[-1]
        assert (stored.kind, stored.author, stored.text) == (
            "note",
            "tom",
            "checked recent deploys",
        )
        assert shown_texts(screen)[-1] == "checked recent deploys"
        assert screen.query_one("#entry", Input).value == ""
        assert screen.query_one("#entry", Input).has_focus


async def test_scribe_backdates_an_entry(db, clock) -> None:
    number = declare_sev2(db)
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        await type_line(pilot, "08:45 EU search error rate rises to 30%")
        stored = next(e for e in entries(db, number) if e.text.startswith("EU search"))
        assert stored.occurred_at == NOW.replace(minute=45, hour=8)
        assert stored.recorded_at == NOW
        # It happened before the declaration, so it sits first on the timeline.
        assert shown_texts(screen)[0] == "EU search error rate rises to 30%"
        assert "backdated" in status_text(screen)


@pytest.mark.parametrize(
    ("line", "kind", "text"),
    [
        ("/decision roll back indexer to v2.13", "decision", "roll back indexer to v2.13"),
        (
            "/finding indexer v2.14 writes to the old shard map",
            "finding",
            "indexer v2.14 writes to the old shard map",
        ),
        ("/alert PagerDuty: search-eu 5xx > 25%", "alert", "PagerDuty: search-eu 5xx > 25%"),
        ("/action-taken rollback started", "action", "rollback started"),
    ],
)
async def test_kind_slash_commands_log_entries_of_that_kind(db, clock, line, kind, text) -> None:
    number = declare_sev2(db)
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        await type_line(pilot, line)
        stored = entries(db, number)[-1]
        assert (stored.kind, stored.text) == (kind, text)
        assert screen.query_one("#timeline").timeline.entries[-1].kind == kind


async def test_every_other_slash_command_does_its_operation(db, clock) -> None:
    number = declare_sev2(db)
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        await type_line(pilot, "found the bad deploy")
        await type_line(pilot, "/pin")
        assert entries(db, number)[-1].pinned
        await type_line(pilot, "/role scribe tom")
        await type_line(pilot, "/phase identified")
        await type_line(pilot, "/sev 1")
        await type_line(pilot, "/update internal Rolling back the indexer")
        await type_line(pilot, "/action Add shard-map compatibility test @tom due:+7d P1 prevent")
        await type_line(pilot, "/timer 10m check shard map")
        await type_line(pilot, "/snooze external 10")
        assert status_text(screen).startswith("Snoozed update:external 10 min")
        detail = queries.incident_detail(db, number)
        assert detail.roles["scribe"] == "tom"
        assert (detail.phase, detail.severity) == ("identified", 1)
        assert [(u.audience, u.text) for u in detail.updates] == [
            ("internal", "Rolling back the indexer")
        ]
        action = detail.actions[0]
        assert (action.description, action.owner, action.priority, action.type) == (
            "Add shard-map compatibility test",
            "tom",
            "P1",
            "prevent",
        )
        assert action.due_date == (NOW + timedelta(days=7)).date()
        names = [d.name for d in screen.deadlines]
        assert "timer:check shard map" in names
        assert screen.query_one("#entry", Input).value == ""
        # The panes show it all without a keystroke.
        assert "tom" in str(screen.query_one("#roles").render())
        assert "Rolling back the indexer" in str(screen.query_one("#updates").render())
        assert "timer: check shard map" in str(screen.query_one("#countdowns").render())


async def test_a_mistyped_command_keeps_its_text_and_changes_nothing(db, clock, db_path) -> None:
    number = declare_sev2(db)
    before = table_dump(db_path)
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        await type_line(pilot, "/phsae identified")
        assert screen.query_one("#entry", Input).value == "/phsae identified"
        assert (
            status_text(screen)
            == "unknown command /phsae — did you mean /phase? (/help lists them)"
        )
        assert screen.query_one("#entry-status").has_class("-error")
        await type_line(pilot, "/role commander mira")  # already hers: refused by the operation
        assert screen.query_one("#entry", Input).value == "/role commander mira"
        assert status_text(screen) == "mira already holds commander"
    assert table_dump(db_path) == before


async def test_a_failed_write_keeps_the_line(db, clock, db_path) -> None:
    number = declare_sev2(db)
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        os.chmod(db_path, 0o400)
        try:
            await type_line(pilot, "this must not be lost")
        finally:
            os.chmod(db_path, 0o600)
        if os.geteuid() == 0:  # root writes to read-only files: nothing to test here
            pytest.skip("running as root")
        assert screen.query_one("#entry", Input).value == "this must not be lost"
        assert "read-only" in status_text(screen)


async def test_a_full_disk_keeps_the_line_and_says_why(db, clock, monkeypatch) -> None:
    from incident_tui.domain.errors import StorageError

    number = declare_sev2(db)
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        shown = len(shown_texts(screen))

        def full(work):
            raise StorageError(f"cannot write to {db.path}: the disk is full or failing")

        monkeypatch.setattr(db, "write", full)
        await type_line(pilot, "this must not be lost either")
        assert screen.query_one("#entry", Input).value == "this must not be lost either"
        assert status_text(screen).endswith("the disk is full or failing")
        assert len(shown_texts(screen)) == shown
        monkeypatch.undo()
        await pilot.press("enter")
        await settled(pilot)
        assert entries(db, number)[-1].text == "this must not be lost either"


async def test_tab_completes_and_up_recalls(db, clock) -> None:
    number = declare_sev2(db)
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        entry = screen.query_one("#entry", Input)
        await pilot.press(*"/ph", "tab", *"mon", "tab")
        assert entry.value == "/phase monitoring "
        await pilot.press("ctrl+u", *"/update ex", "tab")
        assert entry.value == "/update ex"
        assert "external" in status_text(screen) and "executive" in status_text(screen)
        await pilot.press("ctrl+u")
        await type_line(pilot, "first line")
        await type_line(pilot, "second line")
        await pilot.press("up")
        assert entry.value == "second line"
        await pilot.press("up")
        assert entry.value == "first line"
        await pilot.press("down", "down")
        assert entry.value == ""


# --- the commander ------------------------------------------------------------------------


async def test_commander_hands_over_and_both_holdings_are_kept(db, clock) -> None:
    number = declare_sev2(db)
    async with make_app(db, clock, number, user="mira").run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        await pilot.press("f4")
        assert screen.query_one("#entry", Input).value == "/role "
        await pilot.press(*"commander raj", "enter")
        await settled(pilot)
        roles = str(screen.query_one("#roles").render())
        assert "commander  raj ← mira" in roles
        holdings = [
            (h.holder, h.ended_at is None) for h in queries.incident_detail(db, number).holdings
        ]
        assert holdings == [("mira", False), ("raj", True)]
        assert shown_texts(screen)[-1] == "raj is commander, taking over from mira"


async def test_a_vacant_core_role_stands_out(db, clock) -> None:
    number = declare_sev2(db)
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        roles = screen.query_one("#roles").render()
        assert str(roles).count("vacant") == 3  # tech lead, comms, scribe


async def test_commander_changes_phase_and_severity_by_keys(db, clock) -> None:
    number = declare_sev2(db)
    async with make_app(db, clock, number, user="mira").run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        due = {d.name: d.due_at for d in screen.deadlines}
        assert due["update:internal"] == NOW + timedelta(minutes=18)  # 08:50 + 30 min
        assert due["update:external"] == NOW + timedelta(minutes=48)
        assert "escalate" not in due

        await pilot.press("f3")
        assert isinstance(pilot.app.screen, PickScreen)
        await pilot.press("up", "enter")  # from SEV2 to SEV1
        await settled(pilot)
        assert queries.incident_detail(db, number).severity == 1
        due = {d.name: d.due_at for d in screen.deadlines}
        # Internal stays due 09:20 (earlier than 09:02 + 15 min); the others move to 09:32.
        assert due["update:internal"] == NOW + timedelta(minutes=15)
        assert due["update:external"] == NOW + timedelta(minutes=30)
        assert due["escalate"] == NOW - timedelta(minutes=12) + timedelta(minutes=30)
        assert "SEV1" in str(screen.query_one("#heading").render())

        await pilot.press("f2")
        await pilot.press("down", "down", "enter")  # triage → identified
        await settled(pilot)
        detail = queries.incident_detail(db, number)
        assert detail.phase == "identified"
        assert detail.milestones["acknowledged_at"] == NOW
        assert "IDENTIFIED" in str(screen.query_one("#heading").render())


async def test_commander_pins_edits_and_deletes_an_entry_and_history_is_kept(db, clock) -> None:
    number = declare_sev2(db)
    async with make_app(db, clock, number, user="mira").run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        await type_line(pilot, "indexer v2.41 deployed")
        await pilot.press("f7")
        await pilot.pause()
        assert entries(db, number)[-1].pinned
        await pilot.press("f8")
        dialog = pilot.app.screen
        assert isinstance(dialog, EditEntryScreen)
        text = dialog.query_one("#edit-text", Input)
        text.value = "indexer v2.14 deployed"
        dialog.query_one("#edit-time", Input).value = "08:40"
        await pilot.press("enter")
        await pilot.pause()
        assert pilot.app.screen is screen
        edited = next(e for e in entries(db, number) if e.text == "indexer v2.14 deployed")
        assert edited.occurred_at == NOW.replace(hour=8, minute=40) and edited.version == 3
        assert shown_texts(screen)[0] == "indexer v2.14 deployed"

        await pilot.press("ctrl+t", "home")
        assert screen.query_one("#timeline").selected_entry.id == edited.id
        await pilot.press("f9")
        assert isinstance(pilot.app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert "indexer v2.14 deployed" not in [e.text for e in entries(db, number)]
        assert "indexer v2.14 deployed" not in shown_texts(screen)
        import sqlite3

        conn = sqlite3.connect(db.path)
        revisions = conn.execute(
            "SELECT change, text FROM entry_revision WHERE entry_id = ? ORDER BY id", (edited.id,)
        ).fetchall()
        conn.close()
        assert revisions == [
            ("pin", "indexer v2.41 deployed"),
            ("edit", "indexer v2.41 deployed"),
            ("delete", "indexer v2.14 deployed"),
        ]


async def test_an_edit_with_a_bad_time_keeps_the_dialog_and_the_text(db, clock) -> None:
    number = declare_sev2(db)
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await type_line(pilot, "original")
        await pilot.press("f8")
        dialog = pilot.app.screen
        dialog.query_one("#edit-text", Input).value = "changed"
        dialog.query_one("#edit-time", Input).value = "25:99"
        await pilot.press("enter")
        await pilot.pause()
        assert pilot.app.screen is dialog
        assert "not a time of day" in str(dialog.query_one("#edit-error").render())
        assert dialog.query_one("#edit-text", Input).value == "changed"
        assert entries(db, number)[-1].text == "original"


async def test_every_action_is_in_the_palette_and_bindings_have_ids_and_tooltips(db, clock) -> None:
    number = declare_sev2(db)
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        titles = [c.title for c in pilot.app.get_system_commands(screen)]
        for title in (
            "Change phase…",
            "Change severity…",
            "Hand over a role…",
            "Status update: external",
            "Phase → monitoring",
            "Severity → SEV1",
            "Toggle UTC / local time",
            "Help",
        ):
            assert title in titles
        for binding in WarRoomScreen.BINDINGS:
            assert binding.id and binding.tooltip, binding
        # Nothing to delete until an entry is selected in the timeline: greyed out.
        assert screen.check_action("delete_entry", ()) is None
        await pilot.press("ctrl+t")
        assert screen.check_action("delete_entry", ()) is True


async def test_help_lists_keys_and_slash_commands(db, clock) -> None:
    number = declare_sev2(db)
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await type_line(pilot, "/help")
        assert isinstance(pilot.app.screen, HelpScreen)
        shown = pilot.app.screen.query_one("#help").query_one("Static")._render()
        text = str(shown)
        await pilot.press("escape")
        assert isinstance(pilot.app.screen, WarRoomScreen)
    assert text  # rendered without error


async def test_toggle_between_utc_and_local_time(db, clock, monkeypatch) -> None:
    from zoneinfo import ZoneInfo

    number = declare_sev2(db)
    config = Config(user_name="tom", display_tz=ZoneInfo("Europe/Berlin"))
    app = IncidentApp(database=db, config=config, clock=clock, open_incident=number)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        assert "09:02:00Z" in str(screen.query_one("#heading").render())
        await pilot.press("f6")
        assert "10:02:00" in str(screen.query_one("#heading").render())


# --- countdowns ---------------------------------------------------------------------------


def countdown_row(pane, title: str):
    return next(line for line in pane.render().split("\n") if title in line.plain)


def backgrounds(row) -> set[str]:
    return {span.style.background.hex for span in row.spans if span.style.background}


async def test_countdown_warns_then_turns_overdue_rings_once_and_notifies(db) -> None:
    clock = FrozenClock(NOW)
    number = declare_sev2(db)  # internal update due 09:20
    app = make_app(db, clock, number)
    bells = []
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        app.bell = lambda: bells.append(clock.now())  # type: ignore[method-assign]
        screen = await ready(pilot)
        pane = screen.query_one("#countdowns")
        clock.set(NOW + timedelta(minutes=16, seconds=30))  # 1:30 left
        app.tick()
        await pilot.pause()
        row = countdown_row(pane, "internal update")
        assert "1:30" in row.plain and backgrounds(row) == {"#FBC02D"}  # the warning style
        assert bells == []
        clock.set(NOW + timedelta(minutes=18, seconds=5))  # 5 s overdue
        app.tick()
        await pilot.pause()
        row = countdown_row(pane, "internal update")
        assert "+0:05 overdue" in row.plain and backgrounds(row) == {"#C62828"}  # the error style
        assert len(bells) == 1
        # The acknowledge SLA (08:50 + 30 min) falls due at the same moment: one bell, one
        # line on the status line, in red — and no toast over the timeline.
        status = screen.query_one("#entry-status")
        assert str(status.render()) == "Overdue: acknowledge SLA, internal update"
        assert status.has_class("-error")
        assert list(app._notifications) == []
        clock.advance(seconds=1)
        app.tick()
        await pilot.pause()
        assert len(bells) == 1  # once, not every second
        assert "+0:06 overdue" in str(pane.render())


async def test_snoozing_a_countdown_moves_it_and_logs_it(db) -> None:
    clock = FrozenClock(NOW + timedelta(minutes=19))  # internal update 1 min overdue
    number = declare_sev2(db)
    async with make_app(db, clock, number, user="ana").run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        await pilot.press("ctrl+o")
        assert screen.query_one("#countdowns").has_focus
        # First the acknowledge SLA, due at the same time; then the internal update.
        await pilot.press("down", "z")
        assert isinstance(pilot.app.screen, PickScreen)
        await pilot.press("enter")  # 5 minutes
        await settled(pilot)
        due = {d.name: d.due_at for d in screen.deadlines}
        assert due["update:internal"] == clock.now() + timedelta(minutes=5)
        assert shown_texts(screen)[-1].startswith("Snoozed update:internal 5 min")
        assert entries(db, number)[-1].author == "ana"


async def test_an_ad_hoc_timer_rings_at_zero(db) -> None:
    clock = FrozenClock(NOW)
    number = declare_sev2(db)
    app = make_app(db, clock, number)
    bells = []
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
        await ready(pilot)
        await type_line(pilot, "/timer 10m check shard map after rollback")
        clock.advance(minutes=10)
        app.tick()
        await pilot.pause()
        assert bells == [1]
        status = str(pilot.app.screen.query_one("#entry-status").render())
        assert "timer: check shard map after rollback" in status


# --- the composer -------------------------------------------------------------------------


async def test_composer_drafts_posts_and_restarts_the_countdown(db, clock) -> None:
    number = declare_sev2(db)
    ops.log_entry(
        db, key=number, text="indexer v2.14 is the cause", author="li", now=NOW, kind="finding"
    )
    async with make_app(db, clock, number, user="ana").run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        await type_line(pilot, "/update external")
        composer = pilot.app.screen
        assert isinstance(composer, ComposerScreen) and composer.audience == "external"
        draft = composer.query_one("#update-text", TextArea).text
        assert draft.startswith("Status: Investigating") and "commander" not in draft
        assert "indexer v2.14 is the cause" in str(composer.query_one("#since-entries").render())
        await pilot.press("f3")
        assert pilot.app.clipboard == draft + "\n"
        await pilot.press("f4")
        # The status page's audience: no severity, no internal title in its SMS form.
        assert len(pilot.app.clipboard) <= 160 and pilot.app.clipboard.startswith(
            f"INC-{number} investigating. Next update"
        )
        await pilot.press("f2")
        assert pilot.app.clipboard.startswith(f"[INC-{number} SEV2 triage] Search results")
        composer.query_one("#update-text", TextArea).load_text(
            "Some EU customers see empty search results."
        )
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert pilot.app.screen is screen
        detail = queries.incident_detail(db, number)
        assert [(u.audience, u.author, u.text) for u in detail.updates] == [
            ("external", "ana", "Some EU customers see empty search results.")
        ]
        # The comm entry, then the checklist's "first update posted", logged once.
        assert [e.kind for e in detail.timeline][-2:] == ["comm", "status"]
        assert detail.timeline[-1].text == "✓ Checklist, seen: first update posted"
        due = {d.name: d.due_at for d in screen.deadlines}
        assert due["update:external"] == NOW + timedelta(hours=1)


async def test_composer_keeps_an_unposted_draft(db, clock) -> None:
    number = declare_sev2(db)
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("f5")
        composer = pilot.app.screen
        assert composer.audience == "internal"  # the one due soonest
        composer.query_one("#update-text", TextArea).load_text("half-written update")
        await pilot.press("escape")
        await pilot.press("f5")
        assert pilot.app.screen.query_one("#update-text", TextArea).text == "half-written update"
        assert queries.incident_detail(db, number).updates == []


# --- live from the database ---------------------------------------------------------------


async def test_a_change_from_another_process_appears_within_a_second(db, clock, db_path) -> None:
    number = declare_sev2(db)
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        env = {**os.environ, "INCIDENT_TUI_DB": str(db_path), "INCIDENT_TUI_NOW": NOW.isoformat()}
        for args in (
            ["log", f"INC-{number}", "from another terminal", "--author", "raj"],
            ["role", f"INC-{number}", "comms", "ana"],
        ):
            subprocess.run(
                [sys.executable, "-m", "incident_tui", *args],
                env=env,
                check=True,
                capture_output=True,
            )
        for _ in patience():  # the app's own 1 s tick finds it
            if "from another terminal" in shown_texts(screen) and "ana" in str(
                screen.query_one("#roles").render()
            ):
                break
            await pilot.pause(0.05)
        else:
            raise AssertionError("the other process's changes never appeared")


async def test_no_read_happens_while_nothing_changes(db, clock, monkeypatch) -> None:
    import incident_tui.store.timeline_reads as q

    number = declare_sev2(db)
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        reads = []
        for name in ("read_incident", "read_timeline_changes"):  # the whole, or what is new
            real = getattr(q, name)
            monkeypatch.setattr(q, name, lambda *a, _r=real, **k: reads.append(1) or _r(*a, **k))
        for _ in range(5):
            pilot.app.tick()
            await pilot.pause()
        assert reads == []
        ops.log_entry(db, key=number, text="x", author="raj", now=NOW)
        pilot.app.tick()
        await pilot.pause()
        assert reads == [1]


# --- hostile text and small terminals -----------------------------------------------------


async def test_hostile_text_is_shown_literally_in_every_pane(db, clock) -> None:
    number = ops.declare(
        db,
        title="Checkout " + HOSTILE,
        severity=1,
        author="mira",
        now=NOW - timedelta(minutes=5),
        commander="x" + HOSTILE,
    )
    ops.post_update(db, key=number, audience="internal", text=HOSTILE, author=HOSTILE, now=NOW)
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        await type_line(pilot, HOSTILE)
        await type_line(pilot, "y" * 10_000)
        await type_line(pilot, "/role sme:db [b]z[/]")
        assert pilot.app.screen is screen
        for pane in ("#heading", "#roles", "#updates"):
            shown = str(screen.query_one(pane).render())
            assert "\x1b" not in shown
        assert "[/] [bold]x[/bold]" in str(screen.query_one("#updates").render())
        assert "[b]z[/]" in str(screen.query_one("#roles").render())
        strips = [screen.query_one("#timeline").render_line(y) for y in range(30)]
        drawn = "\n".join(s.text for s in strips)
        assert "[/] [bold]x[/bold]" in drawn and "\x1b" not in drawn and "中文" in drawn
        assert all(s.cell_length == strips[0].cell_length for s in strips)
        assert entries(db, number)[-3].text == "[/] [bold]x[/bold]  中文 שלום"


async def test_too_small_shows_a_message_and_growing_back_loses_nothing(db, clock) -> None:
    number = declare_sev2(db)
    async with make_app(db, clock, number).run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        await pilot.press(*"half typed")
        await pilot.resize_terminal(50, 15)
        await pilot.pause()
        assert isinstance(pilot.app.screen, TooSmallScreen)
        await pilot.resize_terminal(120, 36)
        await pilot.pause()
        assert pilot.app.screen is screen
        assert screen.query_one("#entry", Input).value == "half typed"
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert pilot.app.screen is screen


async def test_escape_leaves_only_with_an_empty_entry_line(db, clock) -> None:
    number = declare_sev2(db)
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        await pilot.press(*"unsent", "escape")
        assert pilot.app.screen is screen and "holds text" in status_text(screen)
        await pilot.press("ctrl+u", "escape")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, WarRoomScreen)


def test_deadlines_on_screen_match_the_policy(db) -> None:
    number = declare_sev2(db)
    detail = queries.incident_detail(db, number)
    assert [d.name for d in deadlines(detail.facts)][0] == "acknowledge"


async def test_typing_while_the_timeline_has_focus_goes_to_the_entry_line(db, clock) -> None:
    number = declare_sev2(db)
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        await type_line(pilot, "to be deleted")
        await pilot.press("ctrl+t", "end", "f9", "y")
        await pilot.pause()
        await pilot.press(*"rollback started", "enter")
        await settled(pilot)
        assert entries(db, number)[-1].text == "rollback started"
        assert screen.query_one("#entry", Input).has_focus
        await pilot.press("ctrl+t")  # from the timeline itself: no key is lost
        await pilot.pause()
        await pilot.press(*"shard map restored", "enter")
        await settled(pilot)
        assert entries(db, number)[-1].text == "shard map restored"


async def test_a_multi_line_paste_keeps_every_line_and_no_escape(db, clock) -> None:
    from textual import events

    number = declare_sev2(db)
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        entry = screen.query_one("#entry", Input)
        entry.post_message(
            events.Paste("ERR \x1b[31mred\x1b[0m [red]z[/red]\nsecond line\r\nthird")
        )
        await pilot.pause()
        assert entry.value == "ERR red [red]z[/red] second line third"


async def test_keys_typed_while_too_small_reach_the_entry_line(db, clock) -> None:
    number = declare_sev2(db)
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        await pilot.press(*"half")
        await pilot.resize_terminal(50, 15)
        await pilot.pause()
        await pilot.press(*" typed", "enter")
        await pilot.resize_terminal(120, 36)
        await pilot.pause()
        assert pilot.app.screen is screen
        assert entries(db, number)[-1].text == "half typed"


async def test_impact_stops_counting_once_mitigated(db, clock) -> None:
    number = declare_sev2(db)  # impact began 08:45
    ops.set_phase(db, key=number, phase="monitoring", author="mira", now=NOW - timedelta(minutes=2))
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        assert "impact lasted 15 min" in str(screen.query_one("#heading").render())


async def test_a_handover_shows_who_held_the_role_before(db, clock) -> None:
    number = declare_sev2(db)
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        await type_line(pilot, "/role commander raj")
        roles = str(screen.query_one("#roles").render())
        assert "raj ← mira" in roles


async def test_editing_only_the_text_keeps_the_entry_in_place(db, clock) -> None:
    number = declare_sev2(db)
    at = NOW - timedelta(minutes=3, microseconds=-250_000)  # 08:59:00.25
    ops.log_entry(db, key=number, text="alert first", author="tom", now=NOW, at=at, kind="alert")
    ops.log_entry(
        db,
        key=number,
        text="note second",
        author="tom",
        now=NOW,
        at=at + timedelta(milliseconds=500),
    )
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("f8")  # the last one logged: "note second"
        dialog = pilot.app.screen
        dialog.query_one("#edit-text", Input).value = "note second, edited"
        await pilot.press("enter")
        await pilot.pause()
    texts = [e.text for e in entries(db, number)]
    assert texts.index("alert first") < texts.index("note second, edited")


async def test_an_observer_typing_is_told_nothing_is_written(db, clock) -> None:
    """Keys typed in observer mode (the entry line is disabled) are refused on screen,
    not silently dropped: `incident-tui web`'s browser users see why nothing appears."""
    number = declare_sev2(db)
    app = IncidentApp(database=db, clock=clock, open_incident=number, read_only=True)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        await pilot.press(*"hello")
        await pilot.pause()
        status = screen.query_one("#entry-status", Static)
        assert "read-only: an observer's view, nothing typed is written" in str(status.render())
        assert status.has_class("-error")


async def test_an_observer_sees_it_live_and_can_write_nothing(db, clock, db_path) -> None:
    from incident_tui.cli import build_parser
    from tests.conftest import table_dump

    assert build_parser().parse_args(["open", "INC-1", "--read-only"]).read_only is True
    number = declare_sev2(db)
    app = IncidentApp(
        database=db,
        config=Config(user_name="exec"),
        clock=clock,
        open_incident=number,
        read_only=True,
    )
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        entry = screen.query_one("#entry", Input)
        assert entry.disabled
        for action in (
            "pick_phase",
            "pick_severity",
            "hand_over",
            "compose_update",
            "pin",
            "edit_entry",
            "postmortem",
        ):
            assert screen.check_action(action, ()) is None, action  # greyed out in the footer
        titles = [c.title for c in app.get_system_commands(screen)]
        assert "Change phase…" not in titles and "Toggle UTC / local time" in titles
        before = table_dump(db_path)
        await pilot.press("f2", "f3", "f5", "f7", "f8", "f10", *"typed", "enter", "ctrl+o", "z")
        await pilot.pause()
        assert isinstance(pilot.app.screen, WarRoomScreen)
        assert table_dump(db_path) == before
        ops.log_entry(db, key=number, text="the commander writes", author="mira", now=NOW)
        app.tick()
        await pilot.pause()
        assert shown_texts(screen)[-1] == "the commander writes"
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, WarRoomScreen)


WRITER = """
import sys
from datetime import datetime, timezone
from incident_tui import ops
from incident_tui.store.database import open_database
db = open_database(sys.argv[1])
for i in range(int(sys.argv[3])):
    ops.log_entry(db, key=1, text=f"{sys.argv[2]}-{i}", author=sys.argv[2],
                  now=datetime.now(timezone.utc))
db.dispose()
"""


async def test_four_writers_while_the_war_room_is_open(db, db_path, tmp_path) -> None:
    """4 processes × 1,000 entries on one SQLite file while a screen is open: every entry
    is stored once and shown once, in order, and no error reaches anyone."""
    from incident_tui.domain.clock import SystemClock

    ops.declare(db, title="Busy", severity=1, author="mira", now=NOW)
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    app = IncidentApp(
        database=db, config=Config(user_name="tom"), clock=SystemClock(), open_incident=1
    )
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        writers = [
            subprocess.Popen(
                [sys.executable, str(script), str(db_path), f"w{n}", "1000"], stderr=subprocess.PIPE
            )
            for n in range(4)
        ]
        await type_line(pilot, "the scribe types meanwhile")
        for writer in writers:
            while writer.poll() is None:
                await pilot.pause(0.1)
            assert writer.returncode == 0, writer.stderr.read().decode()
        for _ in patience():
            if len(shown_texts(screen)) >= 4002:
                break
            await pilot.pause(0.1)
        shown = screen.query_one("#timeline").timeline.entries
        stored = entries(db, 1)
        assert [e.id for e in shown] == [e.id for e in stored]  # each once, same order
        texts = [e.text for e in shown]
        for n in range(4):
            mine = [t for t in texts if t.startswith(f"w{n}-")]
            assert mine == [f"w{n}-{i}" for i in range(1000)]
        assert "the scribe types meanwhile" in texts
        # No error reached the scribe (the deadlines of an incident declared at NOW, long
        # past, may be announced overdue there: that is not about anyone's line).
        status = screen.query_one("#entry-status")
        said = str(status.render())
        assert not status.has_class("-error") or said.startswith("Overdue: "), said
