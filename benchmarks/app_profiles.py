"""Profiles taken inside the app's own process, in its pty: cProfile (main thread CPU)
from spawn to the marker on screen (first paint) or over an idle window, and a
tracemalloc snapshot once the whole timeline is loaded (memory). The app runs under
WRAPPER, which dumps on a signal."""

from __future__ import annotations

import json
import linecache
import os
import pstats
import signal
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from profile_summary import TOP, module_of, summarise  # noqa: E402
from ptys import BIN, PtyProcess  # noqa: E402

WRAPPER = """\
import cProfile, json, os, signal, sys, time, runpy
mode, out, script = sys.argv[1], sys.argv[2], sys.argv[3]
sys.argv = [script, *sys.argv[4:]]
if mode == "memory":
    import tracemalloc
    tracemalloc.start(1)

    def dump(*_):
        snapshot = tracemalloc.take_snapshot()
        lines = [(s.traceback[0].filename, s.traceback[0].lineno, s.size)
                 for s in snapshot.statistics("lineno")]
        current, peak = tracemalloc.get_traced_memory()
        with open(out + ".tmp", "w") as f:
            json.dump({"lines": lines, "current": current, "peak": peak}, f)
        os.replace(out + ".tmp", out)
        os._exit(0)

    signal.signal(signal.SIGUSR1, dump)
else:
    state = {"p": cProfile.Profile(time.thread_time)}

    def dump(number):
        state["p"].disable()
        state["p"].dump_stats(f"{out}.{number}.tmp")
        os.replace(f"{out}.{number}.tmp", f"{out}.{number}")

    def again(*_):  # USR1: what ran until now (first paint); start afresh (idle window)
        dump(1)
        state["p"] = cProfile.Profile(time.thread_time)
        state["p"].enable()

    def stop(*_):
        dump(2)
        os._exit(0)

    signal.signal(signal.SIGUSR1, again)
    signal.signal(signal.SIGUSR2, stop)
    state["p"].enable()
runpy.run_path(script, run_name="__main__")
"""


def _wait_file(path: Path, seconds: float = 30.0) -> bool:
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        if path.exists():  # written whole, then renamed
            return True
        time.sleep(0.1)
    return False


def in_pty(mode: str, ctx: dict) -> dict:
    """Run the app under WRAPPER in a pty; first paint: profile spawn → marker; idle:
    profile a window after the marker; memory: tracemalloc once the timeline is loaded."""
    workdir: Path = ctx["workdir"]
    wrapper = workdir / "profile_wrapper.py"
    wrapper.write_text(WRAPPER)
    out = workdir / f"profile-{mode}"
    env, marker = (
        (ctx["small_env"], ctx["ready"]) if mode == "idle" else (ctx["big_env"], ctx["marker"])
    )
    kind = "memory" if mode == "memory" else "cprofile"
    argv = [
        sys.executable,
        str(wrapper),
        kind,
        str(out),
        str(BIN / "incident-tui"),
        "open",
        "INC-1",
    ]
    with PtyProcess(argv, env) as proc:
        if proc.wait_for(marker, 120) is None:
            return {"how": f"failed: {proc.tail_text(200)!r}", "top": [], "packages": []}
        if mode == "memory":
            proc.wait_for(ctx["loaded"], 120)
            proc.pump(1.0)
            os.kill(proc.pid, signal.SIGUSR1)
            proc.pump(0.5)
            return (
                _memory(out)
                if _wait_file(out, 60)
                else {"how": "no snapshot", "top": [], "packages": []}
            )
        if mode == "idle":
            proc.pump(1.0)
        os.kill(proc.pid, signal.SIGUSR1)
        if mode == "idle":
            proc.pump(ctx["idle_window"])
        os.kill(proc.pid, signal.SIGUSR2)
        proc.pump(0.5)
        number = 1 if mode == "first_paint" else 2
        dumped = Path(f"{out}.{number}")
        if not _wait_file(dumped):
            return {"how": "no profile written", "top": [], "packages": []}
    how = (
        "cProfile (main thread CPU) in the app, spawn → marker"
        if mode == "first_paint"
        else f"cProfile (main thread CPU) in the app, {ctx['idle_window']:.0f} s idle"
    )
    return {"how": how, **summarise(pstats.Stats(str(dumped)))}


def _memory(out: Path) -> dict:
    data = json.loads(out.read_text())
    total = data["current"] or 1
    packages: dict[str, int] = defaultdict(int)
    for filename, _line, size in data["lines"]:
        packages[module_of(filename).split(".")[0]] += size
    top = [
        {
            "name": f"{module_of(f)}:{line}  {linecache.getline(f, line).strip()[:60]}",
            "cum_pct": 100 * size / total,
            "self_pct": None,
        }
        for f, line, size in data["lines"][:TOP]
    ]
    return {
        "how": f"tracemalloc in the app: {data['current'] / 2**20:.0f} MB traced now, "
        f"peak {data['peak'] / 2**20:.0f} MB (VmHWM adds the interpreter and C libraries)",
        "top": top,
        "packages": [
            {"name": n, "pct": 100 * size / total}
            for n, size in sorted(packages.items(), key=lambda kv: -kv[1])[:6]
        ],
    }
