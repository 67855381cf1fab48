"""Shared fixtures: a private home per test, a real SQLite file, a frozen clock, the CLI."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from incident_tui.clock import FrozenClock

FROZEN_AT = datetime(2026, 11, 24, 9, 2, 0, tzinfo=UTC)
"""'Now' in tests: 09:02 UTC, as in the SEV2 walk-through."""

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


@pytest.fixture
def db(db_path: Path):
    from incident_tui.store import open_database

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
    """Run `incident-tui` in a subprocess on the test database, with a frozen clock."""

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
        return subprocess.run(
            [sys.executable, "-m", "incident_tui", *args],
            capture_output=True,
            text=True,
            env=full_env,
            input=input,
            timeout=60,
        )

    return run


# --- PostgreSQL: the real server on 127.0.0.1:5432, a schema per test ----------------

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _server_answers() -> str | None:
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install incident-tui[postgres])"
    try:
        psycopg.connect(
            "host=127.0.0.1 port=5432 user=postgres dbname=test", connect_timeout=3
        ).close()
    except Exception as error:  # any failure to connect means: no server here
        return f"no PostgreSQL server on 127.0.0.1:5432 ({type(error).__name__})"
    return None


@pytest.fixture
def pg_url():
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
    from incident_tui.store import open_database

    db = open_database(pg_url)
    yield db
    db.dispose()


# --- every JSON export the suite makes is checked against the shipped schema ---------------


def assert_valid_export(doc: dict) -> None:
    """`doc` (a JSON export, parsed) validates against `incident-tui export --schema`."""
    import jsonschema

    from incident_tui.export_json import schema

    jsonschema.validate(doc, schema(), format_checker=jsonschema.FormatChecker())


@pytest.fixture(autouse=True)
def exports_follow_the_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wrap the one builder of the JSON export: in-process exports are validated as they
    are made (command-line tests validate what the subprocess printed themselves)."""
    from incident_tui import export, export_json

    build = export_json.to_json

    def checked(*args, **kwargs):  # type: ignore[no-untyped-def]
        import json

        doc = build(*args, **kwargs)
        assert_valid_export(json.loads(json.dumps(doc)))
        return doc

    monkeypatch.setattr(export_json, "to_json", checked)
    monkeypatch.setattr(export, "to_json", checked)
