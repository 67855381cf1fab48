"""What a CLI command imports: only what it uses (issue 18: `incident-tui log` as a
process is mostly imports), with every public name still where it was."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

from incident_tui import ops


def test_every_name_of_ops_is_found_in_its_module() -> None:
    from incident_tui.ops import _HOMES

    assert sorted(ops.__all__) == sorted(_HOMES)
    for name, home in _HOMES.items():
        module = importlib.import_module(f"incident_tui.ops.{home}")
        assert getattr(ops, name) is getattr(module, name)
    assert set(ops.__all__) <= set(dir(ops))


def _modules_after(argv: list[str], tmp_path: Path) -> set[str]:
    code = (
        "import sys\n"
        "from incident_tui.cli import main\n"
        f"code = main({argv!r})\n"
        "print(code)\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    env = {
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "INCIDENT_TUI_DB": str(tmp_path / "log.db"),
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    lines = out.stdout.splitlines()
    assert lines[-2] == "0", out.stdout + out.stderr
    return set(lines[-1].split())


def test_log_imports_only_the_entries_operation(tmp_path: Path) -> None:
    _modules_after(["declare", "Checkout down", "--severity", "2"], tmp_path)
    loaded = _modules_after(["log", "INC-1", "still down"], tmp_path)
    assert "incident_tui.ops.entries" in loaded
    unused = {
        "alembic",
        "incident_tui.domain.alert_routes",
        "incident_tui.domain.entry_syntax",
        "incident_tui.domain.line_import",
        "incident_tui.ops.dispatch",
        "incident_tui.ops.action_items",
        "incident_tui.ops.declaring",
        "incident_tui.ops.postmortem_edits",
        "incident_tui.ops.timers",
        "incident_tui.ops.updates",
    }
    assert not unused & loaded


def test_the_war_room_path_leaves_text_area_unimported() -> None:
    """TextArea (≈10 ms) is the composer's and the postmortem's, not the first frame's."""
    code = (
        "import sys, incident_tui.cli, incident_tui.app, incident_tui.screens.war_room\n"
        "print('textual.widgets._text_area' in sys.modules)\n"
        "from textual.widgets import TextArea\n"
        "from incident_tui.widgets.in_order import _is_text_area\n"
        "print(_is_text_area(TextArea()), _is_text_area(object()))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True", "False"]
