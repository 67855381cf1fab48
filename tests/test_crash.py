"""kill -9 of CLI writers at random moments: every write a writer acknowledged (its line
on stdout) is in the database, nothing is half-written, and the file stays sound."""

from __future__ import annotations

import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import FROZEN_AT, CliRunner

TRIALS = 100
AT_ONCE = 4
"""Writers killed together, so some die while others wait on the lock they held."""
ACKNOWLEDGED = re.compile(r"^INC-1: note #(\d+) at ", re.MULTILINE)


def _writer(db: Path, text: str) -> subprocess.Popen:
    env = dict(os.environ, INCIDENT_TUI_DB=str(db), INCIDENT_TUI_NOW=FROZEN_AT.isoformat())
    return subprocess.Popen(
        [sys.executable, "-m", "incident_tui", "log", "INC-1", text],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )


def test_kill_9_of_writers_at_random_moments_loses_no_acknowledged_write(
    cli: CliRunner, db_path: Path
) -> None:
    assert cli("declare", "Crash trials", "-s", "3").returncode == 0
    # How long one writer takes here and now (a loaded machine is slower): the random
    # moments spread over a whole writer's life, start-up, transaction and exit.
    start = time.monotonic()
    _writer(db_path, "probe").communicate()
    life = time.monotonic() - start
    rng = random.Random(16)
    acknowledged: dict[int, str] = {}
    killed = 0
    for batch in range(TRIALS // AT_ONCE):
        texts = [f"trial {batch}-{i}" for i in range(AT_ONCE)]
        writers = [_writer(db_path, text) for text in texts]
        for writer in writers:
            # Wait on the process itself (it may end first), then kill it if it has not.
            try:
                writer.wait(timeout=rng.uniform(0, life * 1.1))
            except subprocess.TimeoutExpired:
                writer.send_signal(signal.SIGKILL)
                killed += 1
        for writer, text in zip(writers, texts, strict=True):
            out, _ = writer.communicate()
            for number in ACKNOWLEDGED.findall(out):
                acknowledged[int(number)] = text
    assert killed >= TRIALS // 4, f"only {killed} of {TRIALS} writers were killed"

    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        rows = dict(conn.execute("SELECT id, text FROM timeline_entry WHERE incident_id = 1"))
        trials = [t for t in rows.values() if t.startswith("trial ")]
        counted = conn.execute("SELECT count(*) FROM timeline_entry").fetchone()[0]
    finally:
        conn.close()
    for number, text in acknowledged.items():
        assert rows.get(number) == text  # acknowledged means committed
    assert len(trials) == len(set(trials)) <= TRIALS  # each written at most once
    assert counted == len(rows)
    assert cli("show", "INC-1", "--json").returncode == 0
    assert cli("check").returncode == 0
    print(
        f"\n{killed} of {TRIALS} writers killed, {len(acknowledged)} acknowledged, "
        f"{len(trials)} written"
    )  # pytest -s shows it
