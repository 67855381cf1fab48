"""Every released schema revision upgrades to head in place: a database written by that
version (tests/fixtures/schema_<rev>.db, made by make_schema_fixtures.py with its code,
rows in every table) keeps every row, gains a backup, and reads back whole."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from incident_tui.store.schema_revisions import SCHEMA_HEAD, SCHEMA_REVISIONS
from tests.conftest import CliRunner

FIXTURES = Path(__file__).with_name("fixtures")
RELEASED = sorted(p.stem.removeprefix("schema_") for p in FIXTURES.glob("schema_*.db"))


def _counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [
            n
            for (n,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'search_%'"
                " AND name != 'alembic_version'"
            )
        ]
        return {n: conn.execute(f"SELECT count(*) FROM {n}").fetchone()[0] for n in names}
    finally:
        conn.close()


def test_a_fixture_exists_for_every_released_revision() -> None:
    # 0001 never shipped on its own: 0002 came in the same commit.
    assert RELEASED == [r for r in SCHEMA_REVISIONS if r != "0001"][: len(RELEASED)]
    assert {"0002", "0003", "0004"} <= set(RELEASED)


@pytest.mark.parametrize("revision", RELEASED)
def test_an_old_database_upgrades_in_place_keeping_every_row(
    revision: str, tmp_path: Path, cli: CliRunner
) -> None:
    db = tmp_path / "old.db"
    shutil.copy(FIXTURES / f"schema_{revision}.db", db)
    db.chmod(0o600)  # a checkout makes it 0644; the app keeps a database private
    before = _counts(db)
    assert all(before.values()), before  # the fixture fills every table it has

    shown = cli("show", "INC-1", "--json", db=db)
    assert shown.returncode == 0, shown.stderr
    detail = json.loads(shown.stdout)

    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (SCHEMA_HEAD,)
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()
    after = _counts(db)
    assert {t: after[t] for t in before} == before
    backups = list(tmp_path.glob("old.db.*.bak"))
    assert len(backups) == (0 if revision == SCHEMA_HEAD else 1)

    assert detail["title"] == "Search empty for EU" and detail["severity"] == 1
    texts = [e["text"] for e in detail["timeline"]]
    assert "alert fired: search" in texts and "typo" not in texts
    assert detail["roles"]["scribe"] == "tom"
    assert [a["description"] for a in detail["action_items"]] == ["Alert on index lag"]
    assert any(d["name"] == "postmortem" for d in detail["deadlines"])
    # What the newer schema adds works on the old rows: search, writes, the check.
    found = cli("search", "index", "lag", "--json", db=db)
    assert found.returncode == 0 and json.loads(found.stdout), found.stderr
    assert cli("log", "INC-1", "after the upgrade", db=db).returncode == 0
    assert cli("check", db=db).returncode == 0
