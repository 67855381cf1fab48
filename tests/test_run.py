"""`incident-tui run KEY -- CMD …`: the command runs with its output live, and the
timeline gets one `action` entry saying what was run, how it ended and how long it took."""

from __future__ import annotations

import json
import os
import re
import select
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import FROZEN_AT, CliRunner, table_dump

PY = sys.executable
BACKSTOP_S = 120
"""Upper bounds on waits: they only turn a hang into a failure, on any machine's load."""
ENTRY = re.compile(r"^ran `(?P<cmd>.*)` → (?P<end>exit -?\d+|killed by \w+) in (?P<s>\d+\.\d) s$")
# Counts the SIGINTs it gets (each delivery writes a byte to the wake-up pipe: Python
# itself would run its handler once for two quick ones); says "ready" once it listens;
# exits 5 after the first one.
COUNTER = """
import os, signal, sys, time
r, w = os.pipe()
os.set_blocking(w, False)
signal.set_wakeup_fd(w)
signal.signal(signal.SIGINT, lambda *a: None)
print("ready", flush=True)
got = b""
end = time.time() + 120
while not got and time.time() < end:
    time.sleep(0.02)
    os.set_blocking(r, False)
    try:
        got = os.read(r, 100)
    except BlockingIOError:
        pass
time.sleep(0.5)
try:
    got += os.read(r, 100)
except BlockingIOError:
    pass
print(f"child got {got.count(signal.SIGINT)} SIGINT", flush=True)
sys.exit(5)
"""


@pytest.fixture
def inc1(cli: CliRunner, migrated_path: Path) -> str:
    # migrated_path: the file at the schema head already, so no process migrates it.
    result = cli("declare", "Indexer broken", "--severity", "2", "--as", "mira")
    assert result.stdout == "INC-1\n", result.stderr
    return "INC-1"


def timeline(cli: CliRunner, key: str = "INC-1") -> list[dict]:
    result = cli("show", key, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["timeline"]


def actions(cli: CliRunner) -> list[dict]:
    return [e for e in timeline(cli) if e["kind"] == "action"]


def test_the_command_runs_and_one_action_entry_says_how_it_went(cli: CliRunner, inc1: str) -> None:
    script = "import sys; print('to stdout'); print('to stderr', file=sys.stderr); sys.exit(3)"
    result = cli("run", inc1, "--as", "raj", "--", PY, "-c", script)
    assert result.returncode == 3  # the command's own exit code
    assert result.stdout == "to stdout\n"  # nothing of ours mixed into its output
    assert result.stderr.startswith("to stderr\n")
    [entry] = actions(cli)
    match = ENTRY.match(entry["text"])
    assert match, entry["text"]
    assert shlex.split(match["cmd"]) == [PY, "-c", script]  # shell-quoted: it can be rerun
    assert match["end"] == "exit 3"
    assert (entry["author"], entry["occurred_at"]) == ("raj", "2026-11-24T09:02:00Z")
    assert result.stderr.endswith(f"incident-tui: INC-1 #{entry['id']}: {entry['text']}\n")


def test_the_duration_is_measured(cli: CliRunner, inc1: str) -> None:
    result = cli("run", inc1, "--", PY, "-c", "import time; time.sleep(1.2)")
    assert result.returncode == 0
    [entry] = actions(cli)
    seconds = float(ENTRY.match(entry["text"])["s"])
    assert 1.2 <= seconds < BACKSTOP_S  # a lower bound: a loaded machine may take long


def test_output_is_shown_while_the_command_still_runs(
    cli: CliRunner, inc1: str, db_path: Path
) -> None:
    script = "import time; print('step 1', flush=True); time.sleep(30)"
    env = {**os.environ, "INCIDENT_TUI_DB": str(db_path), "INCIDENT_TUI_NOW": "2026-11-24T09:02Z"}
    proc = subprocess.Popen(
        [PY, "-m", "incident_tui", "run", inc1, "--", PY, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout.readline() == "step 1\n"
        assert proc.poll() is None  # still running: the line came live, not at the end
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=BACKSTOP_S)
    finally:
        proc.kill()
    assert proc.returncode == 128 + signal.SIGTERM
    assert "interrupted by SIGTERM" in err
    [entry] = actions(cli)
    assert "→ interrupted by SIGTERM after" in entry["text"]


def test_an_unknown_incident_runs_nothing(cli: CliRunner, inc1: str, tmp_path: Path) -> None:
    marker = tmp_path / "rolled-back"
    before = table_dump(tmp_path / "incidents.db")
    result = cli("run", "INC-7", "--", "touch", str(marker))
    assert result.returncode == 1
    assert result.stderr == "incident-tui: error: no incident INC-7\n"
    assert not marker.exists()
    assert table_dump(tmp_path / "incidents.db") == before
    bad = cli("run", "INX-1", "--", "touch", str(marker))
    assert bad.returncode == 1 and not marker.exists()


def test_a_command_that_cannot_start_is_logged_as_tried(
    cli: CliRunner, inc1: str, tmp_path: Path
) -> None:
    missing = cli("run", inc1, "--", "kubectl-not-installed", "rollout", "undo")
    assert missing.returncode == 127
    assert missing.stdout == ""
    [line] = missing.stderr.splitlines()
    assert line.startswith(
        "incident-tui: error: cannot run kubectl-not-installed: command not found; INC-1 #"
    )
    runbook = tmp_path / "rollback.sh"
    runbook.write_text("#!/bin/sh\necho rolled back\n")
    runbook.chmod(0o644)  # forgot chmod +x
    not_executable = cli("run", inc1, "--", str(runbook))
    assert not_executable.returncode == 126
    assert [e["text"] for e in actions(cli)] == [
        "tried to run `kubectl-not-installed rollout undo` → could not start: command not found",
        f"tried to run `{runbook}` → could not start: permission denied",
    ]


def test_no_shell_and_the_command_line_is_data(cli: CliRunner, inc1: str, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    hostile = f"$(touch {marker}); [bold]x[/] \x1b[2J\x1b]52;c;aGk=\x07\nline2"
    result = cli("run", inc1, "--", "echo", hostile)
    assert result.returncode == 0
    assert not marker.exists()  # no shell ever saw it
    assert result.stdout == hostile + "\n"  # the command got its argument untouched
    [entry] = actions(cli)
    assert "\x1b" not in entry["text"] and "\x07" not in entry["text"]
    assert entry["text"].startswith(f"ran `echo '$(touch {marker}); [bold]x[/] ")


def test_huge_command_lines_are_cut_in_the_entry(cli: CliRunner, inc1: str) -> None:
    result = cli("run", inc1, "--", PY, "-c", "pass", *(["--flag"] * 5000))
    assert result.returncode == 0
    [entry] = actions(cli)
    assert len(entry["text"]) < 500
    assert "…` → exit 0 in " in entry["text"]


def test_options_after_the_dashes_belong_to_the_command(cli: CliRunner, inc1: str) -> None:
    args = ("echo", "--as", "x", "--at", "-5m", "--", "--db", "y")
    result = cli("--as", "ana", "run", inc1, "--", *args)
    assert result.returncode == 0
    assert result.stdout == "--as x --at -5m -- --db y\n"  # exactly as given
    [entry] = actions(cli)
    assert entry["author"] == "ana"
    assert entry["text"].startswith("ran `echo --as x --at -5m -- --db y` → exit 0")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("run", "INC-1", "echo", "hi"), "put -- before the command"),
        (("run", "INC-1", "--"), "no command after --"),
        (("run",), "the following arguments are required: KEY"),
    ],
)
def test_usage_mistakes(cli: CliRunner, inc1: str, args: tuple, message: str) -> None:
    result = cli(*args)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert message in line
    assert actions(cli) == []


def _start(db_path: Path, *argv: str, **popen) -> subprocess.Popen:
    env = {**os.environ, "INCIDENT_TUI_DB": str(db_path), "INCIDENT_TUI_NOW": "2026-11-24T09:02Z"}
    return subprocess.Popen([PY, "-m", "incident_tui", *argv], env=env, **popen)


def test_an_interrupt_is_passed_on_logged_and_exits_130(
    cli: CliRunner, inc1: str, db_path: Path
) -> None:
    # SIGINT to incident-tui alone (a script, `timeout -s INT`): the command gets it once.
    proc = _start(
        db_path,
        "run",
        inc1,
        "--",
        PY,
        "-c",
        COUNTER,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline() == "ready\n"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=BACKSTOP_S)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert out == "child got 1 SIGINT\n"
    [entry] = actions(cli)
    assert re.match(
        rf"^ran `{re.escape(PY)} -c .*` → interrupted by Ctrl-C after \d+\.\d s \(exit 5\)$",
        entry["text"],
        re.DOTALL,
    ), entry["text"]
    assert entry["occurred_at"] == FROZEN_AT.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert "Traceback" not in err


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a pty and Linux signals")
def test_ctrl_c_in_a_terminal_reaches_the_command_once(
    cli: CliRunner, inc1: str, db_path: Path
) -> None:
    import pty

    env = {**os.environ, "INCIDENT_TUI_DB": str(db_path), "INCIDENT_TUI_NOW": "2026-11-24T09:02Z"}
    argv = [PY, "-m", "incident_tui", "run", inc1, "--", PY, "-c", COUNTER]
    pid, leader = pty.fork()  # a new session whose controlling terminal is the pty
    if pid == 0:  # pragma: no cover — the child
        os.execve(PY, argv, env)
    output = b""

    def read_until(needle: bytes, seconds: float = BACKSTOP_S) -> None:
        nonlocal output
        end = time.monotonic() + seconds
        while needle not in output and time.monotonic() < end:
            ready, _, _ = select.select([leader], [], [], 0.1)
            if ready:
                try:
                    output += os.read(leader, 4096)
                except OSError:
                    return

    try:
        read_until(b"ready")
        assert b"ready" in output
        os.write(leader, b"\x03")  # Ctrl-C, typed
        read_until(b"INC-1 #")
        _, status = os.waitpid(pid, 0)
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.close(leader)
    assert os.waitstatus_to_exitcode(status) == 130
    assert b"child got 1 SIGINT" in output  # not two: the terminal already told it
    [entry] = actions(cli)
    assert "interrupted by Ctrl-C" in entry["text"]
