"""Absurd times, dates and numbers, and bytes that are not UTF-8: one line, exit 1 (or
logged with U+FFFD), never an internal error; nothing out of range is ever stored."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from incident_tui.cli import main
from tests.conftest import FROZEN_AT, CliRunner, table_dump


@pytest.fixture
def declared(db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> Path:
    """INC-1, a SEV2 whose impact began 08:55, in a New York display zone (where 0001-01-01
    is before year 1), run in this process with the frozen clock."""
    config = db_path.with_name("config.toml")
    config.write_text('[display]\ntimezone = "America/New_York"\n')
    monkeypatch.setenv("INCIDENT_TUI_DB", str(db_path))
    monkeypatch.setenv("INCIDENT_TUI_NOW", FROZEN_AT.isoformat())
    monkeypatch.setenv("INCIDENT_TUI_CONFIG", str(config))
    assert main(["declare", "Search empty", "-s", "2", "--started-at", "2026-11-24T08:55Z"]) == 0
    capsys.readouterr()
    return db_path


ABSURD = [
    ("log", "INC-1", "x", "--at", "0001-01-01T00:00:00Z"),
    ("log", "INC-1", "x", "--at", "1969-12-31T23:59:59Z"),
    ("log", "INC-1", "x", "--at", "9999-12-31T23:59:59Z"),
    ("log", "INC-1", "x", "--at", "-99999999h"),
    ("log", "INC-1", "x", "--at", "-999999999999999999999d"),
    ("log", "INC-1", "x", "--at", "0001-01-01T00:00:00"),  # naive, read in New York
    ("declare", "t", "-s", "1", "--started-at", "0001-01-01T00:00:00Z"),
    ("declare", "t", "-s", "99999999999999999999"),
    ("phase", "INC-1", "resolved", "--at", "0001-01-01T00:00:00Z"),
    ("phase", "INC-1", "resolved", "--at", "2026-11-24T08:00Z"),  # before impact began
    ("milestone", "INC-1", "resolved", "0001-01-01T00:00:00Z"),
    ("milestone", "INC-1", "resolved", "2026-11-24T08:00Z"),  # before impact began
    ("milestone", "INC-1", "started", "-99999999h"),
    ("milestone", "INC-1", "detected", "9999-12-31T23:59:59Z"),
    ("severity", "INC-1", "99999999999999999999"),
    ("action", "INC-1", "x", "--due", "0001-01-01"),
    ("action", "INC-1", "x", "--due", "9999-12-31"),
    ("action", "INC-1", "x", "--due", "+99999999d"),
    ("action", "INC-1", "x", "--due", "+9999999999999999999999w"),
    ("action", "INC-1", "x", "--due", "-99999999d"),
    ("metrics", "--since", "0001-01-01"),
    ("metrics", "--since", "-99999999d"),
    ("metrics", "--until", "9999-12-31"),
    ("metrics", "--since", "-9999999999999999999999d"),
    ("search", "x", "--limit", "99999999999999999999"),
    ("search", "x", "--limit", "0"),
    ("drill", "INC-1", "--speed", "1e999", "--no-open"),
    ("drill", "INC-1", "--speed", "nan", "--no-open"),
]


@pytest.mark.parametrize("argv", ABSURD, ids=" ".join)
def test_an_absurd_value_is_one_line_and_exit_1(declared: Path, capsys, argv) -> None:
    before = table_dump(declared)
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 1, (out, err)
    assert err.count("\n") == 1 and err.startswith("incident-tui: error: "), err
    assert "internal error" not in err
    assert table_dump(declared) == before  # nothing written


def test_show_export_and_search_still_work_after_every_absurd_attempt(
    declared: Path, capsys
) -> None:
    for argv in ABSURD:
        main(list(argv))
    capsys.readouterr()
    for argv in (["show", "INC-1"], ["show", "INC-1", "--json"], ["export", "INC-1"]):
        assert main(argv) == 0, capsys.readouterr().err
    assert main(["search", "Search"]) == 0


def test_relative_times_work_as_positional_arguments_without_a_double_dash(
    declared: Path, capsys
) -> None:
    assert main(["milestone", "INC-1", "acknowledged", "-5m"]) == 0
    assert main(["log", "INC-1", "backdated", "--at", "-1h1m"]) == 0
    assert main(["action", "INC-1", "overdue already", "--due", "-3d"]) == 0
    assert main(["metrics", "--since", "-30d", "--json"]) == 0
    capsys.readouterr()
    assert main(["show", "INC-1", "--json"]) == 0
    detail = json.loads(capsys.readouterr().out)
    assert detail["acknowledged_at"] == "2026-11-24T08:57:00Z"
    assert any(e["occurred_at"] == "2026-11-24T08:01:00Z" for e in detail["timeline"])
    assert detail["action_items"][0]["due_date"] == "2026-11-21"


def test_a_resolution_before_the_start_of_impact_is_refused_both_ways(
    declared: Path, capsys
) -> None:
    assert main(["milestone", "INC-1", "resolved", "2026-11-24T09:00Z"]) == 0
    capsys.readouterr()
    assert main(["milestone", "INC-1", "started", "2026-11-24T09:01Z"]) == 1
    assert "after resolved" in capsys.readouterr().err


def test_an_import_with_an_instant_out_of_range_names_the_field(
    declared: Path, tmp_path: Path, capsys
) -> None:
    assert main(["export", "INC-1", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    doc["record"]["entries"][0]["occurredAt"] = "9999-12-31T23:59:59Z"
    target = tmp_path / "future.json"
    target.write_text(json.dumps(doc))
    before = table_dump(declared)
    assert main(["import", str(target)]) == 1
    err = capsys.readouterr().err
    assert "record.entries[0].occurredAt" in err and "in the future" in err
    doc["record"]["entries"][0]["occurredAt"] = "0001-01-01T00:00:00Z"
    target.write_text(json.dumps(doc))
    assert main(["import", str(target)]) == 1
    assert "before 1970" in capsys.readouterr().err
    assert table_dump(declared) == before


def test_an_import_with_a_lone_surrogate_is_imported_with_a_replacement(
    declared: Path, tmp_path: Path, capsys
) -> None:
    assert main(["export", "INC-1", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    doc["record"]["title"] = "broken \ud800 title"
    target = tmp_path / "surrogate.json"
    target.write_text(json.dumps(doc))  # ensure_ascii: the file holds "\ud800"
    assert main(["import", str(target)]) == 0, capsys.readouterr().err
    key = capsys.readouterr().out.strip()
    assert main(["show", key, "--json"]) == 0
    # The streaming import makes it U+FFFD, as the command line does with bytes that are
    # not UTF-8: stored, shown, never exit 70.
    assert json.loads(capsys.readouterr().out)["title"] == "broken \ufffd title"


def test_a_config_number_too_big_for_a_duration_is_one_line(
    declared: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    config = declared.with_name("big.toml")
    config.write_text("[severity.1]\nacknowledge = 99999999999999999999\n")
    monkeypatch.setenv("INCIDENT_TUI_CONFIG", str(config))
    assert main(["list"]) == 1
    err = capsys.readouterr().err
    assert "severity.1.acknowledge" in err and "ten years" in err


# --- bytes that are not UTF-8, through a real process ---------------------------------


def _raw(cli_env: dict[str, str], *argv: bytes, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable.encode(), b"-m", b"incident_tui", *argv],
        input=stdin,
        capture_output=True,
        env=cli_env,
    )


@pytest.fixture
def raw_env(cli: CliRunner, db_path: Path) -> dict[str, str]:
    assert cli("declare", "Search empty", "-s", "2").returncode == 0
    env = dict(os.environ)
    env.update(INCIDENT_TUI_DB=str(db_path), INCIDENT_TUI_NOW=FROZEN_AT.isoformat())
    env.update(LC_ALL="C.UTF-8", PYTHONIOENCODING="")
    return env


def _timeline_texts(cli: CliRunner) -> list[tuple[str, str]]:
    detail = json.loads(cli("show", "INC-1", "--json").stdout)
    return [(e["author"], e["text"]) for e in detail["timeline"]]


def test_bad_bytes_on_stdin_are_logged_with_replacement_characters(
    raw_env: dict[str, str], cli: CliRunner
) -> None:
    result = _raw(raw_env, b"log", b"INC-1", b"-", stdin=b"bad \xff\xfe bytes")
    assert result.returncode == 0, result.stderr
    assert ("tester", "bad \ufffd\ufffd bytes") in _timeline_texts(cli)


def test_bad_bytes_in_arguments_are_logged_with_replacement_characters(
    raw_env: dict[str, str], cli: CliRunner
) -> None:
    result = _raw(raw_env, b"--as", b"m\xffra", b"log", b"INC-1", b"caf\xe9", b"--author", b"b\xfe")
    assert result.returncode == 0, result.stderr
    assert ("b\ufffd", "caf\ufffd") in _timeline_texts(cli)
    result = _raw(raw_env, b"--as", b"m\xffra", b"declare", b"t\xffitle", b"-s", b"3")
    assert result.returncode == 0, result.stderr
    detail = json.loads(cli("show", "INC-2", "--json").stdout)
    assert detail["title"] == "t\ufffditle"
    assert detail["timeline"][0]["author"] == "m\ufffdra"
    result = _raw(raw_env, b"update", b"INC-1", b"internal", b"-", stdin=b"\xc3(")
    assert result.returncode == 0, result.stderr


def test_bad_bytes_in_a_refused_argument_are_one_line(raw_env: dict[str, str]) -> None:
    result = _raw(raw_env, b"log", b"INC-1", b"x", b"--kind", b"n\xffte")
    assert result.returncode == 1, result.stderr
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 1 and "\ufffd" in lines[0]
