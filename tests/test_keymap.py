"""The user's keymap: `[keymap]` in the config rebinds keys by binding id; an unknown id
or a key two bindings of one screen would share is one line naming it; the README lists
every id."""

from __future__ import annotations

from pathlib import Path

import pytest

from incident_tui import ops
from incident_tui.app import IncidentApp, load_every_screen
from incident_tui.cli import main
from incident_tui.config import Config, config_from_mapping
from incident_tui.domain.errors import ConfigError, IncidentError
from incident_tui.store import queries
from incident_tui.widgets.keymap import binding_ids, checked_keymap
from tests.conftest import FROZEN_AT, patience

README = Path(__file__).parents[1] / "README.md"

load_every_screen()  # every binding id known, as the CLI does before it checks a keymap


def test_an_unknown_id_names_the_nearest_one() -> None:
    with pytest.raises(IncidentError, match=r"^keymap.pinn: no binding has this id; did you mean"):
        checked_keymap({"pinn": "f11"})


def test_a_key_another_binding_of_the_screen_has_is_refused() -> None:
    with pytest.raises(IncidentError, match=r"^keymap.pin: f6 is already toggle-tz's key"):
        checked_keymap({"pin": "f6"})
    # Swapping two keys is fine: both are rebound.
    assert checked_keymap({"pin": "f6", "toggle-tz": "f7"}) == {"pin": "f6", "toggle-tz": "f7"}


def test_the_config_takes_a_keymap_table() -> None:
    assert config_from_mapping({"keymap": {"pin": "f11"}}).keymap == {"pin": "f11"}
    with pytest.raises(ConfigError, match="keymap.pin: expected keys"):
        config_from_mapping({"keymap": {"pin": 3}})


def test_the_readme_lists_every_binding_id() -> None:
    text = README.read_text()
    missing = [id for id in binding_ids() if f"`{id}`" not in text]
    assert not missing, f"README's keymap section lacks {missing}"


async def test_a_rebound_key_does_the_action(db) -> None:
    from tests.test_war_room import ready

    number = ops.declare(db, title="Rebound", severity=2, author="mira", now=FROZEN_AT)
    ops.log_entry(db, key=number, text="the one to pin", author="mira", now=FROZEN_AT)
    config = Config(user_name="mira", keymap={"pin": "f11"})
    app = IncidentApp(database=db, config=config, open_incident=number)
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("f7")  # the old key does nothing now
        await pilot.press("f11")
        for _ in patience():
            timeline = queries.incident_detail(db, number).timeline
            if any(e.pinned for e in timeline):
                break
            await pilot.pause(0.05)
    pinned = [e.text for e in queries.incident_detail(db, number).timeline if e.pinned]
    assert pinned == ["the one to pin"]


def test_the_cli_refuses_a_bad_keymap_before_opening(
    capsys, tmp_path: Path, db_path: Path, monkeypatch
) -> None:
    config = tmp_path / "keys.toml"
    config.write_text('[keymap]\npinn = "f11"\n')
    monkeypatch.setenv("INCIDENT_TUI_DB", str(db_path))
    assert main(["--config", str(config), "open", "INC-1"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "keymap.pinn" in err[0]


def test_every_binding_has_an_id() -> None:
    import ast

    missing = []
    for path in (Path(__file__).parents[1] / "incident_tui").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Binding":
                if not any(k.arg == "id" for k in node.keywords):
                    missing.append(f"{path.name}:{node.lineno}")
    assert not missing, f"bindings without an id (the keymap cannot reach them): {missing}"
