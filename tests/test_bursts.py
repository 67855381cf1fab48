"""Keys in a burst, as a terminal delivers them (pilot tests).

`pilot.press` waits for the app to go idle after every key, which hides every race a
real terminal exposes. Here the whole burst goes through the app's terminal parser and
into the app's queue in one synchronous step, with no pause between lines, the way a
laggy SSH link or type-ahead delivers it; then the database is counted.
"""

from __future__ import annotations

from textual.widgets import Input

from incident_tui.screens.composer import ComposerScreen
from incident_tui.store import queries
from incident_tui.widgets.paste_input import PasteSafeParser
from tests.conftest import patience
from tests.test_war_room import (
    declare_sev2,
    entries,
    make_app,
    ready,
    settled,
    shown_texts,
    status_text,
)


def burst(pilot, data: str) -> None:
    """Deliver `data` (text, "\\r" for Enter, bracketed pastes) in one go."""
    parser = PasteSafeParser()
    for event in parser.feed(data):
        pilot.app.post_message(event)


def typed(lines: list[str]) -> str:
    return "".join(line + "\r" for line in lines)


def logged_texts(db, number: int, prefix: str) -> list[str]:
    return [e.text for e in entries(db, number) if e.text.startswith(prefix)]


async def test_a_hundred_lines_in_one_burst_land_once_each_in_order(db, clock) -> None:
    number = declare_sev2(db)
    lines = [f"burst line {i:03d} checked shard {i}" for i in range(100)]
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        burst(pilot, typed(lines))
        await settled(pilot)
        assert logged_texts(db, number, "burst line") == lines
        assert [t for t in shown_texts(screen) if t.startswith("burst line")] == lines
        assert screen.query_one("#entry", Input).value == ""


async def test_slash_commands_in_a_burst_each_do_their_own_thing(db, clock) -> None:
    number = declare_sev2(db)
    lines = [
        "PagerDuty: search-api p99 over 2s",
        "checked recent deploys, nothing since 07:00",
        "/finding shard eu-3 rejects writes",
        "/phase identified",
        "/decision fail over eu-3 to the replica",
        "/timer 10m check the replica lag",
        "/pin",
        "/sev 1",
        "after the commands",
    ]
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        burst(pilot, typed(lines))
        await settled(pilot)
        detail = queries.incident_detail(db, number)
        # After the declaration, its commander and its checklist entry (seen):
        assert [(e.kind, e.text) for e in detail.timeline][3:] == [
            ("note", "PagerDuty: search-api p99 over 2s"),
            ("note", "checked recent deploys, nothing since 07:00"),
            ("finding", "shard eu-3 rejects writes"),
            ("status", "Phase triage → identified"),
            ("decision", "fail over eu-3 to the replica"),
            ("status", "Severity SEV2 → SEV1"),
            ("note", "after the commands"),
        ]
        assert [e.text for e in detail.timeline if e.pinned] == ["fail over eu-3 to the replica"]
        assert [t.label for t in detail.facts.timers] == ["check the replica lag"]
        assert detail.phase == "identified" and detail.severity == 1
        assert screen.query_one("#entry", Input).value == ""


async def test_a_mistyped_command_in_a_burst_is_set_aside_and_the_rest_lands(db, clock) -> None:
    number = declare_sev2(db)
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        burst(pilot, typed(["first note", "/phsae identified", "second note", "third note"]))
        await settled(pilot)
        mine = [e.text for e in entries(db, number) if e.author == "tom"]
        assert mine == ["first note", "second note", "third note"]
        assert queries.incident_detail(db, number).phase == "triage"
        entry = screen.query_one("#entry", Input)
        assert entry.value == ""
        assert "/phsae identified" in status_text(screen)
        assert screen.query_one("#entry-status").has_class("-error")
        await pilot.press("up", "up", "up")  # the history gives it back, typo and all
        assert entry.value == "/phsae identified"


async def test_a_mistyped_last_line_of_a_burst_stays_in_the_line(db, clock) -> None:
    number = declare_sev2(db)
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        burst(pilot, typed(["a note", "/phsae identified"]))
        await settled(pilot)
        assert screen.query_one("#entry", Input).value == "/phsae identified"
        assert "unknown command /phsae" in status_text(screen)
        assert [e.text for e in entries(db, number) if e.author == "tom"] == ["a note"]


async def test_lines_typed_while_the_war_room_opens_are_logged_in_order(db, clock) -> None:
    number = declare_sev2(db)
    lines = [f"early line {i}" for i in range(20)]
    app = make_app(db, clock, number)
    async with app.run_test(size=(120, 36)) as pilot:
        burst(pilot, typed(lines))  # before the incident is read
        screen = await ready(pilot)
        await settled(pilot, screen)
        assert logged_texts(db, number, "early line") == lines


async def test_a_paste_with_colour_codes_arrives_as_pasted(db, clock) -> None:
    number = declare_sev2(db)
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        burst(pilot, "log: \x1b[200~A \x1b[31mred\x1b[0m B\x1b[201~ seen\r")
        await settled(pilot)
        assert logged_texts(db, number, "log:") == ["log: A red B seen"]
        assert screen.query_one("#entry", Input).value == ""


async def test_a_paste_over_the_limit_is_refused_at_once_and_the_line_stays(db, clock) -> None:
    number = declare_sev2(db)
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        burst(pilot, "kept text \x1b[200~" + "x" * 2_000_000 + "\x1b[201~")
        await pilot.pause()
        await pilot.pause()
        entry = screen.query_one("#entry", Input)
        assert entry.value == "kept text "
        assert "not pasted" in status_text(screen) and "100,000" in status_text(screen)


async def test_keys_typed_as_the_composer_opens_go_into_the_composer(db, clock) -> None:
    number = declare_sev2(db)
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        burst(pilot, "/update internal\r")
        for _ in patience():
            if isinstance(pilot.app.screen, ComposerScreen):
                break
            await pilot.pause(0.01)
        assert isinstance(pilot.app.screen, ComposerScreen)


async def test_a_burst_after_a_refused_operation_keeps_every_line(db, clock) -> None:
    number = declare_sev2(db)
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        # mira holds the commander role already: the operation refuses, the rest goes on
        burst(pilot, typed(["before", "/role commander mira", "after one", "after two"]))
        await settled(pilot)
        mine = [e.text for e in entries(db, number) if e.author == "tom"]
        assert mine == ["before", "after one", "after two"]
        assert (
            "/role commander mira" in status_text(screen)
            or screen.query_one("#entry", Input).value == "/role commander mira"
        )


async def test_a_burst_while_the_database_is_full_waits_and_lands_in_order(
    db, clock, monkeypatch
) -> None:
    from incident_tui.domain.errors import StorageError

    number = declare_sev2(db)
    real_write = db.write
    refusals = []

    def full_for_a_while(work):
        if len(refusals) < 3:
            refusals.append(1)
            raise StorageError(f"cannot write to {db.path}: the disk is full or failing")
        return real_write(work)

    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        monkeypatch.setattr(db, "write", full_for_a_while)
        lines = [f"during the outage {i}" for i in range(10)]
        burst(pilot, typed(lines))
        await settled(pilot)
        assert refusals == [1, 1, 1]
        assert logged_texts(db, number, "during the outage") == lines


async def test_a_declare_form_typed_in_one_burst_fills_each_field(db, clock) -> None:
    from incident_tui.app import IncidentApp
    from incident_tui.config import Config
    from incident_tui.screens.war_room import WarRoomScreen

    app = IncidentApp(database=db, config=Config(user_name="mira"), clock=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in patience():
            if type(app.screen).__name__ == "IncidentListScreen" and app.database:
                break
            await pilot.pause(0.01)
        # n opens the form; the rest follows before it is even drawn.
        burst(pilot, "nCheckout failing\t1\t\t-10m\tcard payments return 502\r")
        for _ in patience():
            if isinstance(app.screen, WarRoomScreen):
                break
            await pilot.pause(0.01)
        await ready(pilot)
        detail = queries.incident_detail(db, 1)
        assert (detail.title, detail.severity, detail.roles, detail.summary) == (
            "Checkout failing",
            1,
            {"commander": "mira"},
            "card payments return 502",
        )


async def test_a_delete_confirmed_in_the_same_burst_goes_to_the_dialog(db, clock) -> None:
    number = declare_sev2(db)
    async with make_app(db, clock, number, user="mira").run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        burst(pilot, typed(["to be deleted"]))
        await settled(pilot)
        await pilot.press("ctrl+t", "end")
        assert screen.query_one("#timeline").selected_entry.text == "to be deleted"
        burst(pilot, "\x1b[20~y")  # F9, then y at once
        await settled(pilot)
        for _ in patience():
            if "to be deleted" not in [e.text for e in entries(db, number)]:
                break
            await pilot.pause(0.01)
        assert "to be deleted" not in [e.text for e in entries(db, number)]
        assert screen.query_one("#entry", Input).value == ""


async def test_an_edit_typed_in_a_burst_lands_in_the_fields_it_was_typed_for(db, clock) -> None:
    number = declare_sev2(db)
    async with make_app(db, clock, number, user="mira").run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        burst(pilot, typed(["indexer v2.41 deployed"]))
        await settled(pilot)
        # F8 edits the last entry; select its text, type the new one, Enter saves.
        burst(pilot, "\x1b[19~\x15indexer v2.14 deployed\r")
        for _ in patience():
            if "indexer v2.14 deployed" in shown_texts(screen):
                break
            await pilot.pause(0.01)
        assert "indexer v2.14 deployed" in [e.text for e in entries(db, number)]
        assert screen.query_one("#entry", Input).value == ""
