"""Processes in pseudo-terminals for the TUI benchmarks: spawn in a 120x36 pty with a
temporary HOME, read the output non-blocking, wait for a marker on screen, read a
process's CPU and peak memory from /proc, and always kill and reap what was spawned.
Also the databases those processes open (built through the CLI plus raw sqlite3)."""

from __future__ import annotations

import errno
import fcntl
import os
import re
import secrets
import select
import signal
import sqlite3
import statistics
import struct
import subprocess
import sys
import termios
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import prefill, run_process  # noqa: E402

BIN = Path(sys.executable).parent
COLS, ROWS = 120, 36
LAUNCH_TIMEOUT_S = 60.0
CLK_TCK = os.sysconf("SC_CLK_TCK")
CSI = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]")

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
