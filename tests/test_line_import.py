"""`incident-tui log KEY --lines FILE|-`: timestamped lines as entries at their own
times, in one transaction; the parsing (domain/line_import.py) is pure."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from incident_tui import ops
from incident_tui.domain.errors import IncidentError
from incident_tui.domain.line_import import parse_lines
from incident_tui.store.queries import incident_detail
from tests.conftest import FROZEN_AT, row_counts, table_dump

START = datetime(2026, 11, 23, 23, 40, tzinfo=UTC)


def _parse(data: bytes | str, *, start=START, now=FROZEN_AT, tz=UTC):  # type: ignore[no-untyped-def]
    return [
        (line.number, line.at, line.text) for line in parse_lines(data, start=start, now=now, tz=tz)
    ]


def utc(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=UTC)  # type: ignore[misc]


def test_three_formats_blank_lines_and_journal_markers():
    data = (
        "23:45 alert fired\n"
        "\n   \n"
        "23:50:30 paged the database on-call\n"
        "2026-11-24T00:30:00Z rollback started\n"
        "2026-11-24 00:40:00 a space for the T\n"
        "-- Boot 3f2a9c --\n"
        "2026-11-24T00:45:07+0000 web-1 nginx[1234]: upstream timed out\n"
        "2026-11-24T00:45:07.250000+0000 web-1 kernel: oom-kill\n"
    )
    assert _parse(data) == [
        (1, utc(2026, 11, 23, 23, 45), "alert fired"),
        (4, utc(2026, 11, 23, 23, 50, 30), "paged the database on-call"),
        (5, utc(2026, 11, 24, 0, 30), "rollback started"),
        (6, utc(2026, 11, 24, 0, 40), "a space for the T"),
        (8, utc(2026, 11, 24, 0, 45, 7), "web-1 nginx[1234]: upstream timed out"),
        (9, datetime(2026, 11, 24, 0, 45, 7, 250000, tzinfo=UTC), "web-1 kernel: oom-kill"),
    ]


def test_midnight_first_line_and_display_zone():
    # Backwards means the next day; duplicates keep file order (and their day).
    assert [at for _, at, _ in _parse("23:58 a\n00:03 b\n00:03 c\n")] == [
        utc(2026, 11, 23, 23, 58),
        utc(2026, 11, 24, 0, 3),
        utc(2026, 11, 24, 0, 3),
    ]
    # The first time of day goes on the day nearest the start: 00:05 after a start at
    # 23:40 is the next morning; 23:55 before a start at 00:10 is the evening before.
    assert _parse("00:05 x")[0][1] == utc(2026, 11, 24, 0, 5)
    late = utc(2026, 11, 24, 0, 10)
    assert _parse("23:55 x", start=late)[0][1] == utc(2026, 11, 23, 23, 55)
    # A time of day is in the display zone; a naive instant too, an offset wins.
    berlin = ZoneInfo("Europe/Berlin")
    assert _parse("08:30 x\n2026-11-24T09:00 y\n2026-11-24T09:00Z z", start=late, tz=berlin) == [
        (1, utc(2026, 11, 24, 7, 30), "x"),
        (2, utc(2026, 11, 24, 8, 0), "y"),
        (3, utc(2026, 11, 24, 9, 0), "z"),
    ]
    # After a full instant, a time of day follows that instant's day.
    assert _parse("2026-11-22T10:00Z x\n11:00 y")[1][1] == utc(2026, 11, 22, 11, 0)


def test_an_out_of_order_time_is_the_next_day_and_refused_in_the_future():
    with pytest.raises(IncidentError) as caught:
        _parse("23:58 a\n00:03 b\n00:02 c\n")
    message = str(caught.value)
    assert message.startswith("line 3's time") and "future" in message
    assert "next day" in message


def test_odd_bytes_and_controls():
    data = "23:45 caf\xe9 \x1b[2J\x1b]52;c;aGk=\x07ok\tdone\x07\r\n".encode("latin-1")
    data = b"\xef\xbb\xbf" + data + b"23:46 split\rin two\x0bgone\n"
    assert _parse(data) == [
        (1, utc(2026, 11, 23, 23, 45), "caf\ufffd ok\tdone"),
        (2, utc(2026, 11, 23, 23, 46), "split in twogone"),
    ]


@pytest.mark.parametrize(
    ("data", "said"),
    [
        ("23:45 fine\nno time here\n", "line 2 does not start with a time"),
        ("23:45 fine\n\n25:99 nope\n", "line 3: '25:99' is not a time of day"),
        ("2026-13-40T00:00Z nope\n", "line 1: '2026-13-40T00:00Z' is not an ISO 8601 instant"),
        ("23:45\n", "line 1 has a time but no text"),
        (
            "2026-11-25T00:00:00Z tomorrow\n",
            "line 1's time (2026-11-25 00:00:00Z) is in the future",
        ),
        ("1969-12-31T23:00:00Z old\n", "line 1's time (1969-12-31 23:00:00Z) is before 1970"),
        ("9:5 x\n", "line 1: '9:5' is not a time"),
        ("\n \n", "no lines to log"),
    ],
)
def test_a_bad_line_is_named(data, said):
    with pytest.raises(IncidentError) as caught:
        _parse(data)
    assert str(caught.value).startswith(said), caught.value
    assert "\n" not in str(caught.value)


def test_one_transaction_in_file_order(db):
    number = ops.declare(db, title="t", severity=2, author="li", now=START, started_at=START)
    entries = ops.log_lines(
        db,
        key=number,
        data=b"23:45 same\n23:45 same time, later line\n2026-11-24T09:01:00Z fresh\n",
        author="tom",
        now=FROZEN_AT,
        tz=UTC,
        kind="finding",
    )
    assert [e.text for e in entries] == ["same", "same time, later line", "fresh"]
    assert entries[0].id < entries[1].id  # equal times: the id keeps the file's order
    timeline = [e for e in incident_detail(db, number).timeline if e.kind == "finding"]
    assert [e.text for e in timeline] == ["same", "same time, later line", "fresh"]
    assert all(e.recorded_at == FROZEN_AT and e.author == "tom" for e in timeline)
    # Recorded now, long after: the old ones are the timeline's reconstructed entries.
    assert [e.reconstructed for e in timeline] == [True, True, False]


def test_alert_lines_move_detection_back(db):
    number = ops.declare(db, title="t", severity=2, author="li", now=FROZEN_AT)
    ops.log_lines(
        db,
        key=number,
        data="08:50 b\n08:55 a\n2026-11-24T08:40:00Z first",
        author="li",
        now=FROZEN_AT,
        tz=UTC,
        kind="alert",
    )
    assert incident_detail(db, number).milestones["detected_at"] == utc(2026, 11, 24, 8, 40)


def test_a_missing_incident(db):
    with pytest.raises(IncidentError, match="no incident INC-99"):
        ops.log_lines(db, key=99, data="08:50 b", author="li", now=FROZEN_AT, tz=UTC)


def test_cli_bad_line_writes_nothing(cli, db_path, tmp_path):
    key = cli("declare", "t", "--severity", "2", "--started-at", "08:00").stdout.strip()
    before = table_dump(db_path)
    notes = tmp_path / "notes.txt"
    notes.write_bytes(b"08:10 ok\n08:20 ok too\nnot a line\n")
    out = cli("log", key, "--lines", str(notes))
    assert out.returncode == 1
    assert out.stderr == (
        "incident-tui: error: line 3 does not start with a time (HH:MM text, "
        "an ISO 8601 instant then text, or journalctl's short-iso)\n"
    )
    assert table_dump(db_path) == before


def test_cli_from_stdin_with_the_configured_zone(cli, db_path, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[display]\ntimezone = "Europe/Berlin"\n')
    key = cli(
        "declare", "t", "--severity", "2", "--started-at", "2026-11-24T07:00:00Z"
    ).stdout.strip()
    journal = b"09:00 in Berlin time\n2026-11-24T08:02:03+0000 web-1 deploy[77]: rolled back \xff\n"
    before = row_counts(db_path)["timeline_entry"]
    env = dict(os.environ, INCIDENT_TUI_DB=str(db_path), INCIDENT_TUI_NOW=FROZEN_AT.isoformat())
    out = subprocess.run(  # stdin as bytes (the cli fixture passes text)
        [sys.executable, "-m", "incident_tui", "--config", str(config), "log", key, "--lines", "-"],
        input=journal,
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.decode() == (
        f"{key}: 2 note entries logged, 2026-11-24T08:00:00Z to 2026-11-24T08:02:03Z\n"
    )
    assert row_counts(db_path)["timeline_entry"] == before + 2
    shown = cli("show", key, "--json").stdout
    assert "web-1 deploy[77]: rolled back \ufffd" in shown and "in Berlin time" in shown


def test_cli_usage(cli):
    key = cli("declare", "t", "--severity", "2").stdout.strip()
    assert cli("log", key).returncode == 2
    both = cli("log", key, "text", "--lines", "-", input="")
    assert both.returncode == 2 and "--lines takes no TEXT" in both.stderr
    assert cli("log", key, "--lines", "/nonexistent/notes").stderr.startswith(
        "incident-tui: error: cannot read /nonexistent/notes"
    )
