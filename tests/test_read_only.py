"""A database nobody may write: read commands work, writes are one line, the app opens
as an observer saying why, and nothing is created beside the file. The share is a real
read-only mount (a tmpfs remounted read-only), so this needs the right to mount."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from incident_tui.config import Config
from tests.conftest import CliRunner


@pytest.fixture
def sealed(tmpfs, cli: CliRunner) -> Path:
    """A database on a tmpfs, filled while writable, then remounted read-only (a
    read-only share)."""
    folder = tmpfs()
    db = folder / "team.db"
    assert cli("declare", "Search empty", "-s", "2", db=db).returncode == 0
    assert cli("log", "INC-1", "cache flushed", db=db).returncode == 0
    tmpfs.remount(folder, "ro")
    return db


def _beside(db: Path) -> list[str]:
    return sorted(p.name for p in db.parent.iterdir())


def test_read_commands_work_on_a_read_only_share(cli: CliRunner, sealed: Path) -> None:
    detail = json.loads(cli("show", "INC-1", "--json", db=sealed).stdout)
    assert [e["text"] for e in detail["timeline"]][-1] == "cache flushed"
    for argv in (("list",), ("export", "INC-1"), ("search", "cache"), ("check",)):
        result = cli(*argv, db=sealed)
        assert result.returncode == 0, (argv, result.stderr, result.stdout)
    assert _beside(sealed) == ["team.db"]


@pytest.mark.parametrize(
    "argv",
    [
        ("log", "INC-1", "one more"),
        ("declare", "Another", "-s", "3"),
        ("phase", "INC-1", "investigating"),
        ("milestone", "INC-1", "acknowledged", "-1m"),
        ("action", "INC-1", "add an alert"),
        ("update", "INC-1", "internal", "looking"),
    ],
    ids=lambda argv: argv[0],
)
def test_a_write_on_a_read_only_share_is_one_line(cli: CliRunner, sealed: Path, argv) -> None:
    result = cli(*argv, db=sealed)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"incident-tui: error: read-only database: {sealed} (it is on a read-only file system)"
    ]


async def test_the_war_room_opens_as_an_observer_and_says_why(sealed: Path, clock) -> None:
    from incident_tui.app import IncidentApp
    from incident_tui.cli import _read_only_reason
    from incident_tui.widgets.entry_line import EntryLine
    from incident_tui.widgets.state_panes import TroubleBanner

    app = IncidentApp(
        db_target=str(sealed),
        read_only_reason=_read_only_reason(str(sealed)),
        config=Config(user_name="obs"),
        clock=clock,
        open_incident=1,
    )
    async with app.run_test(size=(120, 36)) as pilot:
        while getattr(app.screen, "detail", None) is None:  # the war room's first read
            await app.workers.wait_for_complete()
            await pilot.pause()
        assert app.read_only
        assert app.screen.query_one("#entry", EntryLine).disabled
        banner = app.screen.query_one("#trouble", TroubleBanner)
        assert banner.display
        assert "read-only database (it is on a read-only file system)" in str(banner.render())
        assert app.screen.detail is not None and app.screen.detail.title == "Search empty"
    assert app.fatal_error is None
    assert _beside(sealed) == ["team.db"]


def test_a_newer_schema_is_refused_and_leaves_no_file_beside_it(
    cli: CliRunner, db_path: Path
) -> None:
    assert cli("declare", "Search empty", "-s", "2").returncode == 0
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.close()
    before = db_path.read_bytes()
    assert _beside(db_path) == ["incidents.db"]
    for argv in (("list",), ("show", "INC-1"), ("log", "INC-1", "x")):
        result = cli(*argv)
        assert result.returncode == 1 and "newer incident-tui" in result.stderr
    assert _beside(db_path) == ["incidents.db"]
    assert db_path.read_bytes() == before


def test_an_immutable_file_opens_read_only(cli: CliRunner, db_path: Path) -> None:
    assert cli("declare", "Search empty", "-s", "2").returncode == 0
    if subprocess.run(["chattr", "+i", str(db_path)], capture_output=True).returncode:
        pytest.skip("chattr +i is not allowed here")
    try:
        assert cli("show", "INC-1").returncode == 0
        result = cli("log", "INC-1", "x")
        assert result.returncode == 1
        assert "read-only database" in result.stderr and "not writable" in result.stderr
    finally:
        subprocess.run(["chattr", "-i", str(db_path)], capture_output=True)
    assert os.access(db_path, os.W_OK)
