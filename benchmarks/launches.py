"""The app launched from outside, in pseudo-terminals, beside bare Textual apps: spawn to
the newest entry on screen, idle CPU, peak memory."""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ptys import (  # noqa: E402
    BIN,
    CLK_TCK,
    LAUNCH_TIMEOUT_S,
    PtyProcess,
    cpu_seconds,
    median_or_none,
    vm_hwm_mb,
)

BARE_APP = """\
import sys
{imports}
from rich.text import Text
from textual.app import App
from textual.widgets import Static

MARKER = sys.argv[1]


class Bare(App):
    def compose(self):
        yield Static(Text(MARKER))


Bare().run()
"""

TICKER_APP = """\
import sys

from rich.text import Text
from textual.app import App
from textual.widgets import Static

MARKER = sys.argv[1]


class Ticker(App):
    def compose(self):
        self.label = Static(Text(MARKER))
        yield self.label

    def on_mount(self):
        self.ticks = 0
        self.set_interval(1, self.tick)

    def tick(self):
        self.ticks += 1
        self.label.update(Text(f"{MARKER} {self.ticks}"), layout=False)


Ticker().run()
"""

# ----------------------------------------------------------------------------- sections


def launch_until(argv: list[str], env: dict[str, str], marker: str) -> tuple[float | None, str]:
    """Seconds to the marker on screen (None if it never came), and a note on failure."""
    with PtyProcess(argv, env) as proc:
        seconds = proc.wait_for(marker)
        if seconds is not None:
            return seconds, ""
        code = proc.proc.poll()
        if code is not None:
            return None, f"exited with {code} before the marker: {proc.tail_text()!r}"
        return None, f"marker not on screen after {LAUNCH_TIMEOUT_S:.0f} s"


def bench_first_paint(
    workdir: Path, env: dict[str, str], marker: str, repeats: int
) -> dict[str, object]:
    """Spawn-to-marker time: the app on the big incident vs two bare Textual apps."""
    py = sys.executable
    imports = workdir / "bare_imports.py"
    imports.write_text(
        BARE_APP.format(imports="import textual.app\nimport sqlmodel, sqlalchemy, alembic\n")
    )
    minimal = workdir / "bare_minimal.py"
    minimal.write_text(BARE_APP.format(imports="import textual.app\n"))
    variants = {
        "app": [str(BIN / "incident-tui"), "open", "INC-1"],
        "bare_imports": [py, str(imports), marker],
        "bare_minimal": [py, str(minimal), marker],
    }
    samples: dict[str, list[float]] = {name: [] for name in variants}
    failures: dict[str, list[str]] = {name: [] for name in variants}
    given_up: set[str] = set()
    for round_ in range(repeats + 1):  # round 0 warms the caches and is not counted
        for name, argv in variants.items():
            if name in given_up:
                continue
            seconds, note = launch_until(argv, env, marker)
            if seconds is None:
                failures[name].append(note)
                given_up.add(name)  # one 60 s timeout is enough to know; don't repeat it
            elif round_ > 0:
                samples[name].append(seconds)
    medians = {name: median_or_none(values) for name, values in samples.items()}
    app = medians["app"]
    return {
        "repeats": repeats,
        "median_s": medians,
        "samples_s": samples,
        "failures": {name: notes for name, notes in failures.items() if notes},
        "ratio_to_bare_imports": app / medians["bare_imports"]
        if app and medians["bare_imports"]
        else None,
        "ratio_to_bare_minimal": app / medians["bare_minimal"]
        if app and medians["bare_minimal"]
        else None,
    }


def bench_idle(
    workdir: Path, env: dict[str, str], marker: str, window: float, rounds: int = 1
) -> dict:
    """Idle CPU of the war room and of a bare ticker app, each round both side by side over
    the same window (so the machine's noise falls on both), the launch order alternating;
    medians over the rounds."""
    ticker = workdir / "bare_ticker.py"
    ticker.write_text(TICKER_APP)
    argvs = {
        "app": [str(BIN / "incident-tui"), "open", "INC-1"],
        "bare_ticker": [sys.executable, str(ticker), marker],
    }
    runs: dict[str, list[dict]] = {name: [] for name in argvs}
    for round_ in range(rounds):
        order = list(argvs) if round_ % 2 == 0 else list(reversed(argvs))
        for name, figures in idle_together({n: argvs[n] for n in order}, env, marker, window):
            runs[name].append(figures)
    result: dict[str, object] = {"window_s": window, "resolution_pct": 100 / CLK_TCK / window}
    for name, figures in runs.items():
        percents = [f["percent"] for f in figures if f["percent"] is not None]
        notes = [f["note"] for f in figures if f.get("note")]
        result[name] = {
            "percent": median_or_none(percents),
            "samples_pct": percents,
            **({"note": notes[0]} if notes and not percents else {}),
        }
    return result


def idle_together(
    argvs: dict[str, list[str]], env: dict[str, str], marker: str, window: float
) -> list[tuple[str, dict]]:
    """Start every process, wait for each one's marker, then read all their CPU over one
    shared window."""
    procs = {name: PtyProcess(argv, env) for name, argv in argvs.items()}
    try:
        notes: dict[str, str] = {}
        for name, proc in procs.items():
            if proc.wait_for(marker) is None:
                notes[name] = f"not ready: {proc.tail_text(200)!r}"
        _pump_all(procs.values(), 1.0)  # let start-up work (workers, first refreshes) settle
        start = {name: cpu_seconds(p.pid) for name, p in procs.items() if name not in notes}
        wall0 = time.perf_counter()
        _pump_all(procs.values(), window)
        wall = time.perf_counter() - wall0
        out = []
        for name, proc in procs.items():
            if name in notes or proc.proc.poll() is not None:
                out.append((name, {"percent": None, "note": notes.get(name, "exited")}))
                continue
            used = cpu_seconds(proc.pid) - start[name]
            out.append((name, {"percent": 100 * used / wall, "cpu_s": used, "window_s": wall}))
        return out
    finally:
        for proc in procs.values():
            proc.close()


def _pump_all(procs, seconds: float) -> None:  # type: ignore[no-untyped-def]
    """Drain every process's terminal output for `seconds` (a full pty would block it)."""
    deadline = time.perf_counter() + seconds
    while (left := deadline - time.perf_counter()) > 0:
        for proc in procs:
            proc.pump(min(left, 0.05))


def loaded_marker(db_path: Path) -> str:
    """The war room's timeline title once the whole timeline is in memory (the newest
    entries are shown earlier, from a first look, before the full read)."""
    connection = sqlite3.connect(db_path)
    try:
        count = connection.execute(
            "SELECT count(*) FROM timeline_entry WHERE incident_id = 1 AND deleted_at IS NULL"
        ).fetchone()[0]
    finally:
        connection.close()
    return f"{count:,} entries"


def bench_peak_memory(env: dict[str, str], marker: str, loaded: str) -> dict:
    with PtyProcess([str(BIN / "incident-tui"), "open", "INC-1"], env) as proc:
        seen = proc.wait_for(marker)
        if seen is not None:
            seen = proc.wait_for(loaded)  # the whole timeline loaded, not only a first look
        if seen is not None:
            proc.pump(1.0)
        if proc.proc.poll() is not None:
            return {"vm_hwm_mb": None, "note": f"exited: {proc.tail_text(200)!r}"}
        figures: dict[str, object] = {"vm_hwm_mb": vm_hwm_mb(proc.pid), "marker_seen": seen}
        if seen is None:
            figures["note"] = f"marker not on screen after {LAUNCH_TIMEOUT_S:.0f} s; VmHWM then"
        return figures
