"""The postmortem draft exported: Markdown that parses as intended whatever the text,
JSON with the agreed field names, metrics from the milestones, safe writes."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from markdown_it import MarkdownIt

from incident_tui import ops
from incident_tui.domain.errors import IncidentError
from incident_tui.formats import export
from incident_tui.store import postmortem_reads
from tests.conftest import FROZEN_AT, CliRunner

NOW = FROZEN_AT
HOSTILE = "a | pipe\nnew line `tick` <b>html</b> [bold]x[/bold] # head - item \x1b[2J"


def t(minutes: float):
    return NOW - timedelta(minutes=minutes)


def scenario(db) -> int:
    """Scenario 1, condensed: SEV2 08:10 → SEV1, updates (one late), resolved 09:00."""
    number = ops.declare(
        db,
        title="Search results empty for EU users",
        severity=2,
        author="mira",
        now=t(52),
        commander="mira",
        started_at=t(60),
    )
    ops.set_phase(db, key=number, phase="investigating", author="mira", now=t(50))
    ops.log_entry(
        db,
        key=number,
        text="EU error rate rises",
        author="tom",
        now=t(49),
        at=t(58),
        kind="alert",
        pinned=True,
    )
    ops.post_update(
        db, key=number, audience="internal", text="Investigating", author="ana", now=t(30)
    )
    ops.set_severity(db, key=number, severity=1, author="mira", now=t(28))
    ops.post_update(
        db, key=number, audience="internal", text="Rolling back", author="ana", now=t(5)
    )
    ops.log_entry(db, key=number, text="reconstructed", author="tom", now=t(3), at=t(40))
    ops.set_phase(db, key=number, phase="monitoring", author="mira", now=t(10))
    ops.set_phase(db, key=number, phase="resolved", author="mira", now=t(2))
    return number


def draft(db, number):
    return postmortem_reads.postmortem_draft(db, number, now=NOW)


def test_metrics_come_from_the_milestones(db) -> None:
    metrics = draft(db, scenario(db)).metrics
    # Detected at the first alert (08:02, backdated), not at the declaration (08:08).
    assert metrics.time_to_detect == timedelta(minutes=2)
    assert metrics.time_to_acknowledge == timedelta(minutes=8)
    assert metrics.time_to_mitigate == timedelta(minutes=50)
    assert metrics.time_to_resolve == timedelta(minutes=58)
    assert metrics.reconstructed == 1 and metrics.reconstructed_worst == timedelta(minutes=37)
    internal = next(c for c in metrics.cadence if c.audience == "internal")
    # Due 08:40 (declared 08:10 + 30 min): posted 08:32, on time. Then SEV1 at 08:34:
    # due min(09:02, 08:49) = 08:49; posted 08:57, 8 min late.
    assert (internal.required, internal.on_time) == (2, 1)
    assert internal.describe() == "1 of 2 updates on time, worst 8 min late"
    external = next(c for c in metrics.cadence if c.audience == "external")
    # Due 09:10, then 09:04 after the SEV1 change: resolved at 09:00, so none was owed.
    assert external.describe() == "none required"


def test_json_has_the_agreed_fields(db) -> None:
    number = scenario(db)
    ops.save_postmortem_field(
        db, key=number, field="root_cause", value="shard map", author="mira", now=NOW
    )
    ops.save_why(
        db, key=number, question="Why empty?", answer="old shard map", author="mira", now=NOW
    )
    ops.add_action(
        db,
        key=number,
        description="Add a test",
        author="mira",
        now=NOW,
        owner="tom",
        priority="P1",
        type="prevent",
        ticket="OPS-1",
    )
    doc = export.to_json(draft(db, number))
    for name in (
        "id",
        "title",
        "date",
        "severity",
        "incidentCommander",
        "authors",
        "status",
        "summary",
        "impact",
        "timeline",
        "rootCause",
        "contributingFactors",
        "whatWentWell",
        "whatWentPoorly",
        "luckyBreaks",
        "actionItems",
        "fiveWhys",
        "lessonsLearned",
        "metrics",
        "updates",
        "milestones",
    ):
        assert name in doc, name
    assert (doc["id"], doc["severity"], doc["incidentCommander"], doc["status"]) == (
        "INC-1",
        "SEV-1",
        "mira",
        "draft",
    )
    assert set(doc["impact"]) >= {"duration", "usersAffected", "revenueImpact", "slaBreached"}
    assert doc["impact"]["slaBreached"] is False  # resolved in 58 min, SEV1 target 1 h
    assert doc["timeline"] == [
        {
            "time": "2026-11-24T08:04:00Z",
            "event": "EU error rate rises",
            "actor": "tom",
            "kind": "alert",
            "author": "tom",
        }
    ]
    assert doc["date"] == "2026-11-24T08:02:00Z"  # a date-time: when the impact began
    assert doc["actionItems"] == [
        {
            "description": "Add a test",
            "type": "prevent",
            "owner": "tom",
            "priority": "P1",
            "dueDate": "",
            "status": "open",
            "jiraTicket": "OPS-1",
        }
    ]
    assert doc["fiveWhys"] == [{"question": "Why empty?", "answer": "old shard map"}]
    assert doc["rootCause"] == "shard map"
    assert doc["milestones"]["resolved"] == "2026-11-24T09:00:00Z"


def parse(markdown: str):
    return MarkdownIt("commonmark").enable("table").parse(markdown)


def tables(tokens) -> list[list[list[str]]]:
    """Every table as rows of cell texts (inline content, rendered plainly)."""
    result, rows, row, in_cell = [], None, None, False
    for token in tokens:
        if token.type == "table_open":
            rows = []
        elif token.type == "tr_open":
            row = []
        elif token.type in ("th_open", "td_open"):
            in_cell = True
        elif token.type == "inline" and in_cell:
            row.append(token.content)
        elif token.type in ("th_close", "td_close"):
            in_cell = False
        elif token.type == "tr_close":
            rows.append(row)
        elif token.type == "table_close":
            result.append(rows)
    return result


def test_markdown_tables_stay_tables_whatever_the_text(db) -> None:
    number = scenario(db)
    ops.log_entry(db, key=number, text=HOSTILE, author="x|y", now=NOW, pinned=True)
    ops.add_action(
        db, key=number, description="fix | it `now`", author="mira", now=NOW, owner="<b>tom</b>"
    )
    markdown = export.to_markdown(draft(db, number))
    tokens = parse(markdown)
    found = tables(tokens)
    timeline = next(tbl for tbl in found if tbl[0] == ["Time", "Kind", "Event", "Actor"])
    assert all(len(row) == 4 for row in timeline)
    hostile_row = timeline[-1][1:]
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    assert "<b>html</b>" not in html and "&lt;b&gt;html&lt;/b&gt;" in html
    assert "\x1b" not in markdown
    assert hostile_row[1].startswith("a | pipe<br>new line")  # one cell, both lines
    actions = next(tbl for tbl in found if tbl[0][0] == "Description")
    assert all(len(row) == 7 for row in actions)
    # Headings are only ours.
    headings = [tokens[i + 1].content for i, tok in enumerate(tokens) if tok.type == "heading_open"]
    assert "head - item" not in " ".join(headings)
    assert headings[0].startswith("Postmortem: INC-1")


def test_user_text_cannot_make_headings_or_lists(db) -> None:
    number = scenario(db)
    ops.save_postmortem_field(
        db,
        key=number,
        field="root_cause",
        value="# not a heading\n- not a list\n1. nor this\n> nor a quote\n---",
        author="mira",
        now=NOW,
    )
    markdown = export.to_markdown(draft(db, number))
    section = markdown.split("## Root cause\n", 1)[1].split("\n## ", 1)[0]
    tokens = parse(section.split("### Contributing factors", 1)[0])
    types = {tok.type for tok in tokens}
    assert "bullet_list_open" not in types and "ordered_list_open" not in types
    assert "blockquote_open" not in types and "hr" not in types
    headings = [tokens[i + 1].content for i, tok in enumerate(tokens) if tok.type == "heading_open"]
    assert "not a heading" not in headings


def test_a_multi_day_incident_shows_dates_in_its_timeline(db) -> None:
    day1 = NOW - timedelta(days=1)
    number = ops.declare(
        db, title="Slow reports", severity=3, author="raj", now=day1.replace(hour=22, minute=40)
    )
    ops.log_entry(
        db, key=number, text="overnight", author="raj", now=NOW.replace(hour=2), pinned=True
    )
    markdown = export.to_markdown(draft(db, number))
    assert "| 2026-11-24 02:02Z | note | overnight | raj |" in markdown


def test_a_template_in_the_config_dir_replaces_ours(db, tmp_path) -> None:
    number = scenario(db)
    (tmp_path / export.TEMPLATE_NAME).write_text(
        "Custom {{ detail.key }}: {{ detail.title | inline }}\n"
    )
    assert (
        export.to_markdown(draft(db, number), override_dir=tmp_path)
        == "Custom INC-1: Search results empty for EU users\n"
    )
    (tmp_path / export.TEMPLATE_NAME).write_text("{{ nope.nothing }}")
    with pytest.raises(IncidentError, match="template"):
        export.to_markdown(draft(db, number), override_dir=tmp_path)


def test_safe_writes(tmp_path) -> None:
    target = tmp_path / "pm.md"
    export.write_atomically(target, "one")
    with pytest.raises(IncidentError, match="exists; --force overwrites it"):
        export.write_atomically(target, "two")
    assert target.read_text() == "one"
    export.write_atomically(target, "two", force=True)
    assert target.read_text() == "two"
    assert [p.name for p in tmp_path.iterdir()] == ["pm.md"]  # no temporary left behind
    with pytest.raises(IncidentError, match="cannot write"):
        export.write_atomically(tmp_path / "missing" / "pm.md", "x")


def test_export_from_the_command_line(db, cli: CliRunner, tmp_path) -> None:
    number = scenario(db)
    out = cli("export", f"INC-{number}", "--format", "json")
    assert out.returncode == 0 and json.loads(out.stdout)["id"] == "INC-1"
    target = tmp_path / "pm.md"
    written = cli("export", "INC-1", "-o", str(target))
    assert written.returncode == 0 and written.stdout.strip() == str(target)
    assert target.read_text().startswith("# Postmortem: INC-1")
    again = cli("export", "INC-1", "-o", str(target))
    assert again.returncode == 1 and again.stderr.strip().endswith("exists; --force overwrites it")
    assert cli("export", "INC-1", "-o", str(target), "--force").returncode == 0
    bad = cli("export", "INC-1", "-o", "/proc/nope/pm.md")
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1
    check = cli("export", "INC-1", "--check")
    assert check.returncode == 1 and "few-whys" in check.stdout


def test_five_whys_are_added_edited_reordered_and_removed(db) -> None:
    number = scenario(db)
    for q in ("Why A?", "Why B?", "Why C?"):
        ops.save_why(db, key=number, question=q, answer="because", author="mira", now=NOW)
    ops.save_why(
        db, key=number, question="Why B, really?", answer="x", position=2, author="mira", now=NOW
    )
    assert ops.move_why(db, key=number, position=3, offset=-1, author="mira", now=NOW) == 2
    ops.delete_why(db, key=number, position=1, author="mira", now=NOW)
    assert [(w.position, w.question) for w in draft(db, number).whys] == [
        (1, "Why C?"),
        (2, "Why B, really?"),
    ]


def test_postmortem_fields_are_saved_one_by_one_and_validated(db) -> None:
    number = scenario(db)
    ops.save_postmortem_field(
        db, key=number, field="status", value="in-review", author="mira", now=NOW
    )
    ops.save_postmortem_field(
        db, key=number, field="sla_breached", value=True, author="mira", now=NOW
    )
    ops.save_postmortem_field(
        db, key=number, field="what_went_well", value=HOSTILE, author="mira", now=NOW
    )
    written = draft(db, number)
    assert (written.fields.status, written.sla_breached) == ("in-review", True)
    assert "\x1b" not in written.fields.what_went_well
    with pytest.raises(IncidentError, match="status must be"):
        ops.save_postmortem_field(
            db, key=number, field="status", value="done", author="mira", now=NOW
        )
    with pytest.raises(IncidentError, match="no field"):
        ops.save_postmortem_field(db, key=number, field="title", value="x", author="mira", now=NOW)
