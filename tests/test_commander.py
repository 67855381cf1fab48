"""The commander's screen after an hour of real use: timers that rang, snoozes, edits and
deletes, the panes at a glance (pilot tests on a real SQLite file, a frozen clock)."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from incident_tui import ops
from incident_tui.domain.clock import FrozenClock
from incident_tui.domain.entry_syntax import StopTimer, parse_line
from incident_tui.domain.errors import IncidentError
from incident_tui.domain.policy import deadlines
from incident_tui.store import queries
from tests.conftest import FROZEN_AT
from tests.test_war_room import declare_sev2, entries, make_app, ready, type_line

NOW = FROZEN_AT


def due(db, number: int) -> dict[str, object]:
    return {d.name: d.due_at for d in deadlines(queries.incident_detail(db, number).facts)}


# --- timers and snoozes -----------------------------------------------------------------


def test_timer_done_parses_its_label() -> None:
    done = parse_line("/timer done check shard map", now=NOW, tz=UTC)
    assert done == StopTimer("check shard map")
    assert parse_line("/timer done timer:rollback", now=NOW, tz=UTC) == StopTimer("rollback")
    with pytest.raises(IncidentError, match="usage: /timer done LABEL"):
        parse_line("/timer done", now=NOW, tz=UTC)


async def test_a_rung_timer_is_dismissed_with_d_in_the_countdowns_and_logged(db) -> None:
    clock = FrozenClock(NOW)
    number = declare_sev2(db)
    async with make_app(db, clock, number, user="mira").run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        await type_line(pilot, "/timer 10m check shard map after rollback")
        clock.advance(minutes=12)
        pilot.app.tick()
        await pilot.pause()
        names = [d.name for d in screen.deadlines]
        assert names[0] == "timer:check shard map after rollback"  # rang: at the top
        await pilot.press("ctrl+o")
        pane = screen.query_one("#countdowns")
        assert pane.has_focus and pane.selected.name == names[0]
        await pilot.press("d")
        await pilot.pause()
        assert "timer:check shard map after rollback" not in [d.name for d in screen.deadlines]
        assert "timer:check shard map after rollback" not in due(db, number)
        last = entries(db, number)[-1]
        assert (last.kind, last.author) == ("status", "mira")
        assert last.text == "Timer done: check shard map after rollback (it had rung)"


async def test_d_does_nothing_on_a_countdown_that_is_not_a_timer(db, clock) -> None:
    number = declare_sev2(db)
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        before = len(entries(db, number))
        await pilot.press("ctrl+o", "d")
        await pilot.pause()
        assert len(entries(db, number)) == before
        assert screen.query_one("#entry").value == ""  # not typed into the entry line


async def test_timer_done_from_the_entry_line(db, clock) -> None:
    number = declare_sev2(db)
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        await type_line(pilot, "/timer 10m rollback")
        await type_line(pilot, "/timer done rollback")
        assert "timer:rollback" not in [d.name for d in screen.deadlines]
        assert entries(db, number)[-1].text == "Timer done: rollback (before it rang)"
        await type_line(pilot, "/timer done rollback")
        status = screen.query_one("#entry-status")
        assert status.has_class("-error") and "no running timer 'rollback'" in str(status.render())
        assert screen.query_one("#entry").value == "/timer done rollback"  # kept


def test_posting_an_update_ends_that_audiences_snooze(db) -> None:
    """Snoozed 5 min before it was due, then posted: one cadence after the post."""
    number = declare_sev2(db)  # internal due 09:20 (SEV2: 30 min after 08:50)
    internal_due = due(db, number)["update:internal"]
    ops.snooze_deadline(
        db,
        key=number,
        deadline="update:internal",
        due_at=internal_due,
        minutes=15,
        author="ana",
        now=NOW,
    )
    ops.snooze_deadline(
        db,
        key=number,
        deadline="update:external",
        due_at=due(db, number)["update:external"],
        minutes=15,
        author="ana",
        now=NOW,
    )
    assert due(db, number)["update:internal"] == internal_due + timedelta(minutes=15)
    posted = NOW + timedelta(minutes=1)
    ops.post_update(db, key=number, audience="internal", text="looking", author="ana", now=posted)
    after = due(db, number)
    assert after["update:internal"] == posted + timedelta(minutes=30)
    # Another audience's snooze still holds.
    assert after["update:external"] > NOW + timedelta(minutes=60)


# --- edit and delete stay on target ------------------------------------------------------


def selected(screen):
    return screen.query_one("#timeline").selected_entry


async def test_after_a_delete_the_selection_moves_to_a_neighbour_and_f9_goes_on(db, clock) -> None:
    from incident_tui.screens.dialogs import ConfirmScreen

    number = declare_sev2(db)
    for text in ("first", "second", "third"):
        ops.log_entry(db, key=number, text=text, author="tom", now=NOW)
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        await pilot.press("ctrl+t", "up")
        assert selected(screen).text == "second"
        await pilot.press("f9")
        assert isinstance(pilot.app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert pilot.app.screen is screen and screen.query_one("#timeline").has_focus
        assert selected(screen).text == "third"  # the neighbour that took its place
        await pilot.press("f9")
        assert isinstance(pilot.app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert [e.text for e in entries(db, number)][-1] == "first"
        assert selected(screen).text == "first"
        assert screen.query_one("#entry").value == ""  # no "y" typed into the line


async def test_f8_edits_the_selected_entry_again_while_others_write(db, clock) -> None:
    from textual.widgets import Input

    from incident_tui.screens.dialogs import EditEntryScreen

    number = declare_sev2(db)
    ops.log_entry(db, key=number, text="EU error rate 30%", author="tom", now=NOW)
    ops.log_entry(db, key=number, text="checked deploys", author="tom", now=NOW)
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        await pilot.press("ctrl+t", "up")
        target = selected(screen)
        assert target.text == "EU error rate 30%"
        await pilot.press("f8")
        assert pilot.app.screen.entry.id == target.id
        await pilot.press("escape")
        # Meanwhile the commander moves the phase: a system entry becomes the newest.
        ops.set_phase(db, key=number, phase="investigating", author="mira", now=NOW)
        pilot.app.tick()
        await pilot.pause()
        await pilot.press("f8")
        dialog = pilot.app.screen
        assert isinstance(dialog, EditEntryScreen) and dialog.entry.id == target.id
        dialog.query_one("#edit-text", Input).value = "EU error rate 35%"
        await pilot.press("enter")
        await pilot.pause()
        assert selected(screen).id == target.id
        texts = [e.text for e in entries(db, number)]
        assert "EU error rate 35%" in texts and "checked deploys" in texts


async def test_system_entries_are_records_pinnable_but_not_editable(db, clock) -> None:
    number = declare_sev2(db)
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        await pilot.press("ctrl+t", "home")
        record = selected(screen)
        assert record.kind == "status"
        for key in ("f8", "f9"):
            await pilot.press(key)
            await pilot.pause()
            assert pilot.app.screen is screen
            status = screen.query_one("#entry-status")
            assert status.has_class("-error") and "the system wrote" in str(status.render())
        await pilot.press("f7")
        await pilot.pause()
        assert entries(db, number)[0].pinned and entries(db, number)[0].text == record.text


def test_the_operations_keep_a_system_records_words(db) -> None:
    number = declare_sev2(db)
    record = entries(db, number)[0]
    with pytest.raises(IncidentError, match="records a status change; its text stays"):
        ops.edit_entry(db, key=number, entry_id=record.id, text="x", author="tom", now=NOW)
    with pytest.raises(IncidentError, match="records a status change; it stays"):
        ops.delete_entry(db, key=number, entry_id=record.id, author="tom", now=NOW)
    assert entries(db, number)[0] == record


# --- the glance: text first, nothing covered, every role, the next deadline -------------

SIZES = [(120, 36), (80, 24)]
LONG = (
    "EU search error rate rises to 30% after indexer v2.14 rolled out to the eu-west "
    "shard group; the on-call sees empty result pages for queries in German and French, "
    "and the checkout product lookup starts timing out for the same users"
)


def long_incident(db) -> int:
    """A SEV1 an hour in: long entries, a handover, an overdue update, a rung timer."""
    t = NOW - timedelta(minutes=42)
    number = ops.declare(
        db,
        title="Search results empty for EU users and checkout failing in Europe",
        severity=1,
        author="mira",
        now=t,
        commander="mira",
        started_at=t - timedelta(minutes=7),
    )
    ops.set_phase(db, key=number, phase="investigating", author="mira", now=t)
    for role, holder in (("tech_lead", "li"), ("comms", "ana"), ("scribe", "tom")):
        ops.hand_over_role(db, key=number, role=role, holder=holder, author="mira", now=t)
    ops.log_entry(db, key=number, text=LONG, author="tom", now=t, at=t - timedelta(minutes=6))
    ops.log_entry(
        db,
        key=number,
        text="PagerDuty: search-eu 5xx above 25% for 5 minutes (runbook: search/eu-5xx)",
        author="tom",
        now=t + timedelta(minutes=1),
        kind="alert",
    )
    ops.start_timer(
        db,
        key=number,
        duration=timedelta(minutes=10),
        label="check shard map after rollback",
        author="li",
        now=t + timedelta(minutes=20),
    )
    ops.log_entry(
        db,
        key=number,
        text="Decision: roll back indexer-eu to v2.13 and keep US on v2.14 until the shard "
        "map compatibility check has run against a copy of production data",
        author="mira",
        now=t + timedelta(minutes=25),
        kind="decision",
    )
    for holder in ("raj", "mira", "raj"):  # shift changes
        ops.hand_over_role(
            db,
            key=number,
            role="commander",
            holder=holder,
            author="mira",
            now=t + timedelta(minutes=30),
        )
    ops.log_entry(
        db,
        key=number,
        text="Rollback done on 3 of 6 indexer-eu pods; empty-result rate in EU down to 35% "
        "and falling, checkout errors back under 2%",
        author="li",
        now=NOW - timedelta(minutes=1),
    )
    return number


def region(screen, selector: str):
    return screen.query_one(selector).region


def rendered(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


@pytest.mark.parametrize("size", SIZES)
async def test_a_long_entry_wraps_whole_onto_the_timeline(db, clock, size) -> None:
    from tests.test_following import drawn_rows

    number = long_incident(db)
    async with make_app(db, clock, number).run_test(size=size) as pilot:
        screen = await ready(pilot)
        await type_line(pilot, LONG)
        await pilot.pause()
        text = " ".join(" ".join(row.split()) for row in drawn_rows(screen))
        assert "for the same users" in text and "…" not in text
        assert "German and French, and the checkout product lookup" in text


@pytest.mark.parametrize("size", SIZES)
async def test_an_overdue_deadline_is_said_on_the_status_line_covering_nothing(db, size) -> None:
    clock = FrozenClock(NOW)
    number = long_incident(db)
    async with make_app(db, clock, number).run_test(size=size, notifications=True) as pilot:
        from tests.test_following import drawn_rows

        screen = await ready(pilot)
        before = drawn_rows(screen)
        clock.advance(minutes=30)  # the resolve target passes now
        pilot.app.tick()
        await pilot.pause()
        assert rendered(screen, "#entry-status") == "Overdue: resolve target"
        assert not list(pilot.app.screen.query("Toast")), "a toast covers the panes"
        assert drawn_rows(screen) == before  # every timeline row still in sight, uncovered
        # A line the scribe must fix keeps the status line: the refusal is not replaced.
        await type_line(pilot, "/sev 9")
        refusal = rendered(screen, "#entry-status")
        assert "SEV" in refusal or "severity" in refusal.lower()
        clock.advance(minutes=30)  # more deadlines pass while the refusal shows
        pilot.app.tick()
        await pilot.pause()
        assert rendered(screen, "#entry-status") == refusal


@pytest.mark.parametrize("size", SIZES)
async def test_the_heading_names_the_next_deadline_and_the_footer_fits(db, clock, size) -> None:
    number = long_incident(db)
    async with make_app(db, clock, number).run_test(size=size) as pilot:
        screen = await ready(pilot)
        heading = rendered(screen, "#heading")
        first = screen.deadlines[0]
        assert first.due_at < NOW  # overdue
        assert heading.startswith(f" INC-{number}  SEV1  INVESTIGATING ")
        short = first.name.split(":", 1)[-1].split()[0]
        assert (first.title in heading or short in heading) and "overdue" in heading
        width = size[0]
        keys = [key for key in pilot.app.screen.query("FooterKey") if key.display]
        assert {k.key for k in keys} >= {"f1", "f2", "f3", "f4", "f5", "f8", "f10"}
        palette = next(k for k in keys if k.has_class("-command-palette"))
        assert palette.region.right <= width
        for key in keys:
            if key is not palette:  # each whole, left of the palette's key
                assert key.region.right <= palette.region.x, f"{key.key} is cut"


@pytest.mark.parametrize("size", SIZES)
async def test_every_core_role_stays_in_sight_after_many_handovers(db, clock, size) -> None:
    number = long_incident(db)
    async with make_app(db, clock, number).run_test(size=size) as pilot:
        screen = await ready(pilot)
        pane = screen.query_one("#roles")
        lines = rendered(screen, "#roles").splitlines()
        titles = [line.split()[0] for line in lines[:4]]
        assert titles in (["commander", "tech", "comms", "scribe"], ["IC", "TL", "comms", "scribe"])
        assert "raj ← mira" in lines[0]
        assert len(lines) <= pane.content_region.height  # nothing scrolled out of sight
        assert all(len(line) <= pane.content_region.width for line in lines)


@pytest.mark.parametrize("size", SIZES, ids=["120x36", "80x24"])
class TestSnapshots:
    """An hour into a SEV1: long entries, shift changes, an overdue update with its
    notification, a rung timer (look at them as PNGs)."""

    def test_war_room_an_hour_in(self, snap_compare, db, clock, size) -> None:
        from tests.test_app import settle

        number = long_incident(db)
        assert snap_compare(make_app(db, clock, number), terminal_size=size, run_before=settle)

    def test_role_history(self, snap_compare, db, clock, size) -> None:
        from tests.test_app import settle

        number = long_incident(db)

        async def open_history(pilot) -> None:
            await settle(pilot)
            pilot.app.screen.action_role_history()
            await settle(pilot)

        assert snap_compare(
            make_app(db, clock, number), terminal_size=size, run_before=open_history
        )


@pytest.mark.parametrize("size", SIZES, ids=["120x36", "80x24"])
def test_war_room_in_a_light_theme(snap_compare, db, clock, size) -> None:
    """The same hour in `textual-light`: kinds, pins and vacant roles in the theme's
    text colours, readable on a light background (look at it as a PNG)."""
    from tests.test_app import settle

    number = long_incident(db)
    app = make_app(db, clock, number)
    app.wear("textual-light", remember=False, keymap={})
    assert snap_compare(app, terminal_size=size, run_before=settle)
