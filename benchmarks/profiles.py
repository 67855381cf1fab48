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
import pstats
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from app_profiles import in_pty  # noqa: E402
from profile_summary import TOP, summarise  # noqa: E402
from ptys import BIN  # noqa: E402

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
    ("`make test`", "suite"),
)

# One sentence per row: the floor the figure runs into (formatted with the row's figures).
FLOORS = {
    "first_paint": "a minimal Textual app alone takes {floor:.0f} ms to paint here. The "
    "app already paints before SQLAlchemy is imported (its first look reads SQLite "
    "directly; a bare app that imports SQLAlchemy/SQLModel first is slower than the app: "
    "first_paint.median_s.bare_imports); what remains is its own imports (~45 ms) and "
    "Textual styling and laying out the war room's 24 widgets (13 layout passes in the "
    "profile before the first frame), where the minimal app has one.",
    "enter": "the bare Input+Static app spends {floor:.1f} ms of CPU per Enter in the pilot "
    "and one frame of one changed line. The war room's one frame per Enter (the cleared "
    "line and the new row together: widgets/paint_hold.py) repaints the whole timeline "
    "pane (72×32 at 120×36): following the newest moves every visible row up one, and "
    "Textual's compositor has no scroll blit. "
    "A bare Textual app whose bordered log pane follows its newest line pays that repaint "
    "too: its figure is in the row's note (enter.bare_scrolling in the JSON). The commit "
    "itself (synchronous=FULL) runs in the writer's thread.",
    "idle": "a bare app ticking one Static uses {floor:.2f} % of a core. Each second the "
    "war room changes two widgets, the heading's clock and the countdowns pane, and "
    "nothing else (no layout, no other repaint: counted in the app, in a pty); their "
    "union is a 120×9 region whose every widget the compositor walks, against the bare "
    "app's one line — the shares above are that pass.",
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
    "log": "`import sqlmodel` alone is {floor:.0f} ms (SQLAlchemy + pydantic). On top, "
    "building the 17 SQLModel tables is ~65-90 ms of the import (store.models' own line "
    "in -X importtime), configuring their mappers ~15 ms at the first insert, the "
    "package's other modules ~40 ms, the parser and config ~25 ms; ≤ 1.15× would need the "
    "shared write operation itself to go without the ORM models (SQLAlchemy Core), for "
    "every caller, not a shortcut of the CLI's own.",
    "live_sqlite": "the change reaches the screen at the next data_version check plus a "
    "read of what changed and a frame; the profile is the reading screen's CPU.",
    "live_postgresql": "the change arrives through LISTEN/NOTIFY, then the same read and "
    "frame as SQLite; a loaded server adds its own latency.",
    "suite": "the tmux tests wait on a real terminal and the PostgreSQL ones on the server; "
    "the slowest are listed above.",
    "memory": "the same app on a 4-entry incident already holds {floor:.0f} MB (the "
    "interpreter, Textual, SQLAlchemy, pydantic: the module code is the `importlib` share "
    "above); 100k entries' own ids, texts and instants are ~28 MB more as Python objects, "
    "so ≤ 100 MB would need the timeline off the heap (rows read from SQLite as they "
    "scroll into view), not a smaller per-entry cost.",
}


def key_of(figure: str) -> str | None:
    return next((key for start, key in KEYS if figure.startswith(start)), None)


# ------------------------------------------------------------------------------ cProfile


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
    if key == "enter":  # on a copy: the presses add rows, the pty profiles want none
        copy = ctx["workdir"] / "enter-profile.db"
        with sqlite3.connect(ctx["big"]) as source, sqlite3.connect(copy) as target:
            source.backup(target)
        asyncio.run(pilot._enter_latency(copy, ctx["entries"], 20, profiler=profiler))
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


# ---------------------------------------------------------------------------- the lot


def suite_profile(suite: dict) -> dict:
    """The last whole `make test`: its slowest tests (setup, call and teardown)."""
    total = suite.get("test_seconds") or 1e-9
    return {
        "how": f"the slowest tests of the last whole run, {total / 60:.1f} min of test time "
        f"over {suite.get('workers')} workers",
        "top": [
            {"name": f"{name}  {seconds:.1f} s", "cum_pct": 100 * seconds / total, "self_pct": None}
            for name, seconds in suite.get("slowest", [])
        ],
        "packages": [],
    }


def take(keys: list[str], ctx: dict, say: Callable[[str], None]) -> dict[str, dict]:
    profiles: dict[str, dict] = {}
    for key in dict.fromkeys(keys):
        say(f"  profile: {key} …")
        try:
            if key in ("read", "export_markdown", "export_json", "metrics", "search"):
                profiles[key] = _in_process(key, ctx)
            elif key in ("enter", "live_sqlite", "live_postgresql"):
                profiles[key] = _pilot(key, ctx)
            elif key == "suite":
                profiles[key] = suite_profile(ctx.get("suite") or {})
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
