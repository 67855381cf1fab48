"""Issue 18's table as rows: each figure of table.py's results beside its floor, the
ratio, the goal and the verdict; and the table as printed."""

from __future__ import annotations

from dataclasses import dataclass

FRAME_MS = 1000 / 60


@dataclass
class Row:
    figure: str
    floor: str  # what the floor is
    floor_value: float | None
    now: float | None
    unit: str
    goal: str
    ok: bool | None  # None: skipped
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.now is None or not self.floor_value:
            return None
        return self.now / self.floor_value


# --------------------------------------------------------------------------------- rows


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else seconds * 1000


def _beside_scrolling(enter: dict, scrolling: dict, figure: str) -> str:
    """The war room's Enter CPU beside a bare app whose log pane follows its newest line
    (the repaint the timeline cannot skip)."""
    ours, floor = enter["cpu"][figure], scrolling["cpu"][figure]
    return f"bare app with a scrolling log pane: {floor:.1f} ms, {ours / floor:.2f}×"


def rows_of(r: dict) -> list[Row]:  # noqa: C901 — one block per row of the table
    rows: list[Row] = []
    fp = r["first_paint"]
    rows.append(
        Row(
            "newest entries on screen after `incident-tui open` (100k)",
            "minimal Textual app",
            _ms(fp["median_s"]["bare_minimal"]),
            _ms(fp["median_s"]["app"]),
            "ms",
            "≤ 1.5×",
            None,
            "; ".join(n[0] for n in fp["failures"].values()),
        )
    )
    rows[-1].ok = rows[-1].ratio is not None and rows[-1].ratio <= 1.5

    enter = r["enter"]
    if "skipped" in enter:
        for name in ("CPU p50", "CPU p99", "wall p99"):
            rows.append(
                Row(f"Enter → drawn, 100k, {name}", "—", None, None, "ms", "—", None, "skipped")
            )
    else:
        bare = enter["bare"]
        p50 = Row(
            "Enter → committed and drawn, 100k, CPU p50",
            "bare Input+Static, same way",
            bare["cpu"]["median_ms"],
            enter["cpu"]["median_ms"],
            "ms",
            "≤ 2×, ≤ 6 ms",
            None,
        )
        p50.ok = p50.ratio is not None and p50.ratio <= 2 and enter["cpu"]["median_ms"] <= 6
        scrolling = enter.get("bare_scrolling")
        if scrolling:  # the floor for a pane that follows its newest line
            p50.note = _beside_scrolling(enter, scrolling, "median_ms")
        p99 = Row(
            "Enter → committed and drawn, 100k, CPU p99",
            "bare Input+Static, same way",
            bare["cpu"]["p99_ms"],
            enter["cpu"]["p99_ms"],
            "ms",
            "≤ 2×",
            None,
        )
        p99.ok = p99.ratio is not None and p99.ratio <= 2
        if scrolling:
            p99.note = _beside_scrolling(enter, scrolling, "p99_ms")
        wall = enter["wall"]["p99_ms"]
        rows += [
            p50,
            p99,
            Row(
                "same, wall p99",
                "one 60 Hz frame",
                FRAME_MS,
                wall,
                "ms",
                "≤ 16 ms",
                wall <= 16,
                f"bare app wall p99 {bare['wall']['p99_ms']:.1f} ms"
                + (
                    f"; bare app with a scrolling log {scrolling['wall']['p99_ms']:.1f} ms"
                    if scrolling
                    else ""
                ),
            ),
        ]

    idle = r["idle"]
    row = Row(
        "idle CPU, war room: every countdown + change feed",
        "bare app, one Static each 1 s",
        idle["bare_ticker"]["percent"],
        idle["app"]["percent"],
        "%",
        "≤ 1.2×",
        None,
        f"{len(idle['app']['samples_pct'])}×{idle['window_s']:.0f} s side by side, "
        f"±{idle['resolution_pct']:.2f} %",
    )
    row.ok = row.ratio is not None and row.ratio <= 1.2
    rows.append(row)

    read = r["read"]
    row = Row(
        "open a 100k-entry incident (`read_incident`)",
        "same rows, sqlite3 alone",
        _ms(read["floor"]["median_s"]),
        _ms(read["median_s"]),
        "ms",
        "≤ 2×, ≤ 200 ms",
        None,
    )
    row.ok = row.ratio is not None and row.ratio <= 2 and read["median_s"] <= 0.2
    rows.append(row)

    export = r["export"]
    floor = _ms(export["json_dumps_floor"]["median_s"])
    for fmt, label in (("markdown", "Markdown"), ("json", "JSON")):
        ms = _ms(export[fmt]["median_s"])
        rows.append(
            Row(
                f"export 100k entries, {label}, in-process",
                "same rows: sqlite3 + json.dumps",
                floor,
                ms,
                "ms",
                "≤ 300 ms",
                ms is not None and ms <= 300,
                f"{export[fmt]['bytes'] / 1e6:.1f} MB",
            )
        )

    ax = r["across"]
    entries = f"{r['across_entries'] / 1e6:g}M entries"
    metrics = ax["metrics_365"]
    rows.append(
        Row(
            "metrics over 365 days (10k incidents), median",
            "—",
            None,
            metrics["median_ms"],
            "ms",
            "≤ 100 ms",
            metrics["median_ms"] <= 100,
            f"max {metrics['max_ms']:.0f} ms; {entries}",
        )
    )
    worst = ax["search_worst"]
    rows.append(
        Row(
            f"search, worst query's max, {entries}",
            "—",
            None,
            worst["max_ms"],
            "ms",
            "≤ 100 ms max",
            worst["max_ms"] <= 100,
            f"{worst['query']!r}, its median {worst['median_ms']:.0f} ms; the first calls "
            f"(pages from disk, not in the max) up to "
            f"{max(q.get('first_ms', 0.0) for q in ax['search'].values()):.0f} ms",
        )
    )

    log = r["log_process"]
    row = Row(
        "`incident-tui log` as a process",
        'python -c "import sqlmodel"',
        log["import_sqlmodel"]["median_ms"],
        log["log"]["median_ms"],
        "ms",
        "≤ 1.15×",
        None,
    )
    row.ok = row.ratio is not None and row.ratio <= 1.15
    rows.append(row)

    for name, label in (("sqlite", "SQLite"), ("postgresql", "PostgreSQL")):
        live = r["live"].get(name, {"skipped": "not run"})
        if "skipped" in live:
            rows.append(
                Row(
                    f"another process's change drawn, {label}, p99",
                    "—",
                    None,
                    None,
                    "ms",
                    "≤ 100 ms",
                    None,
                    live["skipped"],
                )
            )
            continue
        rows.append(
            Row(
                f"another process's change drawn, {label}, p99",
                "—",
                None,
                live["p99_ms"],
                "ms",
                "≤ 100 ms",
                live["p99_ms"] <= 100,
                f"p50 {live['median_ms']:.0f} ms over {live['n']} writes",
            )
        )

    memory = r["memory"]
    mb = memory.get("vm_hwm_mb")
    rows.append(
        Row(
            "memory with 100k entries loaded (VmHWM)",
            "same app, a 4-entry incident",
            r.get("memory_small", {}).get("vm_hwm_mb"),
            mb,
            "MB",
            "≤ 100 MB",
            None if mb is None else mb <= 100 and memory.get("marker_seen") is not None,
            memory.get("note", ""),
        )
    )
    rows.append(_suite_row(r.get("suite")))
    return rows


def _suite_row(suite: dict | None) -> Row:
    """The last whole `make test` on this checkout (tests/suite_clock.py writes it): the
    bench does not run the suite itself, it would double its own time."""
    figure = "`make test`, idle 2-core machine"
    if not suite:
        return Row(figure, "—", None, None, "min", "≤ 4 min", None, "no whole run recorded")
    minutes = suite["seconds"] / 60
    load = " ".join(f"{x:.1f}" for x in suite["load_average_at_start"])
    note = (
        f"{suite.get('passed', '?')} passed, {suite.get('failed', 0)} failed, "
        f"{suite.get('skipped', 0)} skipped on {suite['cpus']} CPUs, load average {load} "
        f"at its start, {suite['when']}"
    )
    ok = minutes <= 4 and suite.get("exit_status") == 0
    return Row(figure, "—", None, minutes, "min", "≤ 4 min", ok, note)


def render(rows: list[Row]) -> str:
    def num(value: float | None, unit: str) -> str:
        if value is None:
            return "—"
        return f"{value:.2f} {unit}" if unit == "%" else f"{value:.1f} {unit}"

    table = [("figure", "floor", "floor value", "now", "ratio", "goal", "verdict")]
    for row in rows:
        verdict = "SKIP" if row.ok is None else ("PASS" if row.ok else "MISS")
        table.append(
            (
                row.figure,
                row.floor,
                num(row.floor_value, row.unit),
                num(row.now, row.unit),
                "—" if row.ratio is None else f"{row.ratio:.2f}×",
                row.goal,
                verdict,
            )
        )
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
    lines = []
    for i, line in enumerate(table):
        lines.append(" | ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)))
        if i == 0:
            lines.append("-+-".join("-" * w for w in widths))
    notes = [f"  {row.figure}: {row.note}" for row in rows if row.note]
    return "\n".join(lines + (["", "notes:", *notes] if notes else []))
