"""incident-tui TUI benchmarks: the app measured from outside, in real pseudo-terminals.

    .venv/bin/python benchmarks/app.py            # the full run (100k entries, 10 repeats)
    .venv/bin/python benchmarks/app.py --quick    # fewer repeats, shorter idle window
    .venv/bin/python benchmarks/app.py --json     # machine-readable figures

The sections live in ptys.py (processes in pseudo-terminals), launches.py (spawn, idle,
memory, read) and pilot.py (Enter and another process's write, in-process); table.py
prints issue 18's table from the same sections. Every database is a real SQLite file in
a temporary directory; every process runs in its own pseudo-terminal (120x36,
TERM=xterm-256color) with a temporary HOME, and is killed (its whole process group) and
reaped when its measurement is done.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from launches import (  # noqa: E402
    bench_first_paint,
    bench_idle,
    bench_peak_memory,
    loaded_marker,
)
from pilot import bench_enter, bench_live  # noqa: E402
from ptys import _LIVE, COLS, ROWS, build_big, build_small, make_env  # noqa: E402
from reads import bench_read  # noqa: E402

TARGET_RATIO_IMPORTS = 1.25  # app / bare app importing the same libraries
TARGET_RATIO_MINIMAL = 1.5  # app / minimal Textual app ("best")
TARGET_IDLE_CPU_PCT = 0.5
TARGET_PEAK_MB = 150.0
TARGET_READ_S = 1.0
TARGET_ENTER_P99_MS = 25.0
TARGET_ENTER_CPU_MS = 10.0

# ------------------------------------------------------------------------------ main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000, help="prefilled entries")
    parser.add_argument("--quick", action="store_true", help="fewer repeats, shorter windows")
    parser.add_argument("--json", action="store_true", help="print JSON only")
    parser.add_argument(
        "--only", choices=["live"], help="run one section (live: write → other screen)"
    )
    args = parser.parse_args()
    repeats, window, presses = (3, 10.0, 50) if args.quick else (10, 30.0, 200)
    say = (lambda *_: None) if args.json else (lambda text: print(text, file=sys.stderr))

    with tempfile.TemporaryDirectory(prefix="incident-tui-appbench-") as tmp:
        workdir = Path(tmp)
        # In-process sections must not touch the user's config or data either.
        os.environ.update({k: v for k, v in make_env(workdir, workdir / "none.db").items()})
        os.environ.pop("INCIDENT_TUI_NOW", None)
        try:
            if args.only == "live":
                say("another process's write → on this screen (SQLite, PostgreSQL) …")
                live = bench_live(workdir, 20 if args.quick else 60)
                print(json.dumps(live, indent=2)) if args.json else report_live(live)
                return
            say(f"preparing {args.entries:,} entries …")
            big, big_env, marker = build_big(workdir, args.entries)
            small, small_env, ready_marker = build_small(workdir)
            results: dict[str, object] = {
                "machine": f"{platform.python_implementation()} {platform.python_version()}, "
                f"{platform.machine()}, {os.cpu_count()} CPUs",
                "entries": args.entries,
                "terminal": f"{COLS}x{ROWS}",
            }
            say(f"1/5 time to the newest entry on screen ({repeats} repeats) …")
            results["first_paint"] = bench_first_paint(workdir, big_env, marker, repeats)
            say(f"2/5 idle CPU ({window:.0f} s windows) …")
            results["idle_cpu"] = bench_idle(workdir, small_env, ready_marker, window)
            say("3/5 peak memory …")
            results["peak_memory"] = bench_peak_memory(big_env, marker, loaded_marker(big))
            say("4/5 read_incident in-process …")
            results["read_incident"] = bench_read(big)
            say(f"5/5 enter-to-drawn latency ({presses} entries) …")
            results["enter_latency"] = bench_enter(big, args.entries, presses)
            say("6/6 another process's write → on this screen (SQLite, PostgreSQL) …")
            results["live"] = bench_live(workdir, 20 if args.quick else 60)
        finally:
            for proc in list(_LIVE):
                proc.close()

    if args.json:
        print(json.dumps(results, indent=2))
        return
    report(results)


def verdict(ok: bool | None) -> str:
    return "PASS" if ok else "MISS"


def report(results: dict) -> None:  # noqa: C901 — one block per section, nothing deeper
    def ms(seconds: float | None) -> str:
        return "      —   " if seconds is None else f"{seconds * 1000:7.0f} ms"

    print(f"incident-tui TUI benchmarks — {results['machine']}")
    print(
        f"terminal {results['terminal']}; big database: one SEV1 incident holding "
        f"{results['entries']:,} timeline entries\n"
    )

    first = results["first_paint"]
    print(f"1. spawn → newest entry on screen (median of {first['repeats']}, interleaved):")
    names = {
        "app": "incident-tui open INC-1",
        "bare_imports": "bare Textual app + sqlmodel/alembic imports",
        "bare_minimal": "minimal Textual app",
    }
    for key, label in names.items():
        print(f"  {label:<46} {ms(first['median_s'][key])}")
    for key, notes in first["failures"].items():
        print(f"  ! {names[key]}: {notes[0]}")
    for ratio_key, base, target in (
        ("ratio_to_bare_imports", "bare + imports", TARGET_RATIO_IMPORTS),
        ("ratio_to_bare_minimal", "minimal app", TARGET_RATIO_MINIMAL),
    ):
        ratio = first[ratio_key]
        if ratio is None:
            print(f"  MISS: app / {base}: no figure (the app never showed the entry)")
        else:
            print(f"  {verdict(ratio <= target)}: app / {base} ×{ratio:.2f} (target ≤ {target})")
    print()

    idle = results["idle_cpu"]
    print(
        f"2. idle CPU over {idle['window_s']:.0f} s, % of one core "
        f"(resolution ±{idle['resolution_pct']:.2f} %):"
    )
    for key, label in (
        ("app", "incident-tui open INC-1 (SEV1 + ad-hoc timer)"),
        ("bare_ticker", "bare Textual app, 1 s set_interval"),
    ):
        figures = idle[key]
        if figures["percent"] is None:
            print(f"  MISS: {label:<46} no figure ({figures['note']})")
        else:
            pct = figures["percent"]
            print(
                f"  {verdict(pct <= TARGET_IDLE_CPU_PCT)}: {label:<46} {pct:6.2f} % "
                f"(target ≤ {TARGET_IDLE_CPU_PCT} %)"
            )
    print()

    memory = results["peak_memory"]
    print("3. peak memory (VmHWM) with the newest entry on screen:")
    if memory["vm_hwm_mb"] is None:
        print(f"  MISS: no figure ({memory.get('note')})")
    else:
        mb = memory["vm_hwm_mb"]
        ok = mb <= TARGET_PEAK_MB and memory.get("marker_seen") is not None
        print(
            f"  {verdict(ok)}: {mb:.0f} MB (target ≤ {TARGET_PEAK_MB:.0f} MB)"
            + (f" — {memory['note']}" if memory.get("note") else "")
        )
    print()

    read = results["read_incident"]
    print(f"4. timeline_reads.read_incident in-process (median of {len(read['samples_s'])}):")
    print(
        f"  {verdict(read['median_s'] <= TARGET_READ_S)}: {read['median_s'] * 1000:.0f} ms "
        f"(target ≤ {TARGET_READ_S * 1000:.0f} ms; runs: "
        + ", ".join(f"{s * 1000:.0f}" for s in read["samples_s"])
        + " ms)"
    )
    print()

    enter = results["enter_latency"]
    print("5. enter → committed and drawn, in-process (Textual pilot):")
    if "skipped" in enter:
        print(f"  SKIP: {enter['skipped']}")
    else:
        wall, cpu = enter["wall"], enter["cpu"]
        print(f"  war room loaded in {enter['load_s'] * 1000:.0f} ms; {enter['presses']} entries")
        print(
            f"  {verdict(wall['p99_ms'] <= TARGET_ENTER_P99_MS)}: wall p50 "
            f"{wall['median_ms']:.1f} ms, p99 {wall['p99_ms']:.1f} ms "
            f"(target p99 ≤ {TARGET_ENTER_P99_MS:.0f} ms)"
        )
        print(
            f"  {verdict(cpu['median_ms'] <= TARGET_ENTER_CPU_MS)}: CPU p50 "
            f"{cpu['median_ms']:.1f} ms, p99 {cpu['p99_ms']:.1f} ms "
            f"(target ≤ {TARGET_ENTER_CPU_MS:.0f} ms per entry, read as the median)"
        )
        bare = enter.get("bare")
        if bare:
            print(
                f"  floor, a bare Textual Input+Static measured the same way: wall p50 "
                f"{bare['wall']['median_ms']:.1f} ms p99 {bare['wall']['p99_ms']:.1f} ms, "
                f"CPU p50 {bare['cpu']['median_ms']:.1f} ms "
                f"(war room ×{wall['median_ms'] / bare['wall']['median_ms']:.1f} wall p50)"
            )

    print()
    report_live(results.get("live", {}))


def report_live(live: dict) -> None:
    print("6. another process's write → drawn on this screen (commit to row drawn):")
    for name, figures in live.items():
        if "skipped" in figures:
            print(f"  SKIP {name}: {figures['skipped']}")
            continue
        print(
            f"  {verdict(figures['p99_ms'] <= TARGET_LIVE_P99_MS)}: {name:<10} p50 "
            f"{figures['median_ms']:.0f} ms, p99 {figures['p99_ms']:.0f} ms over {figures['n']} "
            f"writes (target p99 ≤ {TARGET_LIVE_P99_MS:.0f} ms, ideally ≤ 250 ms)"
        )


TARGET_LIVE_P99_MS = 1000.0


if __name__ == "__main__":
    main()
