"""Importing a big JSON export: `incident-tui import FILE` at 100k and 1M entries.

Issue 16 asks for 1,000,000 entries in ≤ 60 s with a peak resident memory ≤ 200 MB, in
one transaction, checked whole before anything is written.

    .venv/bin/python benchmarks/import_big.py                    # 100k, then 1M entries
    .venv/bin/python benchmarks/import_big.py --entries 100000   # one size only
    .venv/bin/python benchmarks/import_big.py --keep DIR         # keep / reuse the files
    .venv/bin/python benchmarks/import_big.py --profile          # cProfile, top 25

The export is a real one (an incident declared and exported by the CLI) with its timeline
and `record.entries` filled to the size asked for, written as a stream. Each import runs
as a process with a temporary HOME on a fresh SQLite file (WAL, `synchronous=FULL`, the
app's migrations and search triggers); its peak is the child's own VmHWM.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 60.0
TARGET_MB = 200.0
GOAL_ENTRIES = 1_000_000

CHILD = (
    "import sys\n"
    "from incident_tui.cli import main\n"
    "profile = sys.argv.pop(1) == 'profile'\n"
    "if profile:\n"
    "    import cProfile, pstats\n"
    "    prof = cProfile.Profile(); prof.enable()\n"
    "try:\n"
    "    status = main(sys.argv[1:])\n"
    "finally:\n"
    "    if profile:\n"
    "        prof.disable()\n"
    "        pstats.Stats(prof, stream=sys.stderr).sort_stats('cumulative').print_stats(25)\n"
    "    hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
    "    sys.stderr.write(f'PEAK {hwm.split()[1]}\\n')\n"
    "sys.exit(status)\n"
)


def environment(home: Path, db: Path) -> dict[str, str]:
    env = dict(
        os.environ,
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        INCIDENT_TUI_DB=str(db),
    )
    env.pop("INCIDENT_TUI_NOW", None)
    env.pop("INCIDENT_TUI_CONFIG", None)
    return env


def cli(env: dict[str, str], *argv: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "incident_tui", *argv], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"incident-tui {' '.join(argv)} failed: {done.stderr.strip()}")
    return done.stdout


def build_export(workdir: Path, entries: int) -> Path:
    """An export of `entries` timeline entries (the file is reused when it is there)."""
    path = workdir / f"export-{entries}.json"
    if path.exists():
        return path
    home = workdir / "home-build"
    env = environment(home, workdir / "build.db")
    cli(env, "declare", "Kafka throttled", "-s", "2")
    cli(env, "log", "INC-1", "first")
    doc = json.loads(cli(env, "export", "INC-1", "--format", "json"))
    model, shown = doc["record"]["entries"][-1], doc["timeline"][-1]
    doc["record"]["title"] = f"Kafka throttled ({entries:,} entries)"
    doc["timeline"] = ["@TIMELINE@"]
    doc["record"]["entries"] = ["@ENTRIES@"]
    head, rest = json.dumps(doc, indent=2).split('"@TIMELINE@"')
    middle, tail = rest.split('"@ENTRIES@"')

    def rows(template: dict, key: str) -> str:
        return ",\n".join(
            json.dumps(dict(template, **{key: f"entry {i}: partition {i % 97} lag rising"}))
            for i in range(entries)
        )

    partial = path.with_suffix(".part")
    with open(partial, "w", encoding="utf-8") as out:
        out.write(head)
        out.write(rows(shown, "event"))
        out.write(middle)
        out.write(rows(model, "text"))
        out.write(tail)
    partial.rename(path)
    return path


def measure(workdir: Path, export: Path, *, profile: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory(dir=workdir, prefix="import-") as tmp:
        env = environment(Path(tmp) / "home", Path(tmp) / "target.db")
        argv = [sys.executable, "-c", CHILD, "profile" if profile else "-", "import", str(export)]
        started, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(argv, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        if done.returncode != 0:
            sys.exit(f"import failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
        lines = done.stderr.splitlines()
        if profile:
            print("\n".join(line for line in lines if not line.startswith("PEAK ")))
        peak_kb = next(int(line.split()[1]) for line in lines if line.startswith("PEAK "))
        return {
            "seconds": seconds,
            "cpu_s": cpu,
            "peak_mb": peak_kb / 1024,
            "bytes": export.stat().st_size,
        }


def report(entries: int, figures: dict[str, float]) -> None:
    seconds, peak = figures["seconds"], figures["peak_mb"]
    scale = GOAL_ENTRIES / entries
    line = (
        f"  {entries:>9,} entries ({figures['bytes'] / 1e6:,.0f} MB): {seconds:6.1f} s "
        f"(CPU {figures['cpu_s']:.1f} s), peak {peak:5.0f} MB"
    )
    if entries == GOAL_ENTRIES:
        verdict = "PASS" if seconds <= TARGET_S and peak <= TARGET_MB else "MISS"
        line += (
            f"  —  {seconds / TARGET_S:.2f} × the {TARGET_S:.0f} s goal, "
            f"{peak / TARGET_MB:.2f} × the {TARGET_MB:.0f} MB goal: {verdict}"
        )
    else:
        line += f"  (× {scale:g} ≈ {seconds * scale:.0f} s at 1M if linear)"
    print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, action="append", help="sizes (default 100k, 1M)")
    parser.add_argument("--keep", type=Path, help="build the exports in DIR and keep them")
    parser.add_argument("--profile", action="store_true", help="cProfile the import (slower)")
    args = parser.parse_args()
    sizes = args.entries or [100_000, GOAL_ENTRIES]
    print(
        f"incident-tui import — {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; "
        f"goal at {GOAL_ENTRIES:,} entries: ≤ {TARGET_S:.0f} s, ≤ {TARGET_MB:.0f} MB peak"
    )
    with tempfile.TemporaryDirectory(prefix="incident-tui-import-") as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for entries in sizes:
            export = build_export(workdir, entries)
            report(entries, measure(workdir, export, profile=args.profile))


if __name__ == "__main__":
    main()
