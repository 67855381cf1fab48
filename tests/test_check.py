"""`incident-tui check`: an overwritten page is found, named, and what to do is said; the
operations that meet the damage say so in one line instead of an internal error."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from incident_tui.store.schema_revisions import SCHEMA_HEAD
from tests.conftest import CliRunner


def _fill(path: Path, entries: int = 3000) -> None:
    """Enough timeline pages that a 4 KB block mid-file lands inside them."""
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany(
            "INSERT INTO timeline_entry (incident_id, occurred_at, recorded_at, kind, author,"
            " text, pinned, version) VALUES (1, '2026-11-24 09:00:00.000000',"
            " '2026-11-24 09:00:00.000000', 'note', 'mira', ?, 0, 1)",
            [(f"entry {i} " + "x" * 400,) for i in range(entries)],
        )
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _overwrite_middle(path: Path, table: str = "timeline_entry") -> None:
    """4 KB of garbage over the middle leaf page of `table` (dbstat names the pages): of
    the timeline, every read of the whole timeline meets it."""
    conn = sqlite3.connect(path)
    pages = [
        row[0]
        for row in conn.execute(
            "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno",
            (table,),
        )
    ]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(path, "r+b") as handle:
        handle.seek((pages[len(pages) // 2] - 1) * page_size)
        handle.write(bytes([0xAB]) * 4096)


@pytest.fixture
def filled(cli: CliRunner, db_path: Path) -> Path:
    assert cli("declare", "Search empty", "-s", "2").returncode == 0
    _fill(db_path)
    return db_path


def test_a_healthy_database_passes_every_check(cli: CliRunner, filled: Path) -> None:
    result = cli("check")
    assert result.returncode == 0, result.stdout
    out = result.stdout
    for words in ("quick_check: ok", f"schema      {SCHEMA_HEAD} (current)", "journal     wal"):
        assert words in out
    # 3,000 entries, the declaration and its checklist entry (declared, severity set)
    assert "3,002 timeline_entry" in out and "1 incident" in out
    assert out.splitlines()[-1] == f"{filled}: healthy"
    full = cli("check", "--full")
    assert full.returncode == 0 and "integrity_check: ok" in full.stdout


def test_an_overwritten_page_is_found_and_the_backup_named(cli: CliRunner, filled: Path) -> None:
    backup = filled.with_name(f"{filled.name}.20261120T000000Z.bak")
    backup.write_bytes(filled.read_bytes())
    _overwrite_middle(filled)
    for argv in (("check",), ("check", "--full")):
        result = cli(*argv)
        assert result.returncode == 1
        problem = next(line for line in result.stdout.splitlines() if "integrity" in line)
        assert problem.startswith("PROBLEM")
        assert backup.name in problem
    assert result.stdout.splitlines()[-1].endswith("1 problem")


def test_an_operation_meeting_the_damage_names_the_file_and_the_check(
    cli: CliRunner, filled: Path
) -> None:
    _overwrite_middle(filled)
    for argv in (("show", "INC-1", "--json"), ("export", "INC-1", "--format", "json")):
        result = cli(*argv)
        assert result.returncode == 1, argv
        lines = result.stderr.splitlines()
        assert len(lines) == 1
        assert str(filled) in lines[0] and "incident-tui check" in lines[0]
        assert "internal error" not in lines[0]


def test_a_database_written_by_a_newer_version_is_a_problem(cli: CliRunner, filled: Path) -> None:
    conn = sqlite3.connect(filled)
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.close()
    result = cli("check")
    assert result.returncode == 1
    assert "9999: written by a newer incident-tui" in result.stdout


def test_a_file_anyone_can_read_is_a_problem(cli: CliRunner, filled: Path) -> None:
    filled.chmod(0o644)
    result = cli("check")
    assert result.returncode == 1
    assert "chmod 600" in result.stdout


def test_a_missing_database_is_a_problem_and_is_not_created(cli: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "none.db"
    result = cli("check", db=missing)
    assert result.returncode == 1
    assert "does not exist" in result.stdout
    assert not missing.parent.exists()


def test_a_postgres_database_is_checked_for_schema_and_rows(cli: CliRunner, pg_url: str):
    assert cli("--db", pg_url, "declare", "On the server", "-s", "3").returncode == 0
    result = cli("--db", pg_url, "check")
    assert result.returncode == 0, result.stdout
    assert "(current)" in result.stdout and "1 incident" in result.stdout


async def test_the_app_checks_the_file_in_the_background_and_says_it_is_damaged(
    filled: Path, clock
) -> None:
    """Damage the war room never reads (the search index): the screen works, and the
    background quick_check puts up a banner naming the file and the check."""
    import time

    from incident_tui.app import IncidentApp
    from incident_tui.config import Config
    from incident_tui.widgets.state_panes import TroubleBanner

    _overwrite_middle(filled, "search_entry_content")
    app = IncidentApp(
        db_target=str(filled), config=Config(user_name="tom"), clock=clock, open_incident=1
    )
    async with app.run_test(size=(120, 36)) as pilot:
        give_up = time.monotonic() + 120  # a backstop, not a speed bound

        def banner() -> str:
            found = app.screen.query(TroubleBanner)
            return str(found.first().render()) if found and found.first().display else ""

        while "damaged database" not in banner():
            assert time.monotonic() < give_up, "no banner"
            await pilot.pause(0.05)
        assert str(filled) in banner() and "incident-tui check" in banner()
        while getattr(app.screen, "detail", None) is None:  # the war room still works
            assert time.monotonic() < give_up, "the war room never read the incident"
            await pilot.pause(0.05)
        assert "damaged database" in banner()  # and the banner stays
    assert app.fatal_error is None
