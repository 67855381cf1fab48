"""The postmortem screen: written as you go, whys and action items, key events, lint and
metrics beside the draft, export to a file."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual import events
from textual.widgets import Input, OptionList, TextArea

from incident_tui import ops
from incident_tui.screens.dialogs import ConfirmScreen, FormScreen
from incident_tui.screens.postmortem import PostmortemScreen
from incident_tui.store import postmortem_reads, queries
from tests.conftest import FROZEN_AT, patience
from tests.test_export import scenario
from tests.test_war_room import make_app, ready

NOW = FROZEN_AT


async def open_postmortem(pilot) -> PostmortemScreen:
    await ready(pilot)
    await pilot.press("f10")
    for _ in patience():
        screen = pilot.app.screen
        if isinstance(screen, PostmortemScreen) and screen.draft is not None:
            await pilot.pause()
            return screen
        await pilot.pause(0.02)
    raise AssertionError("the postmortem never loaded")


def draft(db, number):
    return postmortem_reads.postmortem_draft(db, number, now=NOW)


async def wait_saved(pilot, condition=None) -> None:  # type: ignore[no-untyped-def]
    """Until `condition()` (what the save writes) holds; without one, past the save delay
    (to show that nothing is written). A fixed pause before reading the database missed
    the timer's save on a loaded machine."""
    if condition is None:
        await pilot.pause(0.9)
        return
    for _ in patience():
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("the field was never saved")


async def test_text_is_saved_as_you_go_and_the_lint_follows(db, clock) -> None:
    number = scenario(db)
    async with make_app(db, clock, number, user="mira").run_test(size=(120, 36)) as pilot:
        screen = await open_postmortem(pilot)
        assert "Tom" not in str(screen.query_one("#pm-lint").render())
        screen.query_one("#root_cause", TextArea).load_text("Tom should have checked the shard map")
        await wait_saved(
            pilot,
            lambda: draft(db, number).fields.root_cause == "Tom should have checked the shard map",
        )
        lint = str(screen.query_one("#pm-lint").render())
        assert "should have" in lint and "root cause" in lint
        screen.query_one("#users_affected", Input).value = "~12,500"
        await pilot.press("escape")  # leaving saves what is pending at once
        await pilot.pause()
    assert draft(db, number).fields.users_affected == "~12,500"


async def test_opening_the_postmortem_writes_nothing(db, clock, db_path) -> None:
    from tests.conftest import table_dump

    number = scenario(db)
    before = table_dump(db_path)
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        await open_postmortem(pilot)
        await wait_saved(pilot)
    assert table_dump(db_path) == before


async def test_whys_are_added_edited_and_reordered_by_keyboard(db, clock) -> None:
    number = scenario(db)
    async with make_app(db, clock, number, user="mira").run_test(size=(120, 36)) as pilot:
        screen = await open_postmortem(pilot)
        for question, answer in (
            ("Why empty?", "old shard map"),
            ("Why old?", "no check"),
            ("Why no check?", "never specified"),
        ):
            await pilot.press("f4")
            form = pilot.app.screen
            assert isinstance(form, FormScreen)
            form.query_one("#question", Input).value = question
            form.query_one("#answer", Input).value = answer
            await pilot.press("enter")
            await pilot.pause(0.3)
        assert [w.question for w in draft(db, number).whys] == [
            "Why empty?",
            "Why old?",
            "Why no check?",
        ]
        assert "five whys" not in str(screen.query_one("#pm-lint").render())
        whys = screen.query_one("#whys", OptionList)
        whys.focus()
        whys.highlighted = 2
        await pilot.press("ctrl+up")
        await pilot.pause(0.3)
        assert [w.question for w in draft(db, number).whys] == [
            "Why empty?",
            "Why no check?",
            "Why old?",
        ]


async def test_action_items_and_key_events_from_the_screen(db, clock) -> None:
    number = scenario(db)
    async with make_app(db, clock, number, user="mira").run_test(size=(120, 36)) as pilot:
        screen = await open_postmortem(pilot)
        await pilot.press("ctrl+n")
        form = pilot.app.screen
        form.query_one("#description", Input).value = "Add shard-map compatibility test"
        form.query_one("#owner", Input).value = "tom"
        form.query_one("#due", Input).value = "+7d"
        form.query_one("#type", Input).value = "sideways"
        await pilot.press("enter")
        await pilot.pause()
        assert pilot.app.screen is form  # refused, kept as typed
        assert "type must be prevent, detect or mitigate" in str(
            form.query_one("#form-error").render()
        )
        form.query_one("#type", Input).value = "prevent"
        await pilot.press("enter")
        await pilot.pause(0.3)
        action = draft(db, number).actions[0]
        assert (action.owner, action.type, action.due_date) == (
            "tom",
            "prevent",
            (NOW + timedelta(days=7)).date(),
        )
        events = screen.query_one("#key-events", OptionList)
        unpinned = next(
            i for i, option in enumerate(events._options) if str(option.prompt).startswith("·")
        )
        events.focus()
        events.highlighted = unpinned
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert len(draft(db, number).key_events) == 2


async def test_status_and_sla_cycle(db, clock) -> None:
    number = scenario(db)
    async with make_app(db, clock, number, user="mira").run_test(size=(120, 36)) as pilot:
        await open_postmortem(pilot)
        await pilot.press("f2", "f3")
        await pilot.pause()
    written = draft(db, number)
    assert (written.fields.status, written.fields.sla_breached) == ("in-review", True)


async def test_export_writes_a_file_and_asks_before_overwriting(db, clock, tmp_path) -> None:
    number = scenario(db)
    target = tmp_path / "pm.md"
    async with make_app(db, clock, number, user="mira").run_test(size=(120, 36)) as pilot:
        screen = await open_postmortem(pilot)
        for attempt in range(2):
            await pilot.press("f5")
            form = pilot.app.screen
            form.query_one("#path", Input).value = str(target)
            await pilot.press("enter")
            await pilot.pause(0.2)
            if attempt:
                assert isinstance(pilot.app.screen, ConfirmScreen)
                await pilot.press("y")
                await pilot.pause(0.2)
        assert pilot.app.screen is screen
        assert f"wrote {target}" in str(screen.query_one("#pm-status").render())
    assert target.read_text().startswith("# Postmortem: INC-1")


@pytest.mark.parametrize("size", [(120, 36), (80, 24)], ids=["120x36", "80x24"])
def test_snapshot_postmortem(snap_compare, db, clock, size) -> None:
    number = scenario(db)
    ops.save_postmortem_field(
        db,
        key=number,
        field="root_cause",
        value="Tom should have checked the shard map",
        author="mira",
        now=NOW,
    )
    ops.save_why(
        db,
        key=number,
        question="Why were results empty?",
        answer="the indexer wrote to the old shard map",
        author="mira",
        now=NOW,
    )
    app = make_app(db, clock, number, user="mira")

    async def run_before(pilot) -> None:
        screen = await open_postmortem(pilot)
        screen.query_one("#root_cause", TextArea).focus()  # the footer with a field focused
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


# --- keys, focus, Tab and pastes (issue 13 on this screen) ---------------------------------

FIELDS = (
    "summary",
    "users_affected",
    "revenue_impact",
    "root_cause",
    "contributing_factors",
    "what_went_well",
    "what_went_poorly",
    "lucky_breaks",
    "lessons_learned",
)


def burst(pilot, *keys: str) -> None:
    """Keys as a fast terminal delivers them: all queued at once, no pause between."""
    driver = pilot.app._driver
    for key in keys:
        character = key if len(key) == 1 else None
        event = events.Key("space" if key == " " else key, character)
        event.set_sender(pilot.app)
        driver.send_message(event)


async def settled(pilot) -> None:
    for _ in range(5):
        await pilot.pause()


async def test_no_key_the_footer_shows_is_taken_by_a_focused_field(db, clock) -> None:
    number = scenario(db)
    async with make_app(db, clock, number, user="mira").run_test(size=(120, 36)) as pilot:
        screen = await open_postmortem(pilot)
        shown = [b for b in screen.BINDINGS if b.show]
        for widget in (
            screen.query_one("#root_cause", TextArea),
            screen.query_one("#what_went_well", TextArea),
            screen.query_one("#authors", Input),
        ):
            taken = {
                key
                for cls in type(widget).__mro__
                for b in getattr(cls, "BINDINGS", [])
                for key in (b.key if hasattr(b, "key") else b[0]).split(",")
            }
            for binding in shown:
                assert binding.priority or binding.key not in taken, (widget.id, binding.key)
        root = screen.query_one("#root_cause", TextArea)
        root.load_text("keep this")
        root.focus()
        await pilot.pause()
        for key in ("f5", "f8"):
            await pilot.press(key)
            assert isinstance(pilot.app.screen, FormScreen), key
            await pilot.press("escape")
            await pilot.pause()
        assert pilot.app.screen is screen and root.has_focus
        assert root.text == "keep this" and root.selected_text == ""


async def test_the_screen_opens_where_the_author_types_first(db, clock) -> None:
    number = scenario(db)
    async with make_app(db, clock, number, user="mira").run_test(size=(120, 36)) as pilot:
        screen = await open_postmortem(pilot)
        assert screen.focused is screen.query_one("#summary", TextArea)
        burst(pilot, *" Rolled back at 09:00.")
        await settled(pilot)
        await wait_saved(
            pilot, lambda: draft(db, number).fields.summary.endswith("Rolled back at 09:00.")
        )


async def test_tab_moves_through_every_field_even_in_a_burst(db, clock) -> None:
    number = scenario(db)
    async with make_app(db, clock, number, user="mira").run_test(size=(120, 36)) as pilot:
        screen = await open_postmortem(pilot)
        for name in FIELDS:
            widget = screen.query_one(f"#{name}")
            if isinstance(widget, TextArea):
                widget.load_text("")
            else:
                widget.value = ""
        await settled(pilot)
        keys: list[str] = []
        for index, name in enumerate(FIELDS):
            keys += [*f"{index}{name[:3]}", "tab"]
        burst(pilot, *keys)
        await settled(pilot)
        for index, name in enumerate(FIELDS):
            widget = screen.query_one(f"#{name}")
            value = widget.text if isinstance(widget, TextArea) else widget.value
            assert value == f"{index}{name[:3]}", name
        assert screen.focused is screen.query_one("#whys", OptionList)


async def test_a_paste_is_cleaned_in_place(db, clock) -> None:
    number = scenario(db)
    async with make_app(db, clock, number, user="mira").run_test(size=(120, 36)) as pilot:
        screen = await open_postmortem(pilot)
        for name in ("root_cause", "what_went_poorly", "revenue_impact"):
            widget = screen.query_one(f"#{name}")
            widget.focus()
            await pilot.pause()
            if isinstance(widget, TextArea):
                widget.load_text("[]")
                widget.move_cursor((0, 1))
            else:
                widget.value = "[]"
                widget.cursor_position = 1
            await pilot.pause()
            pilot.app._driver.send_message(events.Paste("A \x1b[31mred\x1b[0m B"))
            await settled(pilot)
            value = widget.text if isinstance(widget, TextArea) else widget.value
            assert value == "[A red B]", name
        await wait_saved(pilot, lambda: draft(db, number).fields.what_went_poorly == ["[A red B]"])


async def test_tab_moves_field_to_field_in_the_five_whys_and_declare_forms(db, clock) -> None:
    number = scenario(db)
    async with make_app(db, clock, number, user="mira").run_test(size=(120, 36)) as pilot:
        await open_postmortem(pilot)
        await pilot.press("f4")
        form = pilot.app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#question", Input).value = ""
        burst(pilot, *"Why empty?", "tab", *"old shard map", "enter")
        await settled(pilot)
        await pilot.pause(0.2)
    [why] = draft(db, number).whys
    assert (why.question, why.answer) == ("Why empty?", "old shard map")

    from tests.test_app import make_app as list_app
    from tests.test_app import settle

    async with list_app(db, clock, user="mira").run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        burst(pilot, *"Checkout down", "tab", "1", "tab", "tab", "tab", *"card errors", "enter")
        await ready(pilot)  # the new incident's war room
    declared = queries.incident_detail(db, number + 1)
    assert (declared.title, declared.severity, declared.summary) == (
        "Checkout down",
        1,
        "card errors",
    )


async def test_list_sections_are_edited_point_by_point(db, clock) -> None:
    number = scenario(db)
    async with make_app(db, clock, number, user="mira").run_test(size=(120, 36)) as pilot:
        screen = await open_postmortem(pilot)
        points = screen.query_one("#what_went_well", TextArea)
        points.focus()
        burst(pilot, *"paging worked", "enter", *"rollback rehearsed", "ctrl+up")
        await settled(pilot)
        await wait_saved(
            pilot,
            lambda: (
                draft(db, number).fields.what_went_well == ["rollback rehearsed", "paging worked"]
            ),
        )


async def test_the_screen_follows_changes_made_elsewhere(db, clock) -> None:
    number = scenario(db)
    async with make_app(db, clock, number, user="mira").run_test(size=(120, 36)) as pilot:
        screen = await open_postmortem(pilot)
        ops.save_postmortem_field(
            db, key=number, field="lucky_breaks", value=["the snapshot existed"],
            author="tom", now=NOW,
        )  # fmt: skip
        ops.set_milestone(
            db, key=number, milestone="detected", at=NOW - timedelta(minutes=59),
            author="tom", now=NOW,
        )  # fmt: skip
        lucky = screen.query_one("#lucky_breaks", TextArea)
        for _ in patience():
            if lucky.text == "the snapshot existed" and "1 min" in str(
                screen.query_one("#pm-metrics").render()
            ):
                break
            await pilot.pause(0.05)
        assert lucky.text == "the snapshot existed"
        assert "time to detect 1 min" in " ".join(
            str(screen.query_one("#pm-metrics").render()).split()
        )


async def test_a_refused_field_keeps_its_text_and_holds_back_no_other(db, clock) -> None:
    number = scenario(db)
    async with make_app(db, clock, number, user="mira").run_test(size=(120, 36)) as pilot:
        screen = await open_postmortem(pilot)
        screen.query_one("#users_affected", Input).value = "lots"
        screen.query_one("#revenue_impact", Input).value = "€12k"
        await pilot.press("escape")
        await pilot.pause()
        assert pilot.app.screen is screen  # not left: a field is not saved
        assert "users affected is a number" in str(screen.query_one("#pm-status").render())
        assert screen.query_one("#users_affected", Input).value == "lots"
    written = draft(db, number).fields
    assert (written.users_affected, written.revenue_impact) == ("", "€12k")
