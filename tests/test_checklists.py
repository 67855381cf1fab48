"""Checklists: the phase's list in the war room, ticked from the keyboard, every tick on
the timeline; lists from the config file."""

from __future__ import annotations

from datetime import timedelta

import pytest

from incident_tui import ops
from incident_tui.app import IncidentApp
from incident_tui.config import Config, config_from_mapping
from incident_tui.domain.checklists import DEFAULT_CHECKLISTS, current_checklist
from incident_tui.domain.errors import ConfigError
from incident_tui.store import queries
from tests.conftest import FROZEN_AT, eventually
from tests.test_war_room import declare_sev2, ready, settled

NOW = FROZEN_AT


def test_the_phase_picks_the_checklist() -> None:
    assert current_checklist(DEFAULT_CHECKLISTS, 2, "triage").name == "first-five-minutes"
    assert current_checklist(DEFAULT_CHECKLISTS, 1, "monitoring").name == "resolution"
    assert current_checklist(DEFAULT_CHECKLISTS, 3, "closed") is None


def test_checklists_come_from_the_config_file_per_severity() -> None:
    config = config_from_mapping(
        {
            "checklists": {
                "sev1-start": {
                    "title": "SEV1: first minutes",
                    "items": ["Page the database team", "Open the bridge"],
                    "severities": [1],
                    "phases": ["triage"],
                }
            }
        }
    )
    [only] = config.checklists
    assert current_checklist(config.checklists, 1, "triage") == only
    assert current_checklist(config.checklists, 2, "triage") is None
    for bad, what in (
        ({"x": {"items": []}}, "items"),
        ({"x": {"items": ["a"], "phases": ["done"]}}, "phases"),
        ({"x": {"items": ["a"], "severities": [5]}}, "severities"),
    ):
        with pytest.raises(ConfigError, match=what):
            config_from_mapping({"checklists": bad})


async def test_ticking_an_item_logs_it_and_the_list_follows_the_phase(db, clock) -> None:
    number = declare_sev2(db)
    app = IncidentApp(
        database=db, config=Config(user_name="mira"), clock=clock, open_incident=number
    )
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        pane = screen.query_one("#checklist")
        # Done as the app saw it: declared, severity set, a commander.
        assert pane.border_title == "First five minutes · 3/6"
        await pilot.press("ctrl+l", "down", "space")
        await settled(pilot)  # the tick goes through the write queue
        assert pane.border_title == "First five minutes · 4/6"
        assert "☑ Assess scope" in str(pane.render())
        timeline = [e.text for e in queries.incident_detail(db, number).timeline]
        assert timeline[-1] == "✓ First five minutes: Assess scope"
        await pilot.press("space")  # untick: also recorded
        await settled(pilot)
        assert pane.border_title == "First five minutes · 3/6"
        detail = queries.incident_detail(db, number)
        assert detail.timeline[-1].text == "Unticked First five minutes: Assess scope"
        assert detail.ticks == []
        ops.set_phase(db, key=number, phase="mitigating", author="mira", now=NOW)
        clock.advance(timedelta(seconds=1))
        app.tick()
        await eventually(pilot, lambda: pane.border_title == "Resolution · 0/4", "the new list")
        # Typing on the checklist still reaches the entry line.
        await pilot.press("o", "k")
        assert screen.query_one("#entry").value == "ok"


def test_a_tick_twice_is_refused(db) -> None:
    number = declare_sev2(db)
    args = dict(key=number, checklist="resolution", title="Resolution", author="tom", now=NOW)
    ops.tick_checklist(db, item="Services recovering", **args)
    with pytest.raises(Exception, match="already ticked by tom"):
        ops.tick_checklist(db, item="Services recovering", **args)


async def test_when_narrow_the_checklist_is_a_dialog(db, clock) -> None:
    from incident_tui.screens.dialogs import PickScreen

    number = declare_sev2(db)
    app = IncidentApp(
        database=db, config=Config(user_name="mira"), clock=clock, open_incident=number
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, PickScreen)
        await pilot.press("enter")  # the first item
        await settled(pilot)
    detail = queries.incident_detail(db, number)
    assert [t.item for t in detail.ticks] == ["Acknowledge"]
    assert detail.timeline[-1].text == "✓ First five minutes: Acknowledge"


async def test_the_checklist_shows_what_the_app_saw_happen(db, clock) -> None:
    number = ops.declare(db, title="Checkout failing", severity=1, author="mira", now=NOW)
    app = IncidentApp(
        database=db, config=Config(user_name="mira"), clock=clock, open_incident=number
    )
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        pane = screen.query_one("#checklist")
        assert pane.border_title == "First five minutes · 2/6"  # declared, severity set
        ops.hand_over_role(db, key=number, role="commander", holder="mira", author="mira", now=NOW)
        ops.post_update(db, key=number, audience="internal", text="looking", author="ana", now=NOW)
        ops.set_phase(db, key=number, phase="investigating", author="mira", now=NOW)
        clock.advance(timedelta(seconds=1))
        app.tick()
        await eventually(pilot, lambda: pane.border_title == "First five minutes · 5/6", "5/6")
        shown = str(pane.render())
        for item in ("Acknowledge", "Declare", "Assign roles", "First update posted"):
            assert f"☑ {item} · seen" in shown
        assert "☐ Assess scope" in shown
    assert queries.incident_detail(db, number).ticks == []  # facts, not ticks: nothing written
