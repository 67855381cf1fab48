"""The first look: the newest entries read with sqlite3 alone, or nothing when unsure."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import timedelta

from incident_tui import ops
from incident_tui.store.first_look import first_look
from tests.conftest import FROZEN_AT

NOW = FROZEN_AT


def test_first_look_has_the_heading_and_the_newest_entries_in_order(db, db_path) -> None:
    number = ops.declare(
        db, title="Checkout failing", severity=1, author="mira", now=NOW - timedelta(hours=1)
    )
    for minute in range(10):
        ops.log_entry(
            db,
            key=number,
            text=f"entry {minute}",
            author="tom",
            now=NOW - timedelta(minutes=10 - minute),
        )
    ops.log_entry(
        db, key=number, text="backdated", author="tom", now=NOW, at=NOW - timedelta(minutes=30)
    )
    look = first_look(str(db_path), number, 3)
    assert (look.key, look.title, look.severity, look.phase) == (
        "INC-1",
        "Checkout failing",
        1,
        "triage",
    )
    assert [e.text for e in look.timeline] == ["entry 7", "entry 8", "entry 9"]
    assert look.timeline[-1].occurred_at == NOW - timedelta(minutes=1)


def test_no_first_look_when_unsure(db, db_path, tmp_path) -> None:
    number = ops.declare(db, title="t", severity=2, author="mira", now=NOW)
    assert first_look(str(db_path), number + 1, 5) is None  # no such incident
    assert first_look(str(tmp_path / "missing.db"), 1, 5) is None
    assert first_look("postgresql+psycopg://nobody@127.0.0.1/none", 1, 5) is None
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    assert first_look(str(db_path), number, 5) is None  # a schema this version does not know


def test_opening_the_war_room_keeps_sqlalchemy_off_the_first_look() -> None:
    """The modules on the path to the first frame import neither SQLAlchemy nor sqlmodel."""
    code = (
        "import sys, incident_tui.cli, incident_tui.app, incident_tui.store.first_look, "
        "incident_tui.screens.war_room; "
        "print(sorted(m for m in ('sqlalchemy', 'sqlmodel', 'alembic') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
