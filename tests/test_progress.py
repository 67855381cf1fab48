"""Progress on stderr: drawn only when stderr is a terminal (a pseudo-terminal here), for
the commands that can run for seconds: import, export, drill --no-open. Scripts and pipes
see clean output."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

from tests.conftest import FROZEN_AT, CliRunner


def _on_a_terminal(argv: list[str], db_path: Path) -> tuple[int, str, str]:
    """(exit code, stdout, what reached the terminal on stderr) of one CLI run whose
    stderr is a pseudo-terminal."""
    master, slave = pty.openpty()
    env = dict(os.environ, INCIDENT_TUI_DB=str(db_path), INCIDENT_TUI_NOW=FROZEN_AT.isoformat())
    child = subprocess.Popen(
        [sys.executable, "-m", "incident_tui", *argv],
        stdout=subprocess.PIPE,
        stderr=slave,
        stdin=subprocess.DEVNULL,
        env=env,
    )
    os.close(slave)
    seen = b""
    while True:  # until the terminal closes (EIO on Linux once the child is gone)
        select.select([master], [], [])
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        seen += data
    os.close(master)
    out = child.stdout.read().decode() if child.stdout else ""
    return child.wait(), out, seen.decode("utf-8", "replace")


def _export_of(cli: CliRunner, tmp_path: Path, entries: int) -> Path:
    assert cli("declare", "Kafka throttled", "-s", "2").returncode == 0
    doc = json.loads(cli("export", "INC-1", "--format", "json").stdout)
    model = doc["record"]["entries"][-1]
    doc["record"]["entries"] = [dict(model, text=f"entry {i}") for i in range(entries)]
    doc["record"]["title"] = "Kafka throttled (copy)"
    path = tmp_path / "export.json"
    path.write_text(json.dumps(doc))
    return path


def test_import_shows_its_progress_on_a_terminal_only(
    cli: CliRunner, tmp_path: Path, db_path: Path
) -> None:
    path = _export_of(cli, tmp_path, 2_000)
    code, out, terminal = _on_a_terminal(["import", str(path)], db_path)
    assert code == 0 and out.strip() == "INC-2"
    for stage in ("checking:", "checking entries:", "writing:"):
        assert f"\r{stage}" in terminal, terminal
    assert "\rwriting: 100% (2,000 of 2,000 entries)" in terminal
    assert terminal.endswith("\r\x1b[K")  # the line is erased at the end
    piped = cli("import", str(path))  # stderr a pipe: not a byte of progress
    assert piped.returncode == 0 and "%" not in piped.stderr and "\r" not in piped.stderr


def test_export_shows_it_is_working_on_a_terminal_only(
    cli: CliRunner, tmp_path: Path, db_path: Path
) -> None:
    assert cli("declare", "Checkout failing", "-s", "1").returncode == 0
    target = tmp_path / "pm.md"
    code, out, terminal = _on_a_terminal(["export", "INC-1", "-o", str(target)], db_path)
    assert code == 0 and out.strip() == str(target) and target.exists()
    assert "\rexport INC-1: reading" in terminal and "\rexport INC-1: markdown" in terminal
    assert terminal.endswith("\r\x1b[K")
    piped = cli("export", "INC-1", "--format", "json")
    assert piped.returncode == 0 and piped.stderr == ""
    json.loads(piped.stdout)  # stdout is the export alone


def test_a_drill_in_the_terminal_shows_how_far_it_got(cli: CliRunner, db_path: Path) -> None:
    assert cli("declare", "Checkout failing", "-s", "1").returncode == 0
    for text in ("alert fired", "rolled back"):
        assert cli("log", "INC-1", text).returncode == 0
    code, out, terminal = _on_a_terminal(
        ["drill", "INC-1", "--speed", "600", "--no-open", "--as", "coach"], db_path
    )
    assert code == 0 and out.splitlines()[0] == "INC-2"
    assert "\rdrill INC-2: " in terminal and "events)" in terminal
    assert "100% (2 of 2 events)" in terminal
    assert "\r" not in out  # the event lines on stdout stay clean
    piped = cli("drill", "INC-1", "--speed", "600", "--no-open", "--as", "coach")
    assert piped.returncode == 0 and piped.stderr == ""
