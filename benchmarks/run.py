"""incident-tui benchmarks: the figures the issues ask for, printed side by side.

    .venv/bin/python benchmarks/run.py            # the full run (100k entries)
    .venv/bin/python benchmarks/run.py --quick    # fewer entries and repeats
    .venv/bin/python benchmarks/run.py --json     # machine-readable figures

Every database is a real SQLite file in WAL mode with synchronous=FULL, in a temporary
directory; subprocesses get a temporary HOME so the user's own data is never touched.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import event
from sqlmodel import Field, Session, SQLModel, create_engine

from incident_tui import ops
from incident_tui.domain.vocabulary import EXPORT_FORMATS
from incident_tui.store.database import open_database

LOG_TARGET_P99_MS = 2.0
BIN = Path(sys.executable).parent


def summary(samples_s: list[float]) -> dict[str, float]:
    """Median and p99 (nearest rank) in milliseconds."""
    ordered = sorted(samples_s)
    p99 = ordered[min(len(ordered) - 1, max(0, round(0.99 * len(ordered)) - 1))]
    return {
        "median_ms": statistics.median(ordered) * 1000,
        "p99_ms": p99 * 1000,
        "n": len(ordered),
    }


def interleaved(
    calls: dict[str, Callable[[], object]], repeats: int, warmup: int = 5
) -> dict[str, list[float]]:
    """Time each call `repeats` times, taking turns, so that noise (fsync stalls, other
    processes) falls on all of them alike and their ratio stays fair."""
    for _ in range(warmup):
        for call in calls.values():
            call()
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(repeats):
        for name, call in calls.items():
            started = time.perf_counter()
            call()
            samples[name].append(time.perf_counter() - started)
    return samples


def prefill(path: Path, table: str, rows: int, incident_id: int | None) -> None:
    """Bulk-insert `rows` rows straight through sqlite3 (setting up, not measured)."""
    base = datetime(2026, 1, 1, tzinfo=UTC)
    connection = sqlite3.connect(path)
    try:
        with connection:
            if incident_id is None:
                connection.executemany(
                    f"INSERT INTO {table} (text) VALUES (?)",
                    ((f"prefilled row {i}",) for i in range(rows)),
                )
            else:
                stamp = "%Y-%m-%d %H:%M:%S.%f"
                connection.executemany(
                    f"INSERT INTO {table} (incident_id, occurred_at, recorded_at, kind, "
                    "author, text, pinned, deleted_at, deleted_by, version) "
                    "VALUES (?, ?, ?, 'note', 'scribe', ?, 0, NULL, NULL, 1)",
                    (
                        (incident_id, at, at, f"prefilled entry {i}: checkout latency high")
                        for i in range(rows)
                        for at in [(base + timedelta(seconds=i)).strftime(stamp)]
                    ),
                )
    finally:
        connection.close()


class BenchRow(SQLModel, table=True):
    __tablename__ = "bench_row"
    id: int | None = Field(default=None, primary_key=True)
    text: str


def bench_log(workdir: Path, entries: int, repeats: int) -> dict[str, dict]:
    """ops.log_entry against `entries` entries, next to the floor: a bare SQLModel
    insert-and-commit (WAL + synchronous=FULL) on a table of the same size."""
    path = workdir / "ops.db"
    db = open_database(path)
    now = datetime.now(UTC)
    number = ops.declare(db, title="Checkout failing", severity=1, author="bench", now=now)
    prefill(path, "timeline_entry", entries, number)

    bare_path = workdir / "bare.db"
    engine = create_engine(f"sqlite:///{bare_path}")

    @event.listens_for(engine, "connect")
    def pragmas(connection, _record) -> None:  # type: ignore[no-untyped-def]
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")

    BenchRow.__table__.create(engine)  # type: ignore[attr-defined]
    prefill(bare_path, "bench_row", entries, None)
    counter = iter(range(10**9))

    def log() -> None:
        ops.log_entry(
            db,
            key=f"INC-{number}",
            text=f"bench entry {next(counter)}: rolled back deploy 4812",
            author="scribe",
            now=datetime.now(UTC),
        )

    def insert() -> None:
        with Session(engine) as session:
            session.add(BenchRow(text="bench entry: rolled back deploy 4812"))
            session.commit()

    samples = interleaved({"log_operation": log, "bare_sqlmodel_insert": insert}, repeats)
    db.dispose()
    engine.dispose()
    return {name: summary(values) for name, values in samples.items()}


def run_process(argv: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(argv, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {result.stderr.strip()}")


def bench_processes(workdir: Path, entries: int, repeats: int) -> dict:
    home = workdir / "home"
    home.mkdir()
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "INCIDENT_TUI_DB": str(workdir / "cli.db"),
        "USER": "bench",
    }
    env.pop("INCIDENT_TUI_NOW", None)
    cli = str(BIN / "incident-tui")
    py = sys.executable
    run_process([cli, "declare", "Checkout failing", "--severity", "1"], env)
    prefill(workdir / "cli.db", "timeline_entry", entries, 1)

    commands = {
        "python -c pass": [py, "-c", "pass"],
        'python -c "import sqlmodel"': [py, "-c", "import sqlmodel"],
        "incident-tui --help": [cli, "--help"],
        "incident-tui list --json": [cli, "list", "--json"],
    }
    counter = iter(range(10**9))

    def log() -> None:
        run_process([cli, "log", "INC-1", f"bench entry {next(counter)}"], env)

    calls = {name: (lambda argv=argv: run_process(argv, env)) for name, argv in commands.items()}
    samples = interleaved({**calls, "log": log}, repeats, warmup=2)
    log_figures = summary(samples.pop("log"))
    cold = {name: summary(values) for name, values in samples.items()}
    return {"cold_start": cold, "log_process": log_figures}


EXPORT_TARGET_S = 1.0


def bench_export(workdir: Path, entries: int, repeats: int) -> dict:
    """The postmortem draft of an incident holding `entries` entries (none pinned, so the
    export carries the whole timeline: the worst case), read and rendered in-process, and
    `incident-tui export` as a process writing a file."""
    from incident_tui.formats import export
    from incident_tui.store import postmortem_reads

    path = workdir / "export.db"
    db = open_database(path)
    now = datetime.now(UTC)
    number = ops.declare(db, title="Checkout failing", severity=1, author="bench", now=now)
    prefill(path, "timeline_entry", entries, number)
    figures: dict[str, dict] = {}
    for fmt in EXPORT_FORMATS:
        samples = []
        size = 0
        for _ in range(repeats):
            started = time.perf_counter()
            draft = postmortem_reads.postmortem_draft(db, number, now=datetime.now(UTC))
            size = len(export.render(draft, fmt))
            samples.append(time.perf_counter() - started)
        figures[fmt] = {**summary(samples), "bytes": size}
    db.dispose()
    home = workdir / "export-home"
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "INCIDENT_TUI_DB": str(path),
    }
    env.pop("INCIDENT_TUI_NOW", None)
    cli = str(BIN / "incident-tui")
    for fmt in EXPORT_FORMATS:
        samples = []
        for i in range(max(3, repeats // 2)):
            target = workdir / f"pm-{fmt}-{i}.out"
            started = time.perf_counter()
            run_process([cli, "export", f"INC-{number}", "--format", fmt, "-o", str(target)], env)
            samples.append(time.perf_counter() - started)
        figures[f"{fmt}_process"] = summary(samples)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000, help="prefilled entries")
    parser.add_argument("--quick", action="store_true", help="fewer entries and repeats")
    parser.add_argument("--json", action="store_true", help="print JSON only")
    args = parser.parse_args()
    entries = 10_000 if args.quick and args.entries == 100_000 else args.entries
    op_repeats, proc_repeats = (100, 8) if args.quick else (500, 30)

    with tempfile.TemporaryDirectory(prefix="incident-tui-bench-") as tmp:
        workdir = Path(tmp)
        results = {
            "machine": f"{platform.python_implementation()} {platform.python_version()}, "
            f"{platform.machine()}, {os.cpu_count()} CPUs",
            "entries": entries,
            **bench_log(workdir, entries, op_repeats),
            **bench_processes(workdir, entries, proc_repeats),
            "export": bench_export(workdir, entries, 3 if args.quick else 7),
        }

    if args.json:
        print(json.dumps(results, indent=2))
        return
    report(results)


def report(results: dict) -> None:
    def row(name: str, figures: dict, base: dict | None = None) -> str:
        median, p99 = figures["median_ms"], figures["p99_ms"]
        text = f"  {name:<34} median {median:8.2f} ms   p99 {p99:8.2f} ms"
        if base:
            text += f"   ×{median / base['median_ms']:.2f} median  ×{p99 / base['p99_ms']:.2f} p99"
        return text

    print(f"incident-tui benchmarks — {results['machine']}")
    print(f"database: one incident holding {results['entries']:,} timeline entries\n")
    print("log latency (WAL, synchronous=FULL), ratio to a bare SQLModel insert+commit:")
    bare = results["bare_sqlmodel_insert"]
    print(row("bare SQLModel insert+commit", bare))
    print(row("ops.log_entry (operation call)", results["log_operation"], bare))
    print(row("incident-tui log (CLI process)", results["log_process"]))
    p99 = results["log_operation"]["p99_ms"]
    verdict = "PASS" if p99 <= LOG_TARGET_P99_MS else "MISS"
    print(
        f"  {verdict}: log operation p99 {p99:.2f} ms (target ≤ {LOG_TARGET_P99_MS} ms; "
        f"the bare floor's p99 in this run: {bare['p99_ms']:.2f} ms)\n"
    )
    print("cold start (whole process), ratio to python -c pass:")
    cold = results["cold_start"]
    base = cold["python -c pass"]
    for name, figures in cold.items():
        print(row(name, figures, None if figures is base else base))
    print("\npostmortem export of the whole timeline (read + render), in-process and as a process:")
    for fmt in ("markdown", "json"):
        figures = results["export"][fmt]
        verdict = "PASS" if figures["median_ms"] <= EXPORT_TARGET_S * 1000 else "MISS"
        print(
            f"  {verdict}: {fmt:<8} median {figures['median_ms']:7.0f} ms "
            f"({figures['bytes'] / 1e6:.1f} MB; target ≤ {EXPORT_TARGET_S:.0f} s)   "
            f"incident-tui export -o FILE: median "
            f"{results['export'][fmt + '_process']['median_ms']:.0f} ms"
        )
    floor = cold['python -c "import sqlmodel"']["median_ms"]
    for name, figures in (
        ("incident-tui list --json", cold["incident-tui list --json"]),
        ("incident-tui log", results["log_process"]),
    ):
        extra = figures["median_ms"] - floor
        print(f"  {name} costs {extra:+.0f} ms (median) over importing sqlmodel alone")


if __name__ == "__main__":
    main()
