"""Shared fixtures: a private home per test, a real SQLite file, a frozen clock, the CLI."""

from __future__ import annotations

import functools
import os
import shutil
import sqlite3
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from incident_tui.domain.clock import FrozenClock
from tests.cli_forks import run_cli
from tests.terminal import PATIENCE_S

pytest_plugins = ["tests.suite_clock"]

FROZEN_AT = datetime(2026, 11, 24, 9, 2, 0, tzinfo=UTC)
"""'Now' in tests: 09:02 UTC, as in the SEV2 walk-through."""


def patience(seconds: float = PATIENCE_S) -> Iterator[int]:
    """Rounds of a wait until a deadline: `for _ in patience(): if done: break; await
    pilot.pause(0.02)`. A count of rounds is a time limit that shrinks as the machine
    slows; this one is a backstop that only turns a hang into a failure."""
    deadline = time.monotonic() + seconds
    round_ = 0
    while time.monotonic() < deadline:
        yield round_
        round_ += 1


async def eventually(pilot, condition: Callable[[], bool], what: str) -> None:  # type: ignore[no-untyped-def]
    """Let the app run until `condition()` holds (a tick's read runs in a thread: a fixed
    pause before the assert was a bet on the machine's speed)."""
    for _ in patience():
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"never happened: {what}")


TABLES = (
    "incident",
    "incident_change",
    "role_holding",
    "timeline_entry",
    "entry_revision",
    "status_update",
    "action_item",
    "postmortem",
    "five_why",
    "timer",
    "deadline_snooze",
    "presence",
)


@pytest.fixture(autouse=True)
def private_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep the developer's own config, data and environment out of every test."""
    home = tmp_path_factory.mktemp("home")
    for name in (
        "INCIDENT_TUI_DB",
        "INCIDENT_TUI_CONFIG",
        "INCIDENT_TUI_NOW",
        "INCIDENT_TUI_DEBUG",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("USER", "tester")
    monkeypatch.setenv("LOGNAME", "tester")
    return home


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(FROZEN_AT)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "incidents.db"


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database at the schema head, made once per session (per xdist worker): running
    the migrations costs ~0.4 s a test, copying the file a few milliseconds."""
    from incident_tui.store.database import open_database

    path = tmp_path_factory.mktemp("template") / "incidents.db"
    open_database(path).dispose()
    # Closing the last connection checkpoints the WAL and removes it: one file to copy.
    assert not Path(f"{path}-wal").exists() and not Path(f"{path}-shm").exists()
    return path


def copy_template(template: Path, path: Path) -> Path:
    """`path` as a database at the schema head, copied from the session's template unless
    it exists: what the first CLI process would otherwise pay migrating a fresh file
    (~0.6 s of alembic per process, more on a loaded machine)."""
    if not path.exists():
        shutil.copy2(template, path)
    return path


@pytest.fixture
def migrated_path(db_path: Path, migrated_template: Path) -> Path:
    """The test database's path, at the schema head and not opened by the test process:
    for tests that drive it only through `incident-tui` processes (the `cli` fixture)."""
    return copy_template(migrated_template, db_path)


@pytest.fixture
def db(db_path: Path, migrated_template: Path):
    """The test database, opened as the app opens it (a copy of the migrated template,
    0600 as `open_database` creates it; opening at the head migrates nothing)."""
    from incident_tui.store.database import open_database

    copy_template(migrated_template, db_path)
    database = open_database(db_path)
    yield database
    database.dispose()


def row_counts(path: Path) -> dict[str, int]:
    """Rows per table, read with plain sqlite3 (to prove a failure changed nothing)."""
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        conn.close()


def table_dump(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, for before/after comparisons."""
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in TABLES}
    finally:
        conn.close()


CliRunner = Callable[..., subprocess.CompletedProcess]


@pytest.fixture
def cli(db_path: Path, private_home: Path) -> CliRunner:
    """Run `incident-tui` in a process of its own on the test database, with a frozen
    clock (forked from a warm process: tests/cli_forks.py)."""

    def run(
        *args: str,
        now: datetime | None = FROZEN_AT,
        input: str | None = None,
        env: dict[str, str] | None = None,
        db: Path | str | None = None,
    ) -> subprocess.CompletedProcess:
        full_env = dict(os.environ)
        full_env["INCIDENT_TUI_DB"] = str(db or db_path)
        if now is not None:
            full_env["INCIDENT_TUI_NOW"] = now.isoformat()
        full_env.update(env or {})
        return run_cli(list(args), env=full_env, input=input, timeout=60)

    return run


# --- PostgreSQL: the real server on 127.0.0.1:5432, a schema per test ----------------

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@functools.cache
def _server_answers() -> str | None:
    """Why there is no server to test on (None: there is one); asked once a process."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install incident-tui[postgres])"
    try:
        psycopg.connect(
            "host=127.0.0.1 port=5432 user=postgres dbname=test", connect_timeout=30
        ).close()
    except Exception as error:  # any failure to connect means: no server here
        return f"no PostgreSQL server on 127.0.0.1:5432 ({type(error).__name__})"
    return None


def _uses_postgres(item: pytest.Item) -> bool:
    """A test on the server: it asks for `pg_url` (or `pg`), or is the "postgresql" case
    of a parametrized test that asks for the server with `request.getfixturevalue`."""
    if "pg_url" in getattr(item, "fixturenames", ()):
        return True
    callspec = getattr(item, "callspec", None)
    return callspec is not None and "postgresql" in callspec.params.values()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # PostgreSQL tests run on any xdist worker: each has a schema of its own, and since
    # migration 0008 a schema's notifications go to a channel of its own, so two war
    # rooms on two workers never hear each other's commits (tests/test_pg_feed.py).
    for item in items:
        if _uses_postgres(item):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture
def pg_url(request: pytest.FixtureRequest):
    if request.node.get_closest_marker("postgres") is None:
        pytest.fail(
            "a test reaching pg_url dynamically must be the 'postgresql' case of a "
            "parametrized test (tests/conftest.py marks those `postgres`)"
        )
    reason = _server_answers()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL must run in CI: {reason}")
        pytest.skip(reason)
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=test", autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    yield f"{PG_SERVER}?options=-csearch_path%3D{schema}"
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=test", autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def pg(pg_url):
    from incident_tui.store.database import open_database

    db = open_database(pg_url)
    yield db
    db.dispose()


# --- every JSON export the suite makes is checked against the shipped schema ---------------


def assert_valid_export(doc: dict) -> None:
    """`doc` (a JSON export, parsed) validates against `incident-tui export --schema`."""
    import jsonschema

    from incident_tui.formats.export_model import schema

    jsonschema.validate(doc, schema(), format_checker=jsonschema.FormatChecker())


@pytest.fixture(autouse=True)
def exports_follow_the_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wrap the one builder of the JSON export: in-process exports are validated as they
    are made (command-line tests validate what the subprocess printed themselves)."""
    from incident_tui.formats import export, export_json

    build = export_json.to_json

    def checked(*args, **kwargs):  # type: ignore[no-untyped-def]
        import json

        doc = build(*args, **kwargs)
        assert_valid_export(json.loads(json.dumps(doc)))
        return doc

    monkeypatch.setattr(export_json, "to_json", checked)
    monkeypatch.setattr(export, "to_json", checked)


# --- a small real filesystem: read-only shares and full disks ----------------------------


@pytest.fixture
def tmpfs(tmp_path: Path):
    """`mount(size)` gives a fresh tmpfs folder of `size` (e.g. "2m"); `remount(folder,
    "ro")` changes its options. Needs the right to mount (root): skipped otherwise."""
    mounted: list[Path] = []

    def mount(size: str = "16m") -> Path:
        folder = tmp_path / f"tmpfs{len(mounted)}"
        folder.mkdir()
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
            capture_output=True,
        )
        if done.returncode:
            pytest.skip("mounting a tmpfs needs root (CAP_SYS_ADMIN)")
        mounted.append(folder)
        return folder

    def remount(folder: Path, options: str) -> None:
        done = subprocess.run(["mount", "-o", f"remount,{options}", str(folder)])
        assert done.returncode == 0

    mount.remount = remount  # type: ignore[attr-defined]
    yield mount
    for folder in reversed(mounted):
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)
