"""Opening the database: URLs, SQLite pragmas, write transactions with retry, migrations."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import NullPool
from sqlmodel import Session

from incident_tui.domain.errors import StorageError
from incident_tui.store import models  # noqa: F401  (registers the tables)
from incident_tui.store.failures import damaged, friendly_error, is_busy, redacted, server_where
from incident_tui.store.locations import resolve_target, sqlite_path
from incident_tui.store.schema_revisions import SCHEMA_HEAD, SCHEMA_REVISIONS
from incident_tui.store.sqlite_files import live_read_uri, read_only_reason, snapshot_uri

T = TypeVar("T")


BUSY_TIMEOUT_MS = 5_000


WRITE_ATTEMPTS = 6


PG_CONNECT_TIMEOUT_S = 5


MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def _sqlite_engine(
    url: str, *, immediate: bool, foreign_keys: bool = True, read_uri: str | None = None
) -> Engine:
    """A SQLite engine whose transactions start with BEGIN IMMEDIATE (writers) or BEGIN;
    with `read_uri`, one that opens the file read-only through that URI."""
    extra: dict = {}
    if read_uri is not None:
        extra["creator"] = lambda: sqlite3.connect(
            read_uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
        )
    engine = create_engine(
        url,
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        poolclass=NullPool if not foreign_keys else None,
        **extra,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # We emit BEGIN ourselves (below), so take pysqlite's implicit transactions away.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if read_uri is None:  # a read-only file keeps the journal mode it has
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # A read-then-write transaction that starts deferred cannot take the write lock
        # once another writer committed; IMMEDIATE takes it up front (STACK.md).
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


@dataclass
class Database:
    """An open, migrated database: sessions for reading, retried transactions for writing."""

    url: str
    writer: Engine
    reader: Engine
    read_only: str | None = None
    """Why this database cannot be written (a read-only share, say), or None. Reads work;
    every write is refused in one line before it is tried."""
    _watch: sqlite3.Connection | None = field(default=None, init=False, repr=False)

    @property
    def path(self) -> Path | None:
        return sqlite_path(self.url)

    @property
    def is_sqlite(self) -> bool:
        return self.writer.dialect.name == "sqlite"

    @property
    def where(self) -> str:
        """The file, or the server and database (no password, no options): for messages."""
        if self.path:
            return str(self.path)
        return server_where(self.url)

    @contextmanager
    def read(self) -> Iterator[Session]:
        try:
            with Session(self.reader, expire_on_commit=False) as session:
                yield session
        except (OperationalError, DBAPIError, sqlite3.Error) as error:
            # sqlite3.Error: the bulk reads (entry_rows) use the DBAPI cursor itself,
            # whose errors SQLAlchemy never sees to wrap.
            raise friendly_error(error, self.where, self.url) from None
        except Exception as error:
            if type(error).__module__.startswith("psycopg"):  # the same, on PostgreSQL
                raise friendly_error(error, self.where, self.url) from None
            raise

    def write(self, work: Callable[[Session], T]) -> T:
        """Run `work` in one write transaction and commit it; retry it whole when busy.

        `work` may run more than once, so it must not have effects outside the session.
        """
        if self.read_only:
            raise StorageError(f"read-only database: {self.where} ({self.read_only})")
        delay = 0.05
        for attempt in range(WRITE_ATTEMPTS):
            try:
                with Session(self.writer, expire_on_commit=False) as session:
                    result = work(session)
                    session.commit()
                    return result
            except OperationalError as error:
                if is_busy(error) and attempt < WRITE_ATTEMPTS - 1:
                    time.sleep(delay)
                    delay *= 2
                    continue
                raise friendly_error(error, self.where, self.url) from None
            except DBAPIError as error:
                raise friendly_error(error, self.where, self.url) from None
        raise StorageError(f"{self.where} stayed busy; try again")  # pragma: no cover

    def data_version(self) -> int | None:
        """A number that changes whenever another connection commits (SQLite's
        `PRAGMA data_version`, ≈3 µs on a connection kept for it), so a screen learns of
        a change without reading anything; None where the database has no such counter."""
        if self.path is None:
            return None
        try:
            if self._watch is None:
                self._watch = sqlite3.connect(
                    live_read_uri(self.path) if self.read_only else str(self.path),
                    uri=bool(self.read_only),
                    check_same_thread=False,
                    isolation_level=None,
                )
            return self._watch.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.Error as error:
            raise friendly_error(error, self.where) from None

    def dispose(self) -> None:
        if self._watch is not None:
            self._watch.close()
            self._watch = None
        self.writer.dispose()
        if self.reader is not self.writer:
            self.reader.dispose()


def _private_folders(folder: Path) -> None:
    """Create `folder` and every missing folder above it as 0700 (`mkdir(parents=True)`
    makes the upper ones with the umask's mode: 0777 under umask 000)."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for made in reversed(missing):
        made.mkdir(mode=0o700)
        os.chmod(made, 0o700)  # mkdir's mode passes through the umask; make it exact


def _prepare_sqlite_file(path: Path) -> None:
    """Create the file (0600) and its folder (0700) if missing; refuse what is not SQLite."""
    try:
        _private_folders(path.parent)
        if not path.exists():
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            os.close(fd)
            return
    except OSError as error:
        raise StorageError(f"cannot create database {path}: {error.strerror}") from None
    if path.is_dir():
        raise StorageError(f"{path} is a folder, not a database file")
    if not os.access(path, os.R_OK):
        raise StorageError(f"cannot read database {path}: permission denied")


def _stored_revision_sqlite(path: Path) -> str | None:
    """The schema revision in the file, read without changing it; None for an empty file."""
    try:
        # No -wal/-shm left behind, not even beside a file we then refuse (a newer schema).
        conn = sqlite3.connect(snapshot_uri(path), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as error:
        raise StorageError(f"cannot open database {path}: {error}") from None
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        if not tables:
            return None
        if "alembic_version" not in tables:
            raise StorageError(f"{path} is a SQLite database but not an incident-tui one")
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None
    except sqlite3.DatabaseError as error:
        if "malformed" in str(error):
            raise damaged(str(path), str(error)) from None
        if "not a database" in str(error):
            raise StorageError(f"{path} is not a SQLite database") from None
        raise StorageError(f"cannot read database {path}: {error}") from None
    finally:
        conn.close()


def _stored_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        has_table = engine.dialect.has_table(conn, "alembic_version")
        if not has_table:
            if engine.dialect.has_table(conn, "incident"):
                raise StorageError("the database has incident tables but no schema version")
            return None
        row = conn.execute(text("SELECT version_num FROM alembic_version")).fetchone()
        return row[0] if row else None


def _check_revision(revision: str | None, where: str) -> None:
    if revision is not None and revision not in SCHEMA_REVISIONS:
        raise StorageError(
            f"{where} was written by a newer incident-tui (schema {revision}; this version "
            f"knows up to {SCHEMA_HEAD}); upgrade incident-tui to open it — the file is untouched"
        )


def backup_sqlite(path: Path, now: datetime | None = None) -> Path:
    """A consistent copy of the database beside it, `<name>.<UTC timestamp>.bak` (0600)."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.{stamp}.bak")
    fd = os.open(target, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    os.close(fd)
    source = sqlite3.connect(str(path))
    dest = sqlite3.connect(str(target))
    try:
        source.backup(dest)
    finally:
        dest.close()
        source.close()
    return target


def _alembic_config():
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Apply migrations up to `revision` in one transaction (SQLite: foreign keys off)."""
    from alembic import command

    cfg = _alembic_config()
    if url.startswith("sqlite"):
        # Batch migrations rebuild tables; with foreign keys on, rebuilding a parent
        # would cascade into its children (STACK.md). Check the keys before committing.
        engine = _sqlite_engine(url, immediate=True, foreign_keys=False)
    else:
        engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
            if url.startswith("sqlite"):
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise StorageError(f"migration left {len(broken)} broken references")
    finally:
        engine.dispose()


def _open_read_only(url: str, path: Path, revision: str | None, reason: str) -> Database:
    """An observer's database: read through a read-only URI, never migrated."""
    if revision != SCHEMA_HEAD:
        has = f"schema {revision}" if revision else "no incident-tui schema yet"
        raise StorageError(
            f"read-only database: {path} ({reason}) has {has}, this version needs "
            f"{SCHEMA_HEAD}; open it once with write access to set it up"
        )
    engine = _sqlite_engine(url, immediate=False, read_uri=live_read_uri(path))
    return Database(url=url, writer=engine, reader=engine, read_only=reason)


def open_database(target: str | os.PathLike | None = None, *, migrate: bool = True) -> Database:
    """Open (creating or upgrading as needed) the database at a path or URL."""
    url = resolve_target(target)
    path = sqlite_path(url)
    try:
        if path is not None:
            _prepare_sqlite_file(path)
            revision = _stored_revision_sqlite(path)
            _check_revision(revision, str(path))
            reason = read_only_reason(path)
            if reason is not None:
                return _open_read_only(url, path, revision, reason)
            if migrate and revision != SCHEMA_HEAD:
                if revision is not None:
                    backup_sqlite(path)
                upgrade(url)
            writer = _sqlite_engine(url, immediate=True)
            reader = _sqlite_engine(url, immediate=False)
            if revision is None:
                os.chmod(path, 0o600)
            return Database(url=url, writer=writer, reader=reader)
        # A dead server or network fails a connection attempt in seconds, not minutes:
        # a write waits on it on the UI thread.
        connect_args = {"connect_timeout": PG_CONNECT_TIMEOUT_S} if "psycopg" in url else {}
        engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args)
        revision = _stored_revision(engine)
        _check_revision(revision, server_where(url))
        if migrate and revision != SCHEMA_HEAD:
            upgrade(url)
        return Database(url=url, writer=engine, reader=engine)
    except StorageError:
        raise
    except ModuleNotFoundError as error:
        raise StorageError(
            f"cannot open {url.split('://')[0]} databases: module {error.name} is missing "
            "(install incident-tui[postgres])"
        ) from None
    except (OperationalError, DBAPIError, sqlite3.Error, OSError) as error:
        raise friendly_error(error, str(path) if path else server_where(url), url) from None
    except Exception as error:  # a malformed URL, an unknown dialect
        shown = str(path) if path else server_where(url)
        reason = redacted(str(error).strip().splitlines()[0] if str(error).strip() else "", url)
        raise StorageError(f"cannot open database {shown}: {reason}") from None
