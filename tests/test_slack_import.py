"""A Slack channel export into an incident's timeline (`log KEY --slack DIR`): one entry
per message at its own time, the speaker as the entry's actor, Slack's markup as plain
text, housekeeping left out, all in one transaction — odd bytes, equal timestamps and
a night across midnight included."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from incident_tui import ops
from incident_tui.cli import main
from incident_tui.domain.errors import IncidentError
from incident_tui.domain.slack_export import chat_lines, plain, user_names
from incident_tui.store import queries
from tests.conftest import table_dump

NOW = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
START = datetime(2026, 11, 24, 23, 40, tzinfo=UTC)

USERS = [
    {"id": "U1", "name": "mira.k", "profile": {"display_name": "mira", "real_name": "Mira K"}},
    {"id": "U2", "name": "li", "real_name": "Li Wei", "profile": {"display_name": ""}},
    {"id": "U3", "name": "raj"},
]


def ts(at: datetime) -> str:
    return f"{at.timestamp():.6f}"


def export(folder: Path) -> Path:
    channel = folder / "inc-42-checkout"
    channel.mkdir(parents=True)
    (folder / "users.json").write_text(json.dumps(USERS))
    day1 = [
        {
            "type": "message",
            "subtype": "channel_join",
            "user": "U3",
            "text": "<@U3> has joined",
            "ts": ts(START),
        },
        {
            "type": "message",
            "user": "U1",
            "text": "declaring: checkout 5xx in <#C9|eu-west>",
            "ts": ts(START + timedelta(minutes=1)),
        },
        {
            "type": "message",
            "user": "U2",
            "text": "dashboards: <https://grafana.local/d/1|p99> &amp; errors",
            "ts": ts(START + timedelta(minutes=5)),
        },
        {
            "type": "message",
            "user": "U3",
            "text": "same second, first",
            "ts": ts(START + timedelta(minutes=10)),
        },
        {
            "type": "message",
            "user": "U1",
            "text": "same second, second",
            "ts": ts(START + timedelta(minutes=10)),
        },
        {
            "type": "message",
            "user": "U1",
            "text": "",
            "files": [{"name": "graph.png"}],
            "ts": ts(START + timedelta(minutes=11)),
        },
    ]
    day2 = [
        {
            "type": "message",
            "user": "U2",
            "text": "<@U1> rollback done \x1b[31mred\x1b[0m",
            "ts": ts(START + timedelta(minutes=25)),
        },
        {
            "type": "message",
            "subtype": "bot_message",
            "username": "deploybot",
            "text": "deploy 4812 rolled back",
            "ts": ts(START + timedelta(minutes=26)),
        },
    ]
    (channel / "2026-11-24.json").write_text(json.dumps(day1))
    # Bytes that are not UTF-8 inside a message's text: kept as U+FFFD, never refused.
    raw = json.dumps(day2).replace("rollback done", "rollback d\\u00f6ne").encode()
    (channel / "2026-11-25.json").write_bytes(raw.replace(b"deploy 4812", b"deploy \xff4812"))
    return channel


def test_markup_and_names() -> None:
    names = user_names(json.dumps(USERS))
    assert names == {"U1": "mira", "U2": "Li Wei", "U3": "raj"}
    assert plain(
        "<@U1> see <https://x.local/a|the graph> in <#C1|inc> <!here> &lt;b&gt;", names
    ) == ("@mira see the graph (https://x.local/a) in #inc @here <b>")


def test_the_export_lands_in_order_with_its_speakers(
    db, db_path: Path, tmp_path: Path, capsys, monkeypatch
) -> None:
    number = ops.declare(
        db, title="Checkout 5xx", severity=1, author="tom", started_at=START, now=START
    )
    channel = export(tmp_path)
    monkeypatch.setenv("INCIDENT_TUI_DB", str(db_path))
    monkeypatch.setenv("INCIDENT_TUI_NOW", NOW.isoformat())
    assert main(["--as", "tom", "log", f"INC-{number}", "--slack", str(channel)]) == 0
    assert capsys.readouterr().out.startswith(f"INC-{number}: 6 messages logged from 2 day files")
    entries = [e for e in queries.incident_detail(db, number).timeline if e.kind == "note"]
    assert [(e.actor, e.text) for e in entries] == [
        ("mira", "declaring: checkout 5xx in #eu-west"),
        ("Li Wei", "dashboards: p99 (https://grafana.local/d/1) & errors"),
        ("raj", "same second, first"),
        ("mira", "same second, second"),
        ("Li Wei", "@mira rollback döne red"),
        ("deploybot", "deploy \ufffd4812 rolled back"),
    ]
    assert {e.author for e in entries} == {"tom"}
    # Across midnight: the last two are the next day, in order.
    assert entries[-1].occurred_at == START + timedelta(minutes=26)


def test_a_bad_day_file_writes_nothing(
    db, db_path: Path, tmp_path: Path, capsys, monkeypatch
) -> None:
    number = ops.declare(
        db, title="Checkout 5xx", severity=1, author="tom", started_at=START, now=START
    )
    channel = export(tmp_path)
    (channel / "2026-11-26.json").write_text('[{"user": "U1", "text": "no ts"}]')
    monkeypatch.setenv("INCIDENT_TUI_DB", str(db_path))
    monkeypatch.setenv("INCIDENT_TUI_NOW", NOW.isoformat())
    before = table_dump(db_path)
    assert main(["log", f"INC-{number}", "--slack", str(channel)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == ["incident-tui: error: 2026-11-26.json: message 1 has no readable ts"]
    assert table_dump(db_path) == before


def test_not_an_export_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(IncidentError, match="not JSON"):
        chat_lines({"2026-11-24.json": "{"}, {})
    with pytest.raises(IncidentError, match="not a Slack channel's day"):
        chat_lines({"2026-11-24.json": "{}"}, {})
