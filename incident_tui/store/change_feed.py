"""Hearing about other writers: a background thread that says "something changed".

SQLite: `PRAGMA data_version` on a connection of the thread's own, checked whenever
the kernel says the database's files were written (inotify, on Linux), and every
`SQLITE_FALLBACK_INTERVAL` anyway; without inotify every `SQLITE_INTERVAL` (≈3 µs a
check). PostgreSQL: LISTEN on a dedicated autocommit
psycopg connection (a connection consuming notifications cannot run the app's queries),
on the channel of the schema the tables live in (`channel_sql`); every writer's
statement notifies it through triggers (migration 0008), delivered at commit. The first
notification wakes the app at once; those that come while the app is still handling
that wake-up (until it calls `handled()`) are folded into one more wake-up after it, so
a burst of commits costs a few reads, not one each, and no commit waits for a timer.
When the listening connection fails, the feed reports it, retries every
`RETRY_INTERVAL`, and the screens fall back to polling on their tick until it is back.

The feed never waits on the UI: it hands events over through callbacks that must not
block (Textual's thread-safe `post_message`), so it can never hold up the app's exit.
No Textual here.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from incident_tui.store.locations import sqlite_path

CHANNEL_PREFIX = "incident_tui."
"""PostgreSQL notification channels are `incident_tui.<schema>` (migration 0008)."""
PG_NAME_BYTES = 63
"""PostgreSQL's longest name: a longer channel uses the schema's md5 instead."""

SQLITE_INTERVAL = 0.05
"""Between looks at SQLite's counter where the files cannot be watched."""
SQLITE_FALLBACK_INTERVAL = 0.5
"""Between looks while the files are watched: a safety net only (a write the kernel
does not report, as on some network file systems, is still found)."""
COMMIT_WINDOW = 1.0
"""After the files were written, how long the counter is watched closely: a commit
writes its WAL frames, then syncs them (`synchronous=FULL`), then moves the counter."""
COMMIT_RECHECK = 0.002
"""Between close looks for the first `COMMIT_SOON`, then five times that (a sync can
take tens of milliseconds on a busy disk)."""
COMMIT_SOON = 0.1
LISTEN_TIMEOUT = 0.5
"""How long one wait for notifications lasts: also how soon `stop()` is obeyed."""
HEALTH_INTERVAL = 5.0
"""Between notifications, a `SELECT 1` this often finds a connection that died quietly."""
RETRY_INTERVAL = 2.0
FOLLOW_UP_GAP = 0.02
"""A wake-up for notifications that came during the last one waits this long after the
app handled that one: a burst of commits leaves the UI time to draw and take keys."""
HANDLED_PATIENCE = 2.0
"""A wake-up the app never acknowledged (a lost message) is followed by the next anyway."""


class ChangeFeed:
    """Calls `on_change()` soon after another connection commits, from its own thread.

    `on_health(None)` when it listens (again), `on_health(message)` when it lost the
    database; both callbacks run on the feed's thread and must be quick and non-blocking.
    """

    def __init__(
        self,
        url: str,
        on_change: Callable[[], None],
        on_health: Callable[[str | None], None] = lambda _message: None,
    ) -> None:
        self.url = url
        self.on_change = on_change
        self.on_health = on_health
        self._stop = threading.Event()
        self._handled = threading.Event()
        self._handled.set()
        self._woke_at = 0.0
        self._thread: threading.Thread | None = None
        self.listening = False
        """True while notifications (or the SQLite counter) are being followed."""

    def start(self) -> None:
        target = self._follow_sqlite if self.url.startswith("sqlite") else self._follow_postgres
        self._thread = threading.Thread(target=target, name="incident-tui-feed", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Ask the thread to end; it does within `LISTEN_TIMEOUT`, without being waited for."""
        self._stop.set()

    def handled(self) -> None:
        """The app has taken the last wake-up in hand (called from any thread, at once
        when the change is read synchronously): the next notification wakes it again."""
        self._handled.set()

    def _wake(self) -> None:
        self._handled.clear()
        self._woke_at = time.monotonic()
        self.on_change()

    def _healthy(self, healthy: bool, message: str | None = None) -> None:
        if healthy != self.listening:
            self.listening = healthy
            self.on_health(None if healthy else message)

    # --- SQLite ------------------------------------------------------------------------

    def _follow_sqlite(self) -> None:
        path = sqlite_path(self.url)
        if path is None:
            return
        conn: sqlite3.Connection | None = None
        seen: int | None = None
        hurry_until = 0.0
        # Woken by the kernel when the database's files are written (Linux inotify): a
        # commit is heard within a millisecond, and an idle room costs nothing between
        # commits. Elsewhere, or when inotify is not to be had, the counter is polled.
        wake = FileWatch.open(path)
        interval = SQLITE_FALLBACK_INTERVAL if wake is not None else SQLITE_INTERVAL
        try:
            while not self._stop.is_set():
                try:
                    if conn is None:
                        conn = _open_sqlite(path)
                    version = conn.execute("PRAGMA data_version").fetchone()[0]
                    self._healthy(True)
                    if seen is not None and version != seen:
                        self.on_change()
                        hurry_until = 0.0
                    seen = version
                except sqlite3.Error as error:
                    self._healthy(False, f"cannot read {path}: {error}")
                    if conn is not None:
                        conn.close()
                        conn = None
                    self._stop.wait(RETRY_INTERVAL)
                    continue
                if wake is None:
                    self._stop.wait(interval)
                elif time.monotonic() < hurry_until:
                    # The files were written, the counter has not moved yet: the commit
                    # is between its WAL write and its fsync. Look again very soon.
                    late = time.monotonic() > hurry_until - COMMIT_WINDOW + COMMIT_SOON
                    self._stop.wait(COMMIT_RECHECK * (5 if late else 1))
                elif wake.wait(min(interval, LISTEN_TIMEOUT), self._stop):
                    hurry_until = time.monotonic() + COMMIT_WINDOW
        finally:
            if wake is not None:
                wake.close()
            if conn is not None:
                conn.close()

    # --- PostgreSQL --------------------------------------------------------------------

    def _follow_postgres(self) -> None:

        import psycopg
        from psycopg import sql

        conninfo = libpq_url(self.url)
        while not self._stop.is_set():
            try:
                with psycopg.connect(conninfo, autocommit=True, connect_timeout=3) as conn:
                    row = conn.execute(channel_sql()).fetchone()
                    channel = row[0] if row else CHANNEL_PREFIX + "public"
                    conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
                    self._healthy(True)
                    # Anything committed while we were not listening: one catch-up read.
                    self._wake()
                    self._listen(conn)
            except Exception as error:  # noqa: BLE001  (any failure: report, retry)
                from incident_tui.store.failures import redacted

                message = str(error).strip().splitlines()[0] if str(error).strip() else ""
                message = redacted(message, self.url)  # never the password in a banner
                self._healthy(
                    False, f"lost the database connection ({message or type(error).__name__})"
                )
                self._stop.wait(RETRY_INTERVAL)

    def _listen(self, conn) -> None:
        """Wake the app on the first notification at once; fold the ones that come while
        it is busy with that wake-up into a single one after it."""
        checked = time.monotonic()
        pending = False
        while not self._stop.is_set():
            if not pending:
                for _notice in conn.notifies(timeout=LISTEN_TIMEOUT, stop_after=1):
                    pending = True
                if pending and self._handled.is_set():  # the app is idle: at once
                    self._take_waiting(conn)
                    pending = False
                    self._wake()
            elif self._handled.wait(LISTEN_TIMEOUT) or self._woke_at < time.monotonic() - (
                HANDLED_PATIENCE
            ):
                self._stop.wait(FOLLOW_UP_GAP)
                # Whatever else arrived meanwhile is covered by the read this starts.
                self._take_waiting(conn)
                pending = False
                self._wake()
            if time.monotonic() - checked >= HEALTH_INTERVAL:
                conn.execute("SELECT 1")
                checked = time.monotonic()

    @staticmethod
    def _take_waiting(conn) -> None:
        """Swallow the notifications already received, without waiting for more."""
        for _notice in conn.notifies(timeout=0):
            pass


def channel_sql() -> str:
    """One row: the notification channel of the schema holding this connection's tables
    (as the search_path finds them); the same rule as migration 0008's trigger."""
    prefix, limit = CHANNEL_PREFIX, PG_NAME_BYTES
    return (
        f"SELECT CASE WHEN octet_length('{prefix}' || n.nspname) > {limit}"
        f" THEN '{prefix}' || md5(n.nspname) ELSE '{prefix}' || n.nspname END"
        " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.oid = to_regclass('timeline_entry')"
    )


class FileWatch:
    """Linux inotify on the folder of a SQLite database: `wait()` returns soon after
    the database, its WAL or its journal is written (the folder, not the files, so a
    WAL created or replaced later is seen too). Through ctypes: no dependency."""

    _MASK = 0x2 | 0x8 | 0x80 | 0x100  # IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE

    def __init__(self, fd: int, name: str) -> None:
        self._fd = fd
        self._names = (name, name + "-wal", name + "-journal")

    @classmethod
    def open(cls, path: Path) -> FileWatch | None:
        import os
        import sys

        if not sys.platform.startswith("linux"):
            return None
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
            if fd < 0:
                return None
            folder = str(path.parent.resolve()).encode()
            if libc.inotify_add_watch(fd, folder, cls._MASK) < 0:
                os.close(fd)
                return None
        except (OSError, AttributeError):
            return None
        return cls(fd, path.name)

    def wait(self, timeout: float, stop: threading.Event) -> bool:
        """Until one of the database's files is written, `timeout` passes, or `stop`;
        the events of one commit (several writes) are taken together. True when woken
        by a write."""
        import os
        import select
        import struct

        deadline = time.monotonic() + timeout
        while not stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            ready, _, _ = select.select([self._fd], [], [], min(left, LISTEN_TIMEOUT))
            if not ready:
                continue
            try:
                data = os.read(self._fd, 65536)
            except BlockingIOError:
                continue
            offset = 0
            hit = False
            while offset + 16 <= len(data):
                _wd, _mask, _cookie, size = struct.unpack_from("iIII", data, offset)
                name = data[offset + 16 : offset + 16 + size].rstrip(b"\0").decode(errors="replace")
                offset += 16 + size
                hit = hit or name in self._names
            if hit:
                return True
        return False

    def close(self) -> None:
        import os

        try:
            os.close(self._fd)
        except OSError:
            pass


def _open_sqlite(path: Path) -> sqlite3.Connection:
    if not path.exists():
        raise sqlite3.OperationalError("the database file is gone")
    from incident_tui.store.sqlite_files import live_read_uri, read_only_reason

    if read_only_reason(path):  # an observer on a read-only share: create nothing beside it
        return sqlite3.connect(
            live_read_uri(path), uri=True, check_same_thread=False, isolation_level=None, timeout=1
        )
    return sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=1)


def libpq_url(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as libpq takes it (no `+driver`)."""
    scheme, rest = url.split("://", 1)
    return "postgresql://" + rest if scheme.startswith("postgres") else url
