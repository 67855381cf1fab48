"""A profile for every MISS row of issue 18's table, taken once each (not per repeat):

- in-process rows (read, export, metrics, search, Enter, another process's change):
  cProfile of one call (Enter and the live rows: the presses / writes only, main thread
  CPU), the top entries by cumulative share and the self time summed per package;
- process rows (`incident-tui log`): `python -X importtime`, the import self time summed
  per top-level package, as shares of the process's wall time;
- the app in its pty (first paint, idle CPU): cProfile (main thread CPU) inside the app
  process, dumped on a signal when the marker is on screen / after the idle window;
- memory: tracemalloc inside the app process, a snapshot once the whole timeline is
  loaded, grouped by package and by line.

`take(keys, ctx)` returns {key: {"how", "top": [{"name", "cum_pct", "self_pct"}, …],
"packages": [{"name", "pct"}, …]}}; `why_blocks(rows, profiles)` prints them.
"""

from __future__ import annotations

import asyncio
import cProfile
import json
import linecache
import os
import pstats
import re
import signal
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ptys import BIN, PtyProcess  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
TOP = 8
# Plumbing that sits on every stack of an asyncio/Textual profile: never a hot spot.
PLUMBING = re.compile(
    r"^(asyncio|runpy|selectors|threading|contextlib|textual\.message_pump|"
    r"textual\._callback|textual\.app\.run|cProfile|profiles)\b"
)

# (row figure starts with, key); the first match wins.
KEYS = (
    ("newest entries on screen", "first_paint"),
    ("Enter →", "enter"),
    ("same, wall p99", "enter"),
    ("idle CPU", "idle"),
    ("open a 100k-entry", "read"),
    ("export 100k entries, Markdown", "export_markdown"),
    ("export 100k entries, JSON", "export_json"),
    ("metrics over 365", "metrics"),
    ("search, worst", "search"),
    ("`incident-tui log`", "log"),
    ("another process's change drawn, SQLite", "live_sqlite"),
    ("another process's change drawn, PostgreSQL", "live_postgresql"),
    ("memory with 100k", "memory"),
)

# One sentence per row: the floor the figure runs into (formatted with the row's figures).
FLOORS = {
    "first_paint": "a minimal Textual app alone takes {floor:.0f} ms to paint here; the app "
    "adds the imports of SQLAlchemy/SQLModel/alembic and its own screens on top (a bare app "
    "with only those imports is in first_paint.median_s.bare_imports).",
    "enter": "the bare Input+Static app spends {floor:.1f} ms of CPU per Enter in the pilot "
    "and one frame; the rest is the commit (synchronous=FULL, fsync) and the timeline's "
    "repaint, listed above.",
    "idle": "a bare app ticking one Static uses {floor:.2f} % of a core; every countdown, "
    "the clock and the change feed's checks each cost a compositor pass on top.",
    "read": "sqlite3 alone returns these rows in {floor:.0f} ms on this machine; building "
    "one Entry per row (datetime parsing included) is the rest.",
    "export_markdown": "the rows alone, read with sqlite3 and written with json.dumps, take "
    "{floor:.0f} ms here, so the export cannot be under that; the rest is per-entry "
    "formatting.",
    "export_json": "the rows alone, read with sqlite3 and written with json.dumps, take "
    "{floor:.0f} ms here, so the export cannot be under that; the rest is per-entry dicts.",
    "metrics": "the period's incidents and their events are read and folded in Python; "
    "SQLite's scan of them is the part no code change removes.",
    "search": "SQLite's FTS5 match and the rows it returns set the floor; the rest is "
    "building the hits.",
    "log": "`import sqlmodel` alone is {floor:.0f} ms (SQLAlchemy + pydantic); what is not "
    "imports is the command itself, including its synchronous=FULL commit.",
    "live_sqlite": "the change reaches the screen at the next data_version check plus a "
    "read of what changed and a frame; the profile is the reading screen's CPU.",
    "live_postgresql": "the change arrives through LISTEN/NOTIFY, then the same read and "
    "frame as SQLite; a loaded server adds its own latency.",
    "memory": "the interpreter with Textual, SQLAlchemy and pydantic imported is most of "
    "the first tens of MB before any entry is read (the package shares above).",
}


def key_of(figure: str) -> str | None:
    return next((key for start, key in KEYS if figure.startswith(start)), None)


# ------------------------------------------------------------------------------ cProfile


def _module(filename: str) -> str:
    """'…/site-packages/sqlalchemy/engine/result.py' → 'sqlalchemy.engine.result'."""
    if filename.startswith("<frozen "):
        return filename[len("<frozen ") : -1]
    if filename.startswith("<"):
        return "<string>"  # generated code: NamedTuple.__new__, dataclass/pydantic methods
    path = filename
    if "site-packages/" in path:
        path = path.rsplit("site-packages/", 1)[1]
    elif path.startswith(str(REPO)):
        path = path[len(str(REPO)) + 1 :].removeprefix("benchmarks/")
    elif "/lib/python3" in path:
        path = path.rsplit("/lib/python3", 1)[1].split("/", 1)[-1]
    return path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def _builtin_package(name: str) -> str:
    found = re.search(r"of '([\w.]+)", name) or re.search(r"method ([\w]+)\.", name)
    owner = found.group(1).split(".")[0] if found else "builtins"
    return f"{owner} (C)"


def _name(func: tuple[str, int, str]) -> tuple[str, str]:
    """(display name, package) of a pstats function key."""
    filename, _line, funcname = func
    if filename == "~":
        return funcname.strip("{}<>"), _builtin_package(funcname)
    module = _module(filename)
    return f"{module}.{funcname}", module.split(".")[0]


def summarise(stats: pstats.Stats) -> dict:
    entries = stats.stats  # type: ignore[attr-defined]
    total = sum(tt for (_cc, _nc, tt, _ct, _callers) in entries.values()) or 1e-9
    packages: dict[str, float] = defaultdict(float)
    # A function that hands (nearly) all its time to one callee is a link of a chain:
    # list the callee, where the chain ends, not every link.
    biggest_callee: dict[tuple, float] = defaultdict(float)
    for func, (_cc, _nc, _tt, _ct, callers) in entries.items():
        for caller, edge in callers.items():
            if caller != func:
                biggest_callee[caller] = max(biggest_callee[caller], edge[3])
    top = []
    for func, (_cc, _nc, tt, ct, _callers) in entries.items():
        name, package = _name(func)
        packages[package] += tt
        if PLUMBING.match(name) or "_lsprof" in name or ct / total >= 0.97:
            continue
        if biggest_callee[func] >= ct - 0.02 * total:
            continue
        top.append({"name": name, "cum_pct": 100 * ct / total, "self_pct": 100 * tt / total})
    top.sort(key=lambda e: -e["cum_pct"])
    return {
        "total_s": total,
        "top": top[:TOP],
        "packages": [
            {"name": name, "pct": 100 * seconds / total}
            for name, seconds in sorted(packages.items(), key=lambda kv: -kv[1])[:6]
        ],
    }


def profile_call(fn: Callable[[], object], timer: Callable[[], float] | None = None) -> dict:
    profiler = cProfile.Profile(timer) if timer else cProfile.Profile()
    profiler.runcall(fn)
    return summarise(pstats.Stats(profiler))


# ------------------------------------------------------------------------- in-process


def _in_process(key: str, ctx: dict) -> dict:
    from incident_tui.domain.policy import DEFAULT_POLICY
    from incident_tui.formats import export
    from incident_tui.store import postmortem_reads, reports, timeline_reads
    from incident_tui.store.database import open_database

    target = ctx["across"] if key in ("metrics", "search") else ctx["big"]
    db = open_database(target)
    try:
        if key == "read":
            timeline_reads.read_incident(db, 1)  # warm, as the timed runs are
            return {
                "how": "cProfile, one read_incident",
                **profile_call(lambda: timeline_reads.read_incident(db, 1)),
            }
        if key.startswith("export_"):
            fmt = key.removeprefix("export_")

            def render() -> None:
                draft = postmortem_reads.postmortem_draft(db, 1, now=datetime.now(UTC))
                export.render(draft, fmt)

            render()
            return {"how": f"cProfile, one {fmt} export", **profile_call(render)}
        if key == "metrics":
            from datetime import timedelta

            from across import NOW

            def trends() -> None:
                reports.trends(
                    db,
                    since=NOW - timedelta(days=365),
                    until=NOW,
                    today=NOW.date(),
                    policy=DEFAULT_POLICY,
                )

            trends()
            return {"how": "cProfile, one reports.trends (365 days)", **profile_call(trends)}
        query = ctx["search_query"]
        reports.search(db, query)
        return {
            "how": f"cProfile, one reports.search({query!r})",
            **profile_call(lambda: reports.search(db, query)),
        }
    finally:
        db.dispose()


def _pilot(key: str, ctx: dict) -> dict:
    import pilot

    profiler = cProfile.Profile(time.thread_time)
    if key == "enter":
        asyncio.run(pilot._enter_latency(ctx["big"], ctx["entries"], 20, profiler=profiler))
        how = "cProfile (main thread CPU) of 20 presses"
    else:
        name = key.removeprefix("live_")
        target = str(ctx["workdir"] / "live-profile.db")
        if name == "postgresql":
            target = pilot._pg_schema(pilot.PG_URL)
            if target is None:
                return {"how": "skipped: no PostgreSQL server", "top": [], "packages": []}
        try:
            asyncio.run(pilot._live_latency(target, 10, ctx["workdir"], profiler=profiler))
        finally:
            if name == "postgresql":
                pilot._drop_pg_schema(target)
        how = "cProfile (main thread CPU) of the reading app over 10 writes"
    return {"how": how, **summarise(pstats.Stats(profiler))}


# ---------------------------------------------------------------------------- processes


def importtime(argv: list[str], env: dict[str, str]) -> dict:
    """`python -X importtime` of a command: import self time per top-level package as a
    share of the process's wall time, and what was not imports."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-X", "importtime", *argv], env=env, capture_output=True, text=True
    )
    wall_us = (time.perf_counter() - started) * 1e6
    packages: dict[str, int] = defaultdict(int)
    for line in result.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[0].strip().isdigit():
            packages[parts[2].strip().split(".")[0]] += int(parts[0])
    imports = sum(packages.values())
    shares = [
        {"name": n, "pct": 100 * us / wall_us}
        for n, us in sorted(packages.items(), key=lambda kv: -kv[1])[: TOP - 1]
    ]
    shown = sum(packages[s["name"]] for s in shares)
    shares.append({"name": "other packages", "pct": 100 * (imports - shown) / wall_us})
    shares.append(
        {
            "name": "not imports (the command itself, start-up)",
            "pct": 100 * max(0.0, wall_us - imports) / wall_us,
        }
    )
    return {
        "how": f"python -X importtime, {wall_us / 1000:.0f} ms wall",
        "top": [],
        "packages": shares,
    }


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
        packages[_module(filename).split(".")[0]] += size
    top = [
        {
            "name": f"{_module(f)}:{line}  {linecache.getline(f, line).strip()[:60]}",
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


# ---------------------------------------------------------------------------- the lot


def take(keys: list[str], ctx: dict, say: Callable[[str], None]) -> dict[str, dict]:
    profiles: dict[str, dict] = {}
    for key in dict.fromkeys(keys):
        say(f"  profile: {key} …")
        try:
            if key in ("read", "export_markdown", "export_json", "metrics", "search"):
                profiles[key] = _in_process(key, ctx)
            elif key in ("enter", "live_sqlite", "live_postgresql"):
                profiles[key] = _pilot(key, ctx)
            elif key == "log":
                cli = str(BIN / "incident-tui")
                profiles[key] = importtime([cli, "log", "INC-1", "profiled"], ctx["log_env"])
            else:
                profiles[key] = in_pty(key, ctx)
        except Exception as error:  # a profile must not sink the table
            profiles[key] = {
                "how": f"failed: {type(error).__name__}: {error}",
                "top": [],
                "packages": [],
            }
    return profiles


def why_blocks(rows: list, profiles: dict[str, dict]) -> str:
    lines: list[str] = []
    shown: set[str] = set()
    for row in rows:
        key = key_of(row.figure)
        if row.ok is not False or key not in profiles:
            continue
        profile = profiles[key]
        now = "—" if row.now is None else f"{row.now:.1f} {row.unit}"
        if key in shown:
            lines.append(f"\nwhy: {row.figure} — {now}, goal {row.goal}: the profile above")
            continue
        shown.add(key)
        lines.append(f"\nwhy: {row.figure} — {now}, goal {row.goal} ({profile['how']})")
        if profile["packages"]:
            shares = ", ".join(f"{p['name']} {p['pct']:.0f}%" for p in profile["packages"])
            lines.append(f"  by package: {shares}")
        for entry in profile["top"]:
            own = "" if entry["self_pct"] is None else f" (self {entry['self_pct']:4.1f}%)"
            lines.append(f"  {entry['cum_pct']:5.1f}%{own}  {entry['name']}")
        floor = row.floor_value if row.floor_value is not None else 0.0
        lines.append("  floor: " + FLOORS[key].format(floor=floor, now=row.now or 0.0))
    return "\n".join(lines)
