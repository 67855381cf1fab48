"""Enter's cleared line and its new row reach the terminal in one frame: no frame shows
the line gone and the row not yet there (painted apart, Textual's frame timer put the
row 1-2 frame intervals later, 20-40 ms after Enter)."""

from __future__ import annotations

import threading

import pytest

from incident_tui.widgets import paint_hold
from tests.test_war_room import declare_sev2, make_app, ready, settled, shown_texts, status_text


async def test_the_cleared_line_and_its_row_are_painted_in_one_frame(
    db, clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The time limit out of the way: on a loaded machine a commit may take longer than
    # three frames, and the line's clearing would rightly show alone.
    monkeypatch.setattr(paint_hold, "MAX_HOLD_S", 60.0)
    number = declare_sev2(db)
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        entry = screen.query_one("#entry")
        frames: list[tuple[str, bool]] = []  # (the line, its row shown) at each frame
        display = pilot.app._display

        def watched(shown_screen, update) -> None:  # type: ignore[no-untyped-def]
            if update is not None:
                frames.append((entry.value, "rolled back 4812" in shown_texts(screen)))
            display(shown_screen, update)

        pilot.app._display = watched  # type: ignore[method-assign]
        entry.value = "rolled back 4812"
        await pilot.pause()
        frames.clear()
        await pilot.press("enter")
        await settled(pilot)
        assert shown_texts(screen)[-1] == "rolled back 4812"
        assert frames, "nothing was painted after Enter"
        assert ("", False) not in frames, frames  # never the line cleared without its row
        assert frames[0] == ("", True)


async def test_a_refused_line_is_painted_at_once(db, clock, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A line refused before it is queued holds nothing: its error shows in the next
    frame, not after a time limit."""
    monkeypatch.setattr(paint_hold, "MAX_HOLD_S", 60.0)
    number = declare_sev2(db)
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        await pilot.press(*"/sev 9", "enter")
        await pilot.pause()
        assert not screen.paint_hold.held
        assert screen.query_one("#entry").value == "/sev 9"


async def test_a_refusal_stays_when_an_earlier_line_is_reported_after_it(db, clock) -> None:  # type: ignore[no-untyped-def]
    """Typed fast: a backdated line, then a bad one. The bad one is refused at once; the
    first one's "logged (backdated)" comes after and must not replace the reason the
    scribe has to read while the bad line is still in the entry line."""
    number = declare_sev2(db)
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        go = threading.Event()
        queue = screen.writes
        write = queue._write

        def slow_write(pending):  # type: ignore[no-untyped-def]
            go.wait(30)  # the first line's commit comes after the refusal
            return write(pending)

        queue._write = slow_write
        await pilot.press(*"08:55 paged by checkout SLO", "enter")
        await pilot.press(*"/sev 9", "enter")
        await pilot.pause()
        refusal = status_text(screen)
        assert refusal and screen.query_one("#entry").value == "/sev 9"
        go.set()
        await settled(pilot)
        assert "paged by checkout SLO" in shown_texts(screen)
        assert status_text(screen) == refusal
        assert screen.query_one("#entry").value == "/sev 9"
