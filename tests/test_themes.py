"""Themes: every Textual built-in theme works, `--theme NAME` and `display.theme` pick
one, and the one picked in the palette is remembered for the next start."""

from __future__ import annotations

from pathlib import Path

import pytest

from incident_tui.app import IncidentApp
from incident_tui.cli import main
from incident_tui.config import Config, config_from_mapping
from incident_tui.domain.errors import ConfigError, IncidentError
from incident_tui.widgets.themes import (
    DEFAULT_THEME,
    known_themes,
    remember_theme,
    remembered_theme,
    starting_theme,
)


@pytest.fixture(autouse=True)
def home(private_home: Path) -> Path:
    return private_home


def test_the_flag_wins_then_the_config_then_the_last_pick() -> None:
    assert starting_theme(None, None) == DEFAULT_THEME
    remember_theme("gruvbox")
    assert starting_theme(None, None) == "gruvbox"
    assert starting_theme(None, "nord") == "nord"
    assert starting_theme("textual-light", "nord") == "textual-light"


def test_an_unknown_theme_is_one_line_naming_where_it_came_from() -> None:
    with pytest.raises(IncidentError, match=r"^--theme: unknown theme 'nrod'; themes: "):
        starting_theme("nrod", None)
    with pytest.raises(IncidentError, match=r"^config display.theme: unknown theme"):
        starting_theme(None, "nrod")
    with pytest.raises(ConfigError, match="display.theme"):
        config_from_mapping({"display": {"theme": 3}})
    assert config_from_mapping({"display": {"theme": "nord"}}).theme == "nord"


def test_a_remembered_theme_that_is_no_more_is_forgotten(home: Path) -> None:
    remember_theme("no-such-theme")
    assert remembered_theme() is None
    state = next(home.rglob("ui.json"))
    state.write_text("not json")
    assert remembered_theme() is None and starting_theme(None, None) == DEFAULT_THEME


async def test_the_palettes_pick_is_remembered_for_the_next_start(db) -> None:
    app = IncidentApp(database=db, config=Config(user_name="mira"), remember_theme=True)
    async with app.run_test(size=(120, 36)) as pilot:
        app.theme = "nord"  # what the palette's theme picker does
        await pilot.pause()
    assert remembered_theme() == "nord"
    again = IncidentApp(database=db, theme=starting_theme(None, None), remember_theme=True)
    async with again.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert again.theme == "nord"


async def test_a_test_app_remembers_nothing(db) -> None:
    app = IncidentApp(database=db, config=Config(user_name="mira"))
    async with app.run_test(size=(80, 24)) as pilot:
        app.theme = "dracula"
        await pilot.pause()
    assert remembered_theme() is None


@pytest.mark.parametrize("theme", known_themes())
async def test_every_builtin_theme_opens_the_war_room(db, theme: str) -> None:
    from incident_tui import ops
    from tests.conftest import FROZEN_AT
    from tests.test_war_room import ready

    number = ops.declare(db, title="Themed", severity=1, author="mira", now=FROZEN_AT)
    app = IncidentApp(
        database=db, config=Config(user_name="mira"), open_incident=number, theme=theme
    )
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        assert app.theme == theme and app.fatal_error is None


def test_the_cli_refuses_an_unknown_theme(capsys, db_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("INCIDENT_TUI_DB", str(db_path))
    assert main(["--theme", "nrod", "open", "INC-1"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "unknown theme 'nrod'" in err[0]
