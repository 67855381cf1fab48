"""The store: SQLite settings, migrations with backups, busy writers, import hygiene."""

from __future__ import annotations

import ast
import json
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest

from incident_tui import ops
from incident_tui.domain.errors import StorageError
from incident_tui.domain.postmortem_draft import LIST_FIELDS
from incident_tui.store import queries
from incident_tui.store.database import SCHEMA_HEAD, SCHEMA_REVISIONS, open_database, upgrade
from tests.conftest import FROZEN_AT, TABLES, table_dump

PACKAGE = Path(__file__).resolve().parent.parent / "incident_tui"


def test_sqlite_settings_on_every_connection(db) -> None:
    for engine in (db.writer, db.reader):
        with engine.connect() as conn:
            pragma = lambda name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
            assert pragma("journal_mode") == "wal"
            assert pragma("synchronous") == 2  # FULL
            assert pragma("foreign_keys") == 1
            assert pragma("busy_timeout") >= 1000


def test_new_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "team" / "incidents.db"
    database = open_database(path)
    database.dispose()
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700


def test_schema_revisions_match_the_shipped_migrations() -> None:
    from alembic.script import ScriptDirectory

    from incident_tui.store.database import _alembic_config

    script = ScriptDirectory.from_config(_alembic_config())
    shipped = [rev.revision for rev in script.walk_revisions()][::-1]
    assert tuple(shipped) == SCHEMA_REVISIONS
    assert script.get_current_head() == SCHEMA_HEAD


def test_migrations_build_exactly_the_models(db) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    with db.writer.connect() as conn:
        from incident_tui.store.migrations import modelled

        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": modelled}
        )
        assert compare_metadata(context, SQLModel.metadata) == []


# Values for columns whose contents the queries interpret; anything else gets a marker.
_MEANINGFUL = {
    "phase": "investigating",
    "kind": "note",
    "audience": "internal",
    "priority": "P1",
    "type": "prevent",
    "change": "edit",
    "field": "phase",
    "role": "commander",
    "severity": 2,
}
_STATUS = {"action_item": "open", "postmortem": "draft"}


def _fill(conn: sqlite3.Connection, table: str, row: int) -> None:
    """Insert row `row` into `table`: row 1 leaves nullable columns null, row 2 fills all."""
    columns = conn.execute(f"PRAGMA table_info({table})").fetchall()
    names, values = [], []
    for _cid, name, type_, notnull, _default, pk in columns:
        type_ = type_.upper()
        if row == 1 and not notnull and not pk:
            value: object = None
        elif name in ("id", "incident_id", "entry_id", "position"):
            value = row
        elif name == "status":
            value = _STATUS[table]
        elif name in _MEANINGFUL:
            value = _MEANINGFUL[name]
        elif type_ == "DATETIME":
            value = f"2026-11-2{row} 0{row}:1{row}:00.000000"
        elif type_ == "DATE":
            value = f"2026-12-0{row}"
        elif type_ == "BOOLEAN":
            value = row % 2
        elif type_ == "INTEGER":
            value = row
        else:
            value = f"{table}.{name} #{row} ✓"
        names.append(name)
        values.append(value)
    marks = ", ".join("?" * len(names))
    conn.execute(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})", values)


def test_a_first_version_database_upgrades_with_every_row_intact(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    upgrade(f"sqlite:///{path}", SCHEMA_REVISIONS[0])
    conn = sqlite3.connect(path)
    old_tables = [
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'alembic_version'"
        )
    ]
    parents_first = ["incident", "timeline_entry"] + sorted(
        set(old_tables) - {"incident", "timeline_entry"}
    )
    for table in parents_first:
        for row in (1, 2):
            _fill(conn, table, row)
    conn.commit()
    conn.close()
    assert set(old_tables) >= set(TABLES) - {"deadline_snooze", "presence"}
    before = table_dump_of(path, old_tables)

    database = open_database(path)
    try:
        [backup] = list(tmp_path.glob("old.db.*.bak"))
        assert table_dump_of(backup, old_tables) == before  # the backup is the old database
        after = table_dump_of(path, old_tables)
        for table in old_tables:
            if table == "timeline_entry":  # new columns: `version` starts at 1, `actor` ""
                assert [r[:-2] for r in after[table]] == before[table]
                assert {r[-2:] for r in after[table]} == {(1, "")}
            elif table == "incident":  # 0006: no words for the public yet; 0009: no type
                assert [r[:-2] for r in after[table]] == before[table]
                assert {r[-2:] for r in after[table]} == {(None, None)}
            elif table == "postmortem":  # 0005: the list sections as arrays of points
                columns = [
                    c[1] for c in sqlite3.connect(path).execute("PRAGMA table_info(postmortem)")
                ]
                lists = [columns.index(name) for name in LIST_FIELDS]
                expected = [
                    tuple(
                        json.dumps([v], ensure_ascii=False) if i in lists else v
                        for i, v in enumerate(row)
                    )
                    for row in before[table]
                ]
                assert after[table] == expected
            else:
                assert after[table] == before[table], table
        revision = sqlite3.connect(path).execute("SELECT version_num FROM alembic_version")
        assert revision.fetchone()[0] == SCHEMA_HEAD

        # The upgraded data is usable by the operations and the queries.
        entry = ops.log_entry(
            database, key="INC-1", text="after upgrade", author="t", now=FROZEN_AT
        )
        detail = queries.incident_detail(database, "INC-1")
        assert [e.text for e in detail.timeline][-1] == "after upgrade"
        assert detail.timeline[0].text == "timeline_entry.text #1 ✓"
        ops.edit_entry(
            database,
            key="INC-1",
            entry_id=1,
            text="edited",
            author="t",
            now=FROZEN_AT,
            expected_version=1,
        )
        assert entry.id == 3
    finally:
        database.dispose()


def table_dump_of(path: Path, tables: list[str]) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in tables}
    finally:
        conn.close()


def test_opening_a_current_database_makes_no_backup(db_path: Path) -> None:
    open_database(db_path).dispose()
    open_database(db_path).dispose()
    assert not list(db_path.parent.glob("*.bak"))


def test_a_newer_schema_is_refused_and_left_untouched(db, db_path: Path) -> None:
    ops.declare(db, title="x", severity=1, author="t", now=FROZEN_AT)
    db.dispose()
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE alembic_version SET version_num = 'ffff'")
    conn.commit()
    conn.close()
    before = db_path.read_bytes()
    with pytest.raises(StorageError, match="newer incident-tui"):
        open_database(db_path)
    assert db_path.read_bytes() == before


def test_a_write_waits_for_another_writer(db, db_path: Path) -> None:
    ops.declare(db, title="x", severity=1, author="t", now=FROZEN_AT)
    other = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE incident SET summary = 'held' WHERE id = 1")
    released = threading.Event()

    def release() -> None:
        time.sleep(1.0)
        other.execute("COMMIT")
        released.set()

    thread = threading.Thread(target=release)
    thread.start()
    try:
        entry = ops.log_entry(
            db, key="INC-1", text="waited", author="t", now=FROZEN_AT + timedelta(seconds=1)
        )
    finally:
        thread.join()
        other.close()
    assert released.is_set()
    assert entry.text == "waited"
    assert table_dump(db_path)["incident"][0][4] == "held"  # both writes are there


# --- import hygiene ---------------------------------------------------------------------


def _layer(name: str) -> list[str]:
    return [f"{name}.{file.stem}" for file in sorted((PACKAGE / name).glob("*.py"))]


PURE = [*_layer("domain"), "config"]
NO_TEXTUAL = [*PURE, *_layer("store"), *_layer("ops"), *_layer("formats"), *_layer("cli")]


def _imported_after(modules: list[str]) -> set[str]:
    code = (
        "import sys\n"
        + "".join(f"import incident_tui.{m}\n" for m in modules)
        + "print('\\n'.join(sorted({n.split('.')[0] for n in sys.modules})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_domain_modules_import_neither_textual_nor_the_database() -> None:
    loaded = _imported_after(PURE)
    assert "incident_tui" in loaded  # the probe does see what it imports
    assert not loaded & {"textual", "rich", "sqlalchemy", "sqlmodel", "alembic"}


def test_store_operations_and_cli_do_not_import_textual() -> None:
    loaded = _imported_after(NO_TEXTUAL)
    assert "sqlalchemy" in loaded
    assert "textual" not in loaded


def test_screens_never_touch_sql() -> None:
    files = [PACKAGE / "app.py", *sorted((PACKAGE / "screens").glob("*.py"))]
    for file in files:
        tree = ast.parse(file.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                root = name.split(".")[0]
                assert root not in {"sqlalchemy", "sqlmodel", "sqlite3", "alembic"}, file
                assert name not in {"incident_tui.store.models"}, file
