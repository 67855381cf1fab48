"""`incident-tui check`: the health of a database, read without changing it.

SQLite: integrity (`PRAGMA quick_check`, or the slower full `integrity_check`), schema
version, journal mode and WAL size, permissions of the file and its folder, row counts.
PostgreSQL: schema version and row counts (integrity is the server's business). Each
finding is one line; a problem says what to do about it.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from incident_tui.store.locations import resolve_target, sqlite_path
from incident_tui.store.schema_revisions import SCHEMA_HEAD, SCHEMA_REVISIONS
from incident_tui.store.sqlite_files import live_read_uri, read_only_reason, snapshot_uri

COUNTED = ("incident", "timeline_entry", "status_update", "action_item", "role_holding")
INTEGRITY_LINES = 5
"""Lines of integrity_check output shown; the rest is counted."""


@dataclass(frozen=True)
class Finding:
    topic: str
    text: str
    problem: bool = False


@dataclass
class Checkup:
    where: str
    findings: list[Finding] = field(default_factory=list)

    def ok(self, topic: str, text: str) -> None:
        self.findings.append(Finding(topic, text))

    def bad(self, topic: str, text: str) -> None:
        self.findings.append(Finding(topic, text, problem=True))

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.problem]

    def lines(self) -> list[str]:
        shown = [f"{'PROBLEM' if f.problem else 'ok':<8} {f.topic:<11} {f.text}" for f in self]
        if not self.problems:
            shown.append(f"{self.where}: healthy")
        else:
            noun = "problem" if len(self.problems) == 1 else "problems"
            shown.append(f"{self.where}: {len(self.problems)} {noun}")
        return shown

    def __iter__(self):
        return iter(self.findings)


def newest_backup(path: Path) -> Path | None:
    """The newest `<name>.<UTC stamp>.bak` the migrations left beside the database."""
    backups = sorted(path.parent.glob(f"{path.name}.*.bak"))
    return backups[-1] if backups else None


def restore_hint(path: Path) -> str:
    backup = newest_backup(path)
    if backup is None:
        return (
            "no .bak beside it to restore; copy what still reads with "
            f"`sqlite3 {path} .recover` into a new file"
        )
    return (
        f"with every incident-tui closed, move {path.name} (and its -wal, -shm) aside and "
        f"copy {backup.name} to {path.name}"
    )


def quick_check(path: Path) -> str | None:
    """One line when `PRAGMA quick_check` finds the SQLite file at `path` damaged, else
    None: for the app, which runs it in the background once the database is open (about
    1.4 s at a million entries)."""
    try:
        conn = sqlite3.connect(live_read_uri(path), uri=True, timeout=5)
        try:
            rows = [row[0] for row in conn.execute("PRAGMA quick_check")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as error:
        rows = [str(error)]
    if rows == ["ok"]:
        return None
    return (
        f"damaged database: {path} (quick_check: {rows[0]}); run "
        f"`incident-tui check --db {path}` and restore the backup it names"
    )


def check(target: str | os.PathLike | None = None, *, full: bool = False) -> Checkup:
    url = resolve_target(target)
    path = sqlite_path(url)
    if path is None:
        return _check_server(url)
    return _check_sqlite(path, full=full)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _check_permissions(result: Checkup, path: Path) -> None:
    """A problem when any user of the machine can read or write the file, or replace it
    (write the folder); a team group (0660/0770) is a choice, not a problem."""
    file_mode, folder_mode = _mode(path), _mode(path.parent)
    if file_mode & 0o007:
        result.bad(
            "permissions",
            f"file {path} is {file_mode:04o}: every user of this machine can reach it "
            f"(chmod 600 {path}, or 660 for a team group)",
        )
    else:
        result.ok("permissions", f"file {file_mode:04o}")
    if folder_mode & 0o002 and not folder_mode & stat.S_ISVTX:
        result.bad(
            "permissions",
            f"folder {path.parent} is {folder_mode:04o}: anyone can replace the database "
            f"(chmod 700 {path.parent}, or 770 for a team group)",
        )
    else:
        result.ok("permissions", f"folder {folder_mode:04o}")
    reason = read_only_reason(path)
    if reason:
        result.ok("permissions", f"read-only ({reason}): incident-tui opens it as an observer")


def _check_sqlite(path: Path, *, full: bool) -> Checkup:
    result = Checkup(str(path))
    if not path.exists():
        result.bad("file", "does not exist (incident-tui creates it on first use)")
        return result
    if not path.is_file():
        result.bad("file", "is not a file")
        return result
    _check_permissions(result, path)
    wal = path.with_name(path.name + "-wal")
    wal_size = wal.stat().st_size if wal.exists() else 0
    try:
        # Read-only, creating nothing beside it: a damaged file is not made worse, nothing
        # is migrated, a read-only share can be checked.
        conn = sqlite3.connect(snapshot_uri(path), uri=True, timeout=5)
    except sqlite3.Error as error:
        result.bad("file", f"cannot be opened: {error}")
        return result
    try:
        _check_contents(result, conn, path, full=full)
    finally:
        conn.close()
    result.ok("wal", f"{wal_size:,} bytes waiting to be checkpointed" if wal_size else "empty")
    return result


def _check_contents(result: Checkup, conn: sqlite3.Connection, path: Path, *, full: bool):
    pragma = "integrity_check" if full else "quick_check"
    try:
        rows = [row[0] for row in conn.execute(f"PRAGMA {pragma}")]
    except sqlite3.DatabaseError as error:
        result.bad("integrity", f"{pragma}: {error}; {restore_hint(path)}")
        return
    if rows == ["ok"]:
        result.ok("integrity", f"{pragma}: ok")
    else:
        more = f" (and {len(rows) - INTEGRITY_LINES} more)" if len(rows) > INTEGRITY_LINES else ""
        shown = "; ".join(rows[:INTEGRITY_LINES])
        result.bad("integrity", f"{pragma}: {shown}{more}; {restore_hint(path)}")
    try:
        # From the header (bytes 18-19 are 2 in WAL mode): an immutable connection, as
        # ours may be, reports "delete" whatever the file says.
        with open(path, "rb") as handle:
            wal_mode = handle.read(20)[18:20] == b"\x02\x02"
        if wal_mode:
            result.ok("journal", "wal")
        else:
            result.bad("journal", "not wal (incident-tui sets it when it opens the file)")
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        if not tables:
            result.ok("schema", "empty: incident-tui fills it on first use")
            return
        if "alembic_version" not in tables:
            result.bad("schema", "not an incident-tui database (no alembic_version)")
            return
        _schema_and_rows(result, tables, lambda sql: conn.execute(sql).fetchone()[0])
    except sqlite3.DatabaseError as error:
        result.bad("schema", f"cannot be read: {error}; {restore_hint(path)}")


def _schema_and_rows(result: Checkup, tables: set[str], one: Callable[[str], object]) -> None:
    """The schema version and the row counts, through `one` (a query's single value)."""
    revision = one("SELECT version_num FROM alembic_version")
    _schema(result, str(revision) if revision is not None else None)
    counts = [f"{one(f'SELECT count(*) FROM {t}'):,} {t}" for t in COUNTED if t in tables]
    result.ok("rows", ", ".join(counts))


def _schema(result: Checkup, revision: str | None) -> None:
    if revision == SCHEMA_HEAD:
        result.ok("schema", f"{revision} (current)")
    elif revision in SCHEMA_REVISIONS:
        result.ok("schema", f"{revision}: upgraded to {SCHEMA_HEAD} on next open (a .bak first)")
    else:
        result.bad(
            "schema",
            f"{revision}: written by a newer incident-tui (this one knows up to "
            f"{SCHEMA_HEAD}); upgrade incident-tui",
        )


def _check_server(url: str) -> Checkup:
    from sqlalchemy import create_engine, inspect, text
    from sqlalchemy.pool import NullPool

    from incident_tui.store.failures import friendly_error, server_where

    result = Checkup(server_where(url))
    connect_args = {"connect_timeout": 5} if "psycopg" in url else {}
    try:
        engine = create_engine(url, poolclass=NullPool, connect_args=connect_args)
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            if "alembic_version" not in tables:
                result.ok("schema", "empty: incident-tui fills it on first use")
                return result
            _schema_and_rows(result, tables, lambda sql: conn.execute(text(sql)).scalar())
        engine.dispose()
    except Exception as error:  # noqa: BLE001 — any failure to reach it is the finding
        result.bad("server", str(friendly_error(error, result.where, url)))
    return result
