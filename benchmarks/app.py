"""incident-tui TUI benchmarks: the app measured from outside, in real pseudo-terminals.

    .venv/bin/python benchmarks/app.py            # the full run (100k entries, 10 repeats)
    .venv/bin/python benchmarks/app.py --quick    # fewer repeats, shorter idle window
    .venv/bin/python benchmarks/app.py --json     # machine-readable figures

Every database is a real SQLite file in a temporary directory; every process runs in its
own pseudo-terminal (120x36, TERM=xterm-256color) with a temporary HOME, and is killed
(its whole process group) and reaped when its measurement is done.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import fcntl
import json
import os
import platform
import re
import secrets
import select
import signal
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import prefill, run_process, summary  # noqa: E402

BIN = Path(sys.executable).parent
COLS, ROWS = 120, 36
LAUNCH_TIMEOUT_S = 60.0
WAR_ROOM_TIMEOUT_S = 30.0
CLK_TCK = os.sysconf("SC_CLK_TCK")
CSI = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]")

TARGET_RATIO_IMPORTS = 1.25  # app / bare app importing the same libraries
TARGET_RATIO_MINIMAL = 1.5  # app / minimal Textual app ("best")
TARGET_IDLE_CPU_PCT = 0.5
TARGET_PEAK_MB = 150.0
TARGET_READ_S = 1.0
TARGET_ENTER_P99_MS = 25.0
TARGET_ENTER_CPU_MS = 10.0

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

# ---------------------------------------------------------------------------- processes

_LIVE: set[PtyProcess] = set()


def _take_terminal() -> None:  # runs in the child, after setsid(): make the pty its tty
    try:
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    except OSError:
        pass


class PtyProcess:
    """A command running in its own pseudo-terminal and session; output read non-blocking."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        self.output = bytearray()
        self.eof = False
        self._scanned = 0
        self.started = time.perf_counter()
        try:
            self.proc = subprocess.Popen(
                argv,
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env=env,
                start_new_session=True,
                preexec_fn=_take_terminal,  # noqa: PLW1509 — no threads are running here
                close_fds=True,
            )
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)
        os.set_blocking(master, False)
        self.master = master
        _LIVE.add(self)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def pump(self, seconds: float) -> None:
        """Read whatever the process writes for `seconds` (or until it closes the pty)."""
        deadline = time.perf_counter() + seconds
        while not self.eof:
            left = deadline - time.perf_counter()
            if left <= 0:
                return
            self._read(left)

    def _read(self, timeout: float) -> None:
        ready, _, _ = select.select([self.master], [], [], max(0.0, timeout))
        if not ready:
            return
        try:
            chunk = os.read(self.master, 1 << 16)
        except BlockingIOError:
            return
        except OSError as error:  # EIO: every slave fd is closed, the process is gone
            if error.errno != errno.EIO:
                raise
            chunk = b""
        if chunk:
            self.output += chunk
        else:
            self.eof = True

    def wait_for(self, marker: str, timeout: float = LAUNCH_TIMEOUT_S) -> float | None:
        """Seconds from spawn until `marker` appears in the output; None on timeout/exit."""
        needle = marker.encode()
        deadline = time.perf_counter() + timeout
        while True:
            if self._seen(needle):
                return time.perf_counter() - self.started
            if self.eof or self.proc.poll() is not None:
                self.pump(0.2)  # the last bytes of a process that exited
                return (time.perf_counter() - self.started) if self._seen(needle) else None
            left = deadline - time.perf_counter()
            if left <= 0:
                return None
            self._read(min(left, 0.5))

    def _seen(self, needle: bytes) -> bool:
        # Overlap the previous scan so a marker split across reads is still found; a CSI
        # sequence is a few bytes, so 4 KiB of overlap covers one split by escape codes.
        start = max(0, self._scanned - len(needle) - 4096)
        tail = bytes(self.output[start:])
        self._scanned = len(self.output)
        return needle in tail or needle in CSI.sub(b"", tail)

    def tail_text(self, chars: int = 300) -> str:
        text = CSI.sub(b"", bytes(self.output[-8192:])).decode(errors="replace")
        return " ".join(text.split())[-chars:]

    def close(self) -> None:
        """SIGTERM the process group, then SIGKILL; always reap; never leave a zombie."""
        try:
            if self.proc.poll() is None:
                for sig, grace in ((signal.SIGTERM, 2.0), (signal.SIGKILL, 5.0)):
                    try:
                        os.killpg(self.proc.pid, sig)
                    except ProcessLookupError:
                        break
                    try:
                        self.proc.wait(timeout=grace)
                        break
                    except subprocess.TimeoutExpired:
                        continue
            else:
                # The leader is gone; anything it left in its group goes too.
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            self.proc.wait(timeout=5)
        finally:
            os.close(self.master)
            _LIVE.discard(self)

    def __enter__(self) -> PtyProcess:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc/<pid>/stat (clock-tick resolution)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def vm_hwm_mb(pid: int) -> float | None:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def median_or_none(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


# ------------------------------------------------------------------------------ set-up


def make_env(workdir: Path, db: Path) -> dict[str, str]:
    home = workdir / "home"
    home.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_STATE_HOME": str(home / "state"),
        "INCIDENT_TUI_DB": str(db),
        "USER": "bench",
        "TERM": "xterm-256color",
        "COLUMNS": str(COLS),
        "LINES": str(ROWS),
    }
    env.pop("INCIDENT_TUI_NOW", None)
    return env


def naive_utc(at: datetime) -> str:
    return at.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def build_big(workdir: Path, entries: int) -> tuple[Path, dict[str, str], str]:
    """One SEV1 incident, `entries` prefilled entries, then the marker logged last."""
    db = workdir / "big.db"
    env = make_env(workdir, db)
    cli = str(BIN / "incident-tui")
    run_process([cli, "declare", "Checkout failing", "--severity", "1"], env)
    prefill(db, "timeline_entry", entries, 1)
    marker = f"BENCHMARK-NEWEST-ENTRY-{secrets.token_hex(4)}"
    run_process([cli, "log", "INC-1", marker], env)
    return db, env, marker


def build_small(workdir: Path) -> tuple[Path, dict[str, str], str]:
    """One SEV1 incident, a few entries, the marker, and an ad-hoc timer running."""
    db = workdir / "small.db"
    env = make_env(workdir, db)
    cli = str(BIN / "incident-tui")
    run_process([cli, "declare", "Checkout failing", "--severity", "1"], env)
    for text in ("error rate 14% on checkout", "rolled back deploy 4812"):
        run_process([cli, "log", "INC-1", text], env)
    marker = f"BENCHMARK-READY-{secrets.token_hex(4)}"
    run_process([cli, "log", "INC-1", marker], env)
    now = datetime.now(UTC)
    connection = sqlite3.connect(db)
    try:
        with connection:
            connection.execute(
                "INSERT INTO timer (incident_id, label, due_at, started_at, started_by, "
                "cancelled_at) VALUES (1, 'check shard map', ?, ?, 'bench', NULL)",
                (naive_utc(now + timedelta(minutes=20)), naive_utc(now)),
            )
    finally:
        connection.close()
    return db, env, marker


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


def idle_cpu(argv: list[str], env: dict[str, str], marker: str, window: float) -> dict:
    """% of one core a process uses over `window` seconds once the marker is on screen."""
    with PtyProcess(argv, env) as proc:
        ready = proc.wait_for(marker)
        if ready is None:
            return {"percent": None, "note": f"not ready: {proc.tail_text(200)!r}"}
        proc.pump(1.0)  # let start-up work (workers, the first refreshes) settle
        cpu0, wall0 = cpu_seconds(proc.pid), time.perf_counter()
        proc.pump(window)
        if proc.proc.poll() is not None:
            return {"percent": None, "note": "exited during the window"}
        cpu1, wall1 = cpu_seconds(proc.pid), time.perf_counter()
        return {
            "percent": 100 * (cpu1 - cpu0) / (wall1 - wall0),
            "cpu_s": cpu1 - cpu0,
            "window_s": wall1 - wall0,
            "ready_s": ready,
        }


def bench_idle(workdir: Path, env: dict[str, str], marker: str, window: float) -> dict:
    ticker = workdir / "bare_ticker.py"
    ticker.write_text(TICKER_APP)
    return {
        "window_s": window,
        "resolution_pct": 100 / CLK_TCK / window,
        "app": idle_cpu([str(BIN / "incident-tui"), "open", "INC-1"], env, marker, window),
        "bare_ticker": idle_cpu([sys.executable, str(ticker), marker], env, marker, window),
    }


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


def bench_read(db_path: Path, repeats: int = 5) -> dict:
    from incident_tui.store import timeline_reads
    from incident_tui.store.database import open_database

    db = open_database(db_path)
    try:
        samples = []
        for _ in range(repeats):
            started = time.perf_counter()
            read = timeline_reads.read_incident(db, 1)
            samples.append(time.perf_counter() - started)
        del read
    finally:
        db.dispose()
    return {"median_s": statistics.median(samples), "samples_s": samples}


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


async def _enter_latency(db_path: Path, entries: int, presses: int) -> dict:
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
        figures = await press_and_time(pilot, entry_line, drawn, presses)
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


def bench_enter(db_path: Path, entries: int, presses: int) -> dict:
    try:
        figures = asyncio.run(_enter_latency(db_path, entries, presses))
        figures["bare"] = asyncio.run(_bare_enter_latency(presses))
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


async def _live_latency(target: str, writes: int, workdir: Path) -> dict:
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
        writer = subprocess.Popen(
            [sys.executable, str(script), target, str(number), str(writes)],
            stderr=subprocess.PIPE,
        )
        while writer.poll() is None or len(seen) < writes:
            await pilot.pause(0.02)
            if writer.poll() not in (None, 0):
                raise Unavailable(writer.stderr.read().decode().strip().splitlines()[-1])
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
