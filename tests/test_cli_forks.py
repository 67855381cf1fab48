"""The `cli` fixture's forked commands behave as cold `python -m incident_tui` runs: the
same output, errors and exit codes (the fixture would otherwise hide what users see)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.cli_forks import run_cli


def _cold(args: list[str], env: dict[str, str], input: str | None = None):  # type: ignore[no-untyped-def]
    return subprocess.run(
        [sys.executable, "-m", "incident_tui", *args],
        capture_output=True,
        text=True,
        env=env,
        input=input,
        timeout=60,
    )


def test_a_forked_command_answers_as_a_cold_one(db_path: Path, private_home: Path) -> None:
    env = {
        **os.environ,
        "INCIDENT_TUI_DB": str(db_path),
        "INCIDENT_TUI_NOW": "2026-11-24T09:02:00Z",
    }
    assert (
        run_cli(["declare", "Checkout down", "-s", "2"], env=env, input=None, timeout=60).returncode
        == 0
    )
    cases = [
        (["show", "INC-1"], None),  # done: 0
        (["show", "INC-9"], None),  # refused: 1, one line on stderr
        (["show"], None),  # a usage mistake: 2
        (["--version"], None),
        (["import", "-"], '{"not": "an export"}'),  # stdin read, refused: 1
    ]
    for args, stdin in cases:
        warm = run_cli(args, env=env, input=stdin, timeout=60)
        cold = _cold(args, env, stdin)
        assert (warm.returncode, warm.stdout, warm.stderr) == (
            cold.returncode,
            cold.stdout,
            cold.stderr,
        ), args
    codes = {tuple(a): run_cli(a, env=env, input=s, timeout=60).returncode for a, s in cases}
    assert codes[("show", "INC-1")] == 0
    assert codes[("show", "INC-9")] == 1
    assert codes[("show",)] == 2
    assert codes[("import", "-")] == 1  # it read the text given, and refused it


def test_a_forked_command_sees_its_own_environment(db_path: Path, private_home: Path) -> None:
    """Each call's environment is its own: a database named in one call is not the next
    call's (the warm process must not keep what a child read)."""
    other = db_path.with_name("other.db")
    base = {**os.environ, "INCIDENT_TUI_NOW": "2026-11-24T09:02:00Z"}
    run_cli(
        ["declare", "First", "-s", "3"],
        env={**base, "INCIDENT_TUI_DB": str(db_path)},
        input=None,
        timeout=60,
    )
    listed = run_cli(["list"], env={**base, "INCIDENT_TUI_DB": str(other)}, input=None, timeout=60)
    assert listed.returncode == 0
    assert "First" not in listed.stdout
    again = run_cli(["list"], env={**base, "INCIDENT_TUI_DB": str(db_path)}, input=None, timeout=60)
    assert "First" in again.stdout
