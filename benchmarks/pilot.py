"""The war room driven in-process with Textual's pilot: Enter to committed-and-drawn
beside a bare Input+Static app measured the same way, and another process's write to
its row drawn on this screen (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import cProfile
import secrets
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ptys import COLS, ROWS  # noqa: E402
from run import summary  # noqa: E402

WAR_ROOM_TIMEOUT_S = 30.0


class Unavailable(Exception):
    pass


def _status_line(app: object) -> str:
    """The war room's status line, if it has one (it says why an entry was refused)."""
    try:
        found = app.screen.query("#entry-status")  # type: ignore[attr-defined]
        text = " ".join(str(found.first().render()).split()) if found else ""
    except Exception:
        return ""
    return f" (status line: {text!r})" if text else ""


async def _enter_latency(
    db_path: Path, entries: int, presses: int, profiler: cProfile.Profile | None = None
) -> dict:
    from incident_tui.app import IncidentApp

    app = IncidentApp(db_target=str(db_path), open_incident=1)
    async with app.run_test(size=(COLS, ROWS)) as pilot:
        deadline = time.perf_counter() + WAR_ROOM_TIMEOUT_S
        loaded = time.perf_counter()
        while True:
            found = app.screen.query("#timeline")
            if found:
                timeline = found.first()
                if not hasattr(timeline, "entry_count"):
                    raise Unavailable(f"#timeline ({type(timeline).__name__}) has no entry_count")
                if timeline.entry_count > entries:
                    break
            if time.perf_counter() > deadline:
                where = type(app.screen).__name__
                if found:
                    raise Unavailable(
                        f"#timeline holds {timeline.entry_count} entries after "
                        f"{WAR_ROOM_TIMEOUT_S:.0f} s (expected > {entries})"
                    )
                raise Unavailable(f"no #timeline after {WAR_ROOM_TIMEOUT_S:.0f} s (on {where})")
            await pilot.pause(0.05)
        loaded = time.perf_counter() - loaded
        entry_line = app.screen.query("#entry")
        if not entry_line:
            raise Unavailable("no #entry input on the war room screen")
        entry_line = entry_line.first()
        entry_line.focus()
        await pilot.pause()

        # The probe: when the row of the new entry is first drawn into a frame. Pressing
        # Enter starts the clock; the row's strip being built for the compositor stops it
        # (the pilot's own waiting after the key is not counted).
        drawn: dict[str, tuple[float, float]] = {}
        build_row = timeline._row

        def probe(entry, width, selected):  # type: ignore[no-untyped-def]
            drawn.setdefault(entry.text, (time.perf_counter(), time.process_time()))
            return build_row(entry, width, selected)

        timeline._row = probe
        if profiler:
            profiler.enable()
        try:
            figures = await press_and_time(pilot, entry_line, drawn, presses)
        finally:
            if profiler:
                profiler.disable()
    return {"presses": presses, "load_s": loaded, **figures}


async def press_and_time(pilot, entry_line, drawn: dict, presses: int) -> dict:  # type: ignore[no-untyped-def]
    """Type a line, press Enter, and time it until `drawn` (filled by a probe in the
    app's drawing) holds that line: wall and CPU summaries."""
    wall: list[float] = []
    cpu: list[float] = []
    for i in range(presses):
        text = f"bench entry {i}"
        entry_line.value = text
        await pilot.pause()
        started, started_cpu = time.perf_counter(), time.process_time()
        await pilot.press("enter")
        give_up = started + 5.0
        while text not in drawn:
            if time.perf_counter() > give_up:
                raise Unavailable(f"entry {i} not drawn 5 s after enter{_status_line(pilot.app)}")
            await asyncio.sleep(0.0005)
        ended, ended_cpu = drawn[text]
        wall.append(ended - started)
        cpu.append(ended_cpu - started_cpu)
    return {"wall": summary(wall), "cpu": summary(cpu)}


async def _bare_enter_latency(presses: int) -> dict:
    """The floor, measured the same way: a bare Textual app whose Input appends the line
    to a Static on Enter (no database) — what the pilot and one frame cost by themselves."""
    from textual.app import App, ComposeResult
    from textual.widgets import Input, Static

    drawn: dict[str, tuple[float, float]] = {}

    class Log(Static):
        last = ""

        def render(self):  # type: ignore[no-untyped-def]
            drawn.setdefault(self.last, (time.perf_counter(), time.process_time()))
            return super().render()

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Log("", id="log")
            yield Input(id="entry")

        def on_input_submitted(self, event: Input.Submitted) -> None:
            log = self.query_one(Log)
            log.last = event.value
            log.update(event.value, layout=False)
            event.input.value = ""

    app = Bare()
    async with app.run_test(size=(COLS, ROWS)) as pilot:
        entry_line = app.query_one(Input)
        entry_line.cursor_blink = False
        return await press_and_time(pilot, entry_line, drawn, presses)


async def _scrolling_enter_latency(presses: int) -> dict:
    """A second floor, for what the war room must draw: a bare app whose bordered log,
    the timeline's size (72×34 at 120×36), follows its newest line, so each Enter
    repaints the whole pane, as the timeline's does (Textual has no scroll blit)."""
    from textual.app import App, ComposeResult
    from textual.containers import Horizontal
    from textual.widgets import Input, Log, Static

    drawn: dict[str, tuple[float, float]] = {}

    class Drawn(Log):
        def render_line(self, y: int):  # type: ignore[no-untyped-def]
            index = self.scroll_offset.y + y
            if index < len(self.lines):
                drawn.setdefault(self.lines[index], (time.perf_counter(), time.process_time()))
            return super().render_line(y)

    class Scrolling(App[None]):
        CSS = "#log { width: 72; border: round $primary; } #side { width: 1fr; }"

        def compose(self) -> ComposeResult:
            with Horizontal():
                yield Drawn(id="log")
                yield Static("side", id="side")
            yield Input(id="entry")

        def on_mount(self) -> None:
            self.query_one(Drawn).write_lines(f"earlier line {i}" for i in range(500))

        def on_input_submitted(self, event: Input.Submitted) -> None:
            self.query_one(Drawn).write_line(event.value)
            event.input.value = ""

    app = Scrolling()
    async with app.run_test(size=(COLS, ROWS)) as pilot:
        await pilot.pause()
        entry_line = app.query_one(Input)
        entry_line.cursor_blink = False
        return await press_and_time(pilot, entry_line, drawn, presses)


def bench_enter(db_path: Path, entries: int, presses: int) -> dict:
    try:
        figures = asyncio.run(_enter_latency(db_path, entries, presses))
        figures["bare"] = asyncio.run(_bare_enter_latency(presses))
        figures["bare_scrolling"] = asyncio.run(_scrolling_enter_latency(presses))
        return figures
    except Unavailable as reason:
        return {"skipped": f"war room not available: {reason}"}
    except Exception as error:  # the screen is being written: report, don't crash the run
        return {"skipped": f"war room not available: {type(error).__name__}: {error}"}


LIVE_WRITER = """
import sys, time
from datetime import datetime, timezone
from incident_tui import ops
from incident_tui.store.database import open_database
db = open_database(sys.argv[1])
for i in range(int(sys.argv[3])):
    time.sleep(0.37)  # not in step with the screen's 1 s tick
    ops.log_entry(db, key=int(sys.argv[2]), text=f"live-{i}-{time.time():.6f}", author="w",
                  now=datetime.now(timezone.utc))
db.dispose()
"""
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


async def _live_latency(
    target: str, writes: int, workdir: Path, profiler: cProfile.Profile | None = None
) -> dict:
    """A writer process logs `writes` entries; each one's latency is from just after its
    commit (the time is in its text) to its row being drawn in this process's war room."""
    from incident_tui import ops
    from incident_tui.app import IncidentApp
    from incident_tui.store.database import open_database

    db = open_database(target)
    number = ops.declare(db, title="Live", severity=1, author="bench", now=datetime.now(UTC))
    db.dispose()
    script = workdir / "live_writer.py"
    script.write_text(LIVE_WRITER)
    app = IncidentApp(db_target=target, open_incident=number)
    seen: dict[str, float] = {}
    async with app.run_test(size=(COLS, ROWS)) as pilot:
        for _ in range(400):
            if app.screen.query("#timeline") and getattr(app.screen, "detail", None):
                break
            await pilot.pause(0.05)
        timeline = app.screen.query_one("#timeline")
        build_row = timeline._row

        def probe(entry, width, selected):  # type: ignore[no-untyped-def]
            if entry.text.startswith("live-"):
                seen.setdefault(entry.text, time.time())
            return build_row(entry, width, selected)

        timeline._row = probe
        if profiler:
            profiler.enable()
        writer = subprocess.Popen(
            [sys.executable, str(script), target, str(number), str(writes)],
            stderr=subprocess.PIPE,
        )
        while writer.poll() is None or len(seen) < writes:
            await pilot.pause(0.02)
            if writer.poll() not in (None, 0):
                raise Unavailable(writer.stderr.read().decode().strip().splitlines()[-1])
        if profiler:
            profiler.disable()
    latencies = [at - float(text.rsplit("-", 1)[1]) for text, at in seen.items()]
    return summary(latencies)


def bench_live(workdir: Path, writes: int) -> dict:
    figures: dict[str, object] = {}
    for name, target in (("sqlite", str(workdir / "live.db")), ("postgresql", PG_URL)):
        if name == "postgresql":
            target = _pg_schema(target)
            if target is None:
                figures[name] = {"skipped": "no PostgreSQL server on 127.0.0.1:5432"}
                continue
        try:
            figures[name] = asyncio.run(_live_latency(target, writes, workdir))
        except Exception as error:  # report, don't crash the run
            figures[name] = {"skipped": f"{type(error).__name__}: {error}"}
        finally:
            if name == "postgresql":
                _drop_pg_schema(target)
    return figures


def _drop_pg_schema(url: str) -> None:
    import psycopg

    schema = url.rsplit("%3D", 1)[1]
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=test", autocommit=True) as c:
        c.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _pg_schema(url: str) -> str | None:
    """A fresh schema on the local server (each run its own), or None without a server."""
    try:
        import psycopg

        schema = f"bench_{secrets.token_hex(6)}"
        with psycopg.connect("host=127.0.0.1 user=postgres dbname=test", autocommit=True) as c:
            c.execute(f'CREATE SCHEMA "{schema}"')
    except Exception:
        return None
    return f"{url}?options=-csearch_path%3D{schema}"
