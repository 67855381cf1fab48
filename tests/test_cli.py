"""The command line, black-box: a real process, a real SQLite file, a frozen clock."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import FROZEN_AT, CliRunner, row_counts, table_dump

AT = FROZEN_AT  # 09:02 UTC


def at(hh: int, mm: int, day: int = 24) -> datetime:
    return datetime(2026, 11, day, hh, mm, tzinfo=UTC)


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def one_line_error(result: subprocess.CompletedProcess, *, code: int = 1) -> str:
    """The failure a user sees: a non-zero exit and one line on stderr, no traceback."""
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("incident-tui: error: ")
    return lines[0]


def show(cli: CliRunner, key: str = "INC-1", now: datetime = AT) -> dict:
    return json.loads(ok(cli("show", key, "--json", now=now)))


def deadline(detail: dict, name: str) -> dict:
    return next(d for d in detail["deadlines"] if d["name"] == name)


@pytest.fixture
def inc1(cli: CliRunner, migrated_path: Path) -> str:
    # migrated_path: the file at the schema head already, so no process migrates it.
    """A SEV2 declared at 09:02 by mira, impact since 08:55."""
    key = ok(
        cli(
            "declare",
            "Search empty for EU",
            "--severity",
            "2",
            "--commander",
            "mira",
            "--started-at",
            "08:55",
            "--as",
            "mira",
        )
    )
    assert key == "INC-1\n"
    return "INC-1"


def test_the_done_when_walk_through(cli: CliRunner, db_path: Path) -> None:
    # The issue's own example, with an explicit --db rather than the environment.
    assert (
        ok(
            cli(
                "--db",
                str(db_path),
                "declare",
                "Checkout failing",
                "--severity",
                "1",
                "--commander",
                "alex",
            )
        )
        == "INC-1\n"
    )
    ok(cli("log", "INC-1", "payments 500s since deploy", "--at", "-3m", "--kind", "alert"))
    ok(cli("role", "INC-1", "tech_lead", "sam"))
    ok(cli("phase", "INC-1", "investigating"))
    ok(cli("update", "INC-1", "internal", "We are investigating failed checkouts", now=at(9, 10)))
    ok(
        cli(
            "action",
            "INC-1",
            "Alert on checkout 5xx",
            "--owner",
            "sam",
            "--due",
            "+7d",
            "--priority",
            "P1",
            "--type",
            "detect",
        )
    )

    detail = show(cli, now=at(9, 12))
    for field in (
        "key",
        "title",
        "severity",
        "phase",
        "started_at",
        "detected_at",
        "acknowledged_at",
        "mitigated_at",
        "resolved_at",
        "closed_at",
        "roles",
        "timeline",
        "updates",
        "action_items",
        "deadlines",
    ):
        assert field in detail
    assert detail["key"] == "INC-1"
    assert detail["severity"] == 1
    assert detail["phase"] == "investigating"
    # The alert backdated to 08:59 is the detection, and the impact began by then (both
    # were derived: nobody set them by hand).
    assert detail["started_at"] == detail["detected_at"] == "2026-11-24T08:59:00Z"
    assert detail["acknowledged_at"] == "2026-11-24T09:02:00Z"
    assert detail["resolved_at"] is None
    assert detail["roles"] == {"commander": "alex", "tech_lead": "sam"}

    timeline = detail["timeline"]
    assert set(timeline[0]) >= {
        "id",
        "occurred_at",
        "recorded_at",
        "kind",
        "author",
        "text",
        "pinned",
    }
    # The backdated alert comes first although it was recorded after the declaration.
    assert timeline[0]["kind"] == "alert"
    assert timeline[0]["occurred_at"] == "2026-11-24T08:59:00Z"
    assert timeline[0]["recorded_at"] == "2026-11-24T09:02:00Z"
    order = [(e["occurred_at"], e["id"]) for e in timeline]
    assert order == sorted(order)
    assert all(e["occurred_at"].endswith("Z") for e in timeline)
    assert [e["kind"] for e in timeline].count("comm") == 1

    assert detail["updates"] == [
        {
            "posted_at": "2026-11-24T09:10:00Z",
            "audience": "internal",
            "author": "tester",
            "text": "We are investigating failed checkouts",
            "phase": "investigating",
        }
    ]
    [item] = detail["action_items"]
    assert (item["description"], item["owner"], item["due_date"], item["priority"]) == (
        "Alert on checkout 5xx",
        "sam",
        "2026-12-01",
        "P1",
    )

    # SEV1: internal due 15 min after the last internal update, external 30 after declaring.
    internal = deadline(detail, "update:internal")
    assert internal == {
        "name": "update:internal",
        "due_at": "2026-11-24T09:25:00Z",
        "seconds_left": 13 * 60,
    }
    assert deadline(detail, "update:external")["due_at"] == "2026-11-24T09:32:00Z"
    assert deadline(detail, "escalate")["due_at"] == "2026-11-24T09:29:00Z"  # detected 08:59
    assert deadline(detail, "resolve")["due_at"] == "2026-11-24T09:59:00Z"  # from 08:59

    # Overdue countdowns are negative.
    late = show(cli, now=at(9, 30))
    assert deadline(late, "update:internal")["seconds_left"] == -5 * 60


def test_list_json_has_the_contract_fields(cli: CliRunner, inc1: str) -> None:
    ok(cli("declare", "Old thing", "--severity", "4"))
    ok(cli("phase", "INC-2", "resolved"))
    listed = json.loads(ok(cli("list", "--json")))
    assert [i["key"] for i in listed] == ["INC-1"]  # resolved ones are hidden…
    [entry] = listed
    assert set(entry) >= {
        "key",
        "title",
        "severity",
        "phase",
        "started_at",
        "commander",
        "next_deadline",
    }
    assert entry["started_at"] == "2026-11-24T08:55:00Z"
    assert entry["commander"] == "mira"
    assert entry["next_deadline"]["due_at"].endswith("Z")
    everything = json.loads(ok(cli("list", "--json", "--all")))  # …unless asked for
    assert sorted(i["key"] for i in everything) == ["INC-1", "INC-2"]
    plain = ok(cli("list"))
    assert "INC-1" in plain and "INC-2" not in plain


def test_sev2_escalated_to_sev1_moves_the_cadences(cli: CliRunner, inc1: str) -> None:
    before = show(cli)
    assert deadline(before, "update:internal")["due_at"] == "2026-11-24T09:32:00Z"
    assert deadline(before, "update:external")["due_at"] == "2026-11-24T10:02:00Z"
    assert not any(d["name"] == "escalate" for d in before["deadlines"])

    ok(cli("severity", inc1, "1", now=at(9, 20)))
    after = show(cli, now=at(9, 20))
    assert after["severity"] == 1
    # Internal stays at 09:32 (earlier than 09:20 + 15 min); the others move to 09:50.
    assert deadline(after, "update:internal")["due_at"] == "2026-11-24T09:32:00Z"
    assert deadline(after, "update:external")["due_at"] == "2026-11-24T09:50:00Z"
    assert deadline(after, "update:executive")["due_at"] == "2026-11-24T09:50:00Z"
    assert deadline(after, "escalate")["due_at"] == "2026-11-24T09:32:00Z"
    assert after["timeline"][-1]["kind"] == "status"
    assert "SEV2" in after["timeline"][-1]["text"] and "SEV1" in after["timeline"][-1]["text"]


def test_a_sev3_across_midnight_keeps_its_dates(cli: CliRunner) -> None:
    night = at(23, 30, day=23)
    ok(cli("declare", "Batch jobs slow", "--severity", "3", "--started-at", "22:40", now=night))
    ok(cli("log", "INC-1", "still slow", "--at", "2026-11-24T02:15:00Z", now=at(2, 20)))
    # 23:50 typed after midnight means yesterday evening, not tonight.
    ok(cli("log", "INC-1", "queue depth 40k", "--at", "23:50", now=at(0, 30)))
    ok(cli("phase", "INC-1", "resolved", "--at", "15:10", now=at(15, 30)))
    detail = show(cli, now=at(15, 30))
    assert detail["started_at"] == "2026-11-23T22:40:00Z"
    assert detail["resolved_at"] == "2026-11-24T15:10:00Z"
    notes = [e["occurred_at"] for e in detail["timeline"] if e["kind"] == "note"]
    assert notes == ["2026-11-23T23:50:00Z", "2026-11-24T02:15:00Z"]
    text = ok(cli("show", "INC-1", now=at(15, 30)))
    assert "2026-11-23" in text and "2026-11-24" in text


def test_concurrent_declares_never_share_a_key(db_path: Path, cli: CliRunner) -> None:
    ok(cli("list"))  # create and migrate the file first, as a running team would have
    env = {**os.environ, "INCIDENT_TUI_DB": str(db_path), "INCIDENT_TUI_NOW": AT.isoformat()}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "incident_tui", "declare", f"storm {n}", "--severity", "3"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for n in range(16)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in outputs]
    keys = sorted(out.strip() for out, _ in outputs)
    assert keys == sorted(f"INC-{n}" for n in range(1, 17))
    assert row_counts(db_path)["incident"] == 16


@pytest.mark.parametrize(
    "args",
    [
        ("log", "INC-9", "text"),
        ("log", "inc-one", "text"),
        ("severity", "INC-1", "7"),
        ("declare", "Another", "--severity", "7"),
        ("log", "INC-1", "text", "--at", "25:99"),
        ("log", "INC-1", "text", "--at", "yesterday-ish"),
        ("log", "INC-1", "text", "--at", "2026-11-25T10:00:00Z"),  # in the future
        ("log", "INC-1", ""),
        ("log", "INC-1", "   \t "),
        ("log", "INC-1", "text", "--kind", "gossip"),
        ("log", "INC-1", "text", "--kind", "comm"),
        ("declare", "   ", "--severity", "2"),
        ("phase", "INC-1", "fixing"),
        ("role", "INC-1", "commander", "  "),
        ("update", "INC-1", "press", "text"),
        ("update", "INC-1", "internal", " "),
        ("action", "INC-1", "Add a test", "--priority", "P7"),
        ("action", "INC-1", "Add a test", "--due", "someday"),
        ("action", "INC-1", "Add a test", "--type", "blame"),
        ("milestone", "INC-1", "lunch", "09:00"),
    ],
    ids=lambda a: " ".join(a),
)
def test_bad_input_is_one_line_and_changes_nothing(
    cli: CliRunner, inc1: str, db_path: Path, args: tuple[str, ...]
) -> None:
    before = table_dump(db_path)
    one_line_error(cli(*args))
    assert table_dump(db_path) == before


def test_usage_mistakes_are_one_line_with_exit_2(cli: CliRunner, inc1: str, db_path: Path) -> None:
    before = table_dump(db_path)
    for args in (("frobnicate",), ("log", "INC-1"), ("declare", "No severity"), ("list", "--jsn")):
        result = cli(*args)
        one_line_error(result, code=2)
    assert table_dump(db_path) == before


def test_help_and_version(cli: CliRunner) -> None:
    text = ok(cli("--help"))
    for command in (
        "declare",
        "log",
        "phase",
        "severity",
        "role",
        "update",
        "action",
        "list",
        "show",
        "open",
    ):
        assert command in text
    assert ok(cli("log", "--help")).startswith("usage: incident-tui log")
    assert ok(cli("--version")).startswith("incident-tui ")


def test_bad_database_targets(cli: CliRunner, tmp_path: Path) -> None:
    not_sqlite = tmp_path / "notes.db"
    not_sqlite.write_text("my shopping list\n")
    line = one_line_error(cli("list", db=not_sqlite))
    assert "not a SQLite database" in line
    assert not_sqlite.read_text() == "my shopping list\n"

    assert "folder" in one_line_error(cli("list", db=tmp_path))
    # /proc refuses new files even to root: the "read-only location" case.
    one_line_error(cli("declare", "x", "--severity", "1", db="/proc/incidents.db"))
    one_line_error(cli("list", db="nosuchdriver://somewhere/db"))


def test_a_foreign_sqlite_file_is_refused_untouched(cli: CliRunner, tmp_path: Path) -> None:
    import sqlite3

    other = tmp_path / "other-app.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.execute("INSERT INTO recipes VALUES ('soup')")
    conn.commit()
    conn.close()
    before = other.read_bytes()
    line = one_line_error(cli("declare", "x", "--severity", "1", db=other))
    assert "incident-tui" in line
    assert other.read_bytes() == before


def test_newer_database_is_refused_untouched(cli: CliRunner, inc1: str, db_path: Path) -> None:
    import sqlite3

    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = db_path.read_bytes()
    line = one_line_error(cli("log", inc1, "hello"))
    assert "newer" in line
    assert db_path.read_bytes() == before
    assert not list(db_path.parent.glob("*.bak"))


HOSTILE = [
    "[bold]not bold[/] and [/] and [link=x]y[/link]",
    "\x1b[31mred\x1b[0m \x1b]0;pwned\x07 \x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\",
    "nul\x00byte bell\x07 backspace\x08 csi\x9b31m del\x7f",
    "🔥 emoji, 日本語 wide, עברית right-to-left \u202e override",
]
CONTROL = ("\x1b", "\x07", "\x00", "\x9b", "\x08", "\x7f", "\u202e")


def test_hostile_text_never_carries_control_sequences_out(cli: CliRunner, inc1: str) -> None:
    for text in HOSTILE:  # through stdin: argv cannot carry a NUL
        ok(cli("log", inc1, "-", "--author", "ev\x1b[2Jil", input=text))
        ok(cli("update", inc1, "internal", "-", input=text))
    ok(cli("declare", "\x1b[31mtitle\x1b[0m [b]x[/b]", "--severity", "2"))
    outputs = [
        ok(cli("show", inc1)),
        ok(cli("show", inc1, "--json")),
        ok(cli("list")),
        ok(cli("list", "--json")),
    ]
    for output in outputs:
        for char in CONTROL:
            assert char not in output, (char, output[:200])
    detail = show(cli)
    texts = [e["text"] for e in detail["timeline"] if e["kind"] == "note"]
    # Markup and printable text are data, kept as typed; only the controls are gone.
    assert texts[0] == HOSTILE[0]
    assert "red" in texts[1] and "\x1b" not in texts[1]
    assert texts[3].startswith("🔥 emoji, 日本語 wide, עברית right-to-left")
    assert all(e["author"] == "ev[2Jil" or "\x1b" not in e["author"] for e in detail["timeline"])


def test_huge_text_through_stdin(cli: CliRunner, inc1: str, db_path: Path) -> None:
    big = "x" * 50_000 + "\nsecond line of a pasted log"
    ok(cli("log", inc1, "-", input=big))
    stored = show(cli)["timeline"][-1]["text"]
    assert stored == big

    before = table_dump(db_path)
    line = one_line_error(cli("log", inc1, "-", input="y" * 1_000_000))
    assert "limit is 100,000" in line
    assert table_dump(db_path) == before


def test_config_overrides_cadence_and_names_a_bad_line(
    cli: CliRunner, inc1: str, tmp_path: Path, db_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[user]\nname = "mira"\n\n[severity.2.updates]\ninternal = "10m"\n')
    detail = json.loads(ok(cli("--config", str(config), "show", inc1, "--json")))
    assert deadline(detail, "update:internal")["due_at"] == "2026-11-24T09:12:00Z"
    ok(cli("log", inc1, "by config name", "--config", str(config)))
    assert show(cli)["timeline"][-1]["author"] == "mira"

    before = table_dump(db_path)
    config.write_text('[user]\nname = "mira"\n[severity.2.updates\ninternal = "10m"\n')
    line = one_line_error(cli("--config", str(config), "log", inc1, "text"))
    assert "line 3" in line
    assert table_dump(db_path) == before

    config.write_text('[severity.2.updates]\ninternal = "soon"\n')
    one_line_error(cli("--config", str(config), "log", inc1, "text"))
    assert table_dump(db_path) == before


def test_author_is_as_then_config_then_os_user(
    cli: CliRunner, inc1: str, private_home: Path
) -> None:
    ok(cli("log", inc1, "os user"))
    ok(cli("log", inc1, "explicit", "--as", "tom"))
    ok(cli("--as", "ana", "log", inc1, "before the command"))
    ok(cli("log", inc1, "author flag", "--author", "raj"))
    config_dir = private_home / "config" / "incident-tui"
    config_dir.mkdir(parents=True)
    (config_dir / "config.toml").write_text('[user]\nname = "Mira Chen"\n')
    ok(cli("log", inc1, "configured"))
    authors = [e["author"] for e in show(cli)["timeline"] if e["kind"] == "note"]
    assert authors == ["tester", "tom", "ana", "raj", "Mira Chen"]


def test_default_database_is_private(cli: CliRunner, private_home: Path) -> None:
    env = {"INCIDENT_TUI_DB": ""}
    result = cli("declare", "Default location", "--severity", "3", db="", env=env)
    assert ok(result) == "INC-1\n"
    path = private_home / "data" / "incident-tui" / "incidents.db"
    assert path.exists()
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700


def test_relative_times_and_time_zone(cli: CliRunner, inc1: str, tmp_path: Path) -> None:
    ok(cli("log", inc1, "relative", "--at", "-1h30m"))
    config = tmp_path / "tz.toml"
    config.write_text('[display]\ntimezone = "Europe/Berlin"\n')
    # 09:45 Berlin time is 08:45 UTC in November.
    ok(cli("--config", str(config), "log", inc1, "local time", "--at", "09:45"))
    entries = {e["text"]: e["occurred_at"] for e in show(cli)["timeline"]}
    assert entries["relative"] == (AT - timedelta(hours=1, minutes=30)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    assert entries["local time"] == "2026-11-24T08:45:00Z"
