"""The postmortem as the product owner's model has it: honest milestones and metrics for
an incident declared after the fact, the impact's duration with its UTC range, who did
what, every commander, list sections as lists (older text migrated), the JSON Schema."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest

from incident_tui import ops
from incident_tui.domain.errors import IncidentError
from incident_tui.domain.postmortem_draft import impact_duration_text, parse_users_affected
from incident_tui.formats import export
from incident_tui.store import postmortem_reads
from tests.conftest import FROZEN_AT, CliRunner, assert_valid_export

NOW = FROZEN_AT  # 2026-11-24 09:02Z


def at(hour: int, minute: int, day: int = 24) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def late_declared(db) -> int:
    """People worked from 07:39 (alerts backdated), declared at 08:01."""
    number = ops.declare(
        db, title="Checkout errors", severity=2, author="li", now=at(8, 1), commander="ana"
    )
    ops.log_entry(
        db, key=number, text="5xx on checkout", author="li", now=at(8, 2), at=at(7, 39),
        kind="alert", actor="Monitoring",
    )  # fmt: skip
    ops.set_phase(db, key=number, phase="investigating", author="li", now=at(8, 3), at=at(7, 41))
    return number


def test_an_incident_declared_late_is_detected_at_its_first_alert(db) -> None:
    number = late_declared(db)
    draft = postmortem_reads.postmortem_draft(db, number, now=NOW)
    m = draft.detail.milestones
    assert (m["detected_at"], m["acknowledged_at"]) == (at(7, 39), at(7, 41))
    assert m["started_at"] == at(7, 39)  # impact began by the time it was detected
    assert draft.metrics.time_to_detect == timedelta(0)
    assert draft.metrics.time_to_acknowledge == timedelta(minutes=2)
    moved = [e.text for e in draft.detail.timeline if e.text.startswith("Milestone")]
    assert moved == ["Milestone detected moved to 07:39:00Z (the first alert), "
                     "started moved to 07:39:00Z (the first alert)"]  # fmt: skip


def test_a_backdated_phase_moves_a_derived_detection_and_says_so(db) -> None:
    number = ops.declare(db, title="No alert", severity=3, author="li", now=at(8, 1))
    text = ops.set_phase(
        db, key=number, phase="investigating", author="li", now=at(8, 2), at=at(7, 50)
    )
    assert "detected moved to 07:50:00Z" in text and "started moved to 07:50:00Z" in text
    metrics = postmortem_reads.postmortem_draft(db, number, now=NOW).metrics
    assert metrics.time_to_acknowledge == timedelta(0)


def test_a_milestone_against_one_set_by_hand_is_refused_in_one_line(db) -> None:
    number = ops.declare(db, title="Hand-set", severity=3, author="li", now=at(8, 1))
    ops.set_milestone(db, key=number, milestone="detected", at=at(8, 0), author="li", now=at(8, 2))
    with pytest.raises(IncidentError, match="would precede detected .* set by hand") as error:
        ops.set_phase(
            db, key=number, phase="investigating", author="li", now=at(8, 3), at=at(7, 30)
        )
    assert "\n" not in str(error.value)
    with pytest.raises(IncidentError, match="would follow acknowledged"):
        ops.set_phase(db, key=number, phase="investigating", author="li", now=at(8, 3))
        ops.set_milestone(
            db, key=number, milestone="detected", at=at(8, 4), author="li", now=at(8, 5)
        )
    detail = postmortem_reads.postmortem_draft(db, number, now=NOW).detail
    assert detail.milestones["detected_at"] == at(8, 0)  # nothing written by the refusal


def test_a_year_old_start_makes_no_metric_negative(db) -> None:
    year_ago = at(8, 1) - timedelta(days=365)
    number = ops.declare(
        db, title="Old", severity=3, author="li", now=at(8, 1), started_at=year_ago
    )
    ops.set_phase(db, key=number, phase="investigating", author="li", now=at(8, 3), at=at(7, 0))
    ops.set_phase(db, key=number, phase="resolved", author="li", now=at(8, 30))
    doc = export.to_json(postmortem_reads.postmortem_draft(db, number, now=NOW))
    assert all(v is None or v >= 0 for k, v in doc["metrics"].items() if k.endswith("Seconds"))
    assert doc["metrics"]["timeToAcknowledgeSeconds"] == 0  # detection moved back to 07:00


def test_impact_duration_reads_like_the_model() -> None:
    assert impact_duration_text(at(14, 23), at(15, 10)) == "47 minutes (14:23 - 15:10 UTC)"
    assert (
        impact_duration_text(at(23, 40), at(1, 45, day=25))
        == "2 hours 5 minutes (2026-11-24 23:40 - 2026-11-25 01:45 UTC)"
    )
    assert impact_duration_text(at(14, 23), None).startswith("ongoing since 14:23 UTC")


@pytest.mark.parametrize(
    ("typed", "number"),
    [("12500", 12500), ("~12,500", 12500), ("12k", 12000), ("1.2M", 1_200_000), ("", None)],
)
def test_users_affected_is_a_number(typed: str, number: int | None) -> None:
    assert parse_users_affected(typed) == number


def test_users_affected_refuses_words(db) -> None:
    number = ops.declare(db, title="Words", severity=3, author="li", now=at(8, 1))
    with pytest.raises(IncidentError, match="users affected is a number"):
        ops.save_postmortem_field(
            db, key=number, field="users_affected", value="lots", author="li", now=at(8, 2)
        )


def test_the_export_names_who_did_it_and_every_commander(db) -> None:
    number = late_declared(db)
    ops.hand_over_role(db, key=number, role="commander", holder="bo", author="ana", now=at(8, 30))
    ops.set_phase(db, key=number, phase="resolved", author="bo", now=at(8, 50))
    ops.save_postmortem_field(
        db, key=number, field="what_went_well", value=["rollback rehearsed", " ", "paging"],
        author="bo", now=at(9, 0),
    )  # fmt: skip
    draft = postmortem_reads.postmortem_draft(db, number, now=NOW)
    doc = export.to_json(draft)
    alert = next(e for e in doc["timeline"] if e["kind"] == "alert")
    assert (alert["actor"], alert["author"]) == ("Monitoring", "li")
    assert doc["incidentCommander"] == "bo"  # who held it at resolution
    assert [c["name"] for c in doc["commanders"]] == ["ana", "bo"]
    assert doc["commanders"][0]["endedAt"] == "2026-11-24T08:30:00Z"
    assert doc["whatWentWell"] == ["rollback rehearsed", "paging"]
    assert doc["luckyBreaks"] == [] and doc["impact"]["usersAffected"] == 0
    assert doc["impact"]["duration"] == "1 hour 11 minutes (07:39 - 08:50 UTC)"
    markdown = export.to_markdown(draft)
    assert "ana 08:01Z – 08:30Z" in markdown and "bo from 08:30Z" in markdown
    assert "| alert | 5xx on checkout | Monitoring |" in markdown
    assert "- rollback rehearsed\n- paging\n" in markdown
    assert "```mermaid\ngantt\n" in markdown and "investigating :2026-11-24 07:41:00" in markdown


def test_log_takes_an_actor_and_export_prints_a_valid_document(db, cli: CliRunner) -> None:
    number = late_declared(db)
    out = cli("log", f"INC-{number}", "Firewall rule deployed", "--actor", "Firewall team")
    assert out.returncode == 0, out.stderr
    printed = cli("export", f"INC-{number}", "--format", "json")
    doc = json.loads(printed.stdout)
    assert_valid_export(doc)
    entry = next(e for e in doc["timeline"] if e["event"] == "Firewall rule deployed")
    assert entry["actor"] == "Firewall team" and entry["author"] != "Firewall team"
    shown = json.loads(cli("show", f"INC-{number}", "--json").stdout)
    [row] = [e for e in shown["timeline"] if e["text"] == "Firewall rule deployed"]
    assert row["actor"] == "Firewall team"


def test_export_schema_is_a_json_schema_of_the_model(cli: CliRunner) -> None:
    out = cli("export", "--schema")
    assert out.returncode == 0, out.stderr
    schema = json.loads(out.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    props = schema["properties"]
    for name in ("contributingFactors", "whatWentWell", "whatWentPoorly", "luckyBreaks"):
        assert props[name] == {"items": {"type": "string"}, "title": props[name]["title"],
                               "type": "array"}  # fmt: skip
    impact = schema["$defs"]["Impact"]["properties"]
    assert impact["usersAffected"]["type"] == "integer"
    assert impact["slaBreached"]["type"] == "boolean"
    assert schema["$defs"]["ActionItem"]["properties"]["jiraTicket"]["type"] == "string"
    bad = cli("export")
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1


def test_older_text_sections_migrate_to_one_point_per_line(tmp_path: Path) -> None:
    from incident_tui.store.database import open_database, upgrade

    path = tmp_path / "old.db"
    upgrade(f"sqlite:///{path}", "0004")
    conn = sqlite3.connect(path)
    stamp = "2026-11-24 08:00:00.000000"
    conn.execute(
        "INSERT INTO incident (id, title, severity, phase, summary, is_drill, declared_at,"
        " declared_by, started_at, detected_at, updated_at) VALUES"
        " (1, 'Old', 2, 'resolved', '', 0, ?, 'li', ?, ?, ?)",
        (stamp, "2026-11-24 07:50:00.000000", stamp, stamp),
    )
    conn.execute(
        "INSERT INTO timeline_entry (incident_id, occurred_at, recorded_at, kind, author, text,"
        " pinned, version) VALUES (1, '2026-11-24 07:55:00.000000', ?, 'alert', 'pd', 'x', 0, 1)",
        (stamp,),
    )
    conn.execute(
        "INSERT INTO postmortem (incident_id, status, summary, root_cause, contributing_factors,"
        " what_went_well, what_went_poorly, lucky_breaks, lessons_learned, users_affected,"
        " revenue_impact, authors, updated_at) VALUES (1, 'draft', '', '',"
        " '- no canary\n\n* stale runbook\n1. one region', 'fast rollback', '', '', '', '',"
        " '', '', ?)",
        (stamp,),
    )
    conn.commit()
    conn.close()
    database = open_database(path)
    try:
        fields = postmortem_reads.postmortem_draft(database, 1, now=NOW).fields
        detail = postmortem_reads.postmortem_draft(database, 1, now=NOW).detail
    finally:
        database.dispose()
    assert fields.contributing_factors == ["no canary", "stale runbook", "one region"]
    assert fields.what_went_well == ["fast rollback"] and fields.lucky_breaks == []
    assert detail.milestones["detected_at"] == at(7, 55)  # its first alert


@pytest.mark.parametrize(
    ("line", "actor", "text"),
    [
        ("14:32 @bo rolled back the deploy", "bo", "rolled back the deploy"),
        ('@"CI/CD pipeline" deployed 4.2.1', "CI/CD pipeline", "deployed 4.2.1"),
        ("/decision @ana roll back", "ana", "roll back"),
        ("@@bo can you check?", None, "@bo can you check?"),
        ("@bo", None, "@bo"),
    ],
)
def test_the_entry_line_names_who_did_it_with_a_leading_at(line, actor, text) -> None:
    from incident_tui.domain.entry_syntax import parse_line

    command = parse_line(line, now=NOW, tz=UTC)
    assert (command.actor, command.text) == (actor, text)


def test_an_entry_lines_actor_reaches_the_export(db) -> None:
    from incident_tui.domain.entry_syntax import parse_line
    from incident_tui.ops import dispatch as commands

    number = late_declared(db)
    line = parse_line('@"Firewall team" deployed the block rule', now=NOW, tz=UTC)
    commands.run(line, db=db, number=number, author="li", now=NOW)
    doc = export.to_json(postmortem_reads.postmortem_draft(db, number, now=NOW))
    [row] = [e for e in doc["record"]["entries"] if e["text"] == "deployed the block rule"]
    assert (row["actor"], row["author"]) == ("Firewall team", "li")


def test_markdown_worth_circulating(db) -> None:
    from markdown_it import MarkdownIt

    number = late_declared(db)
    ops.log_entry(db, key=number, text="checked `kubectl get pods -n pay` ~40 pods, 4->8 a_b",
                  author="li", now=at(8, 10, day=24))  # fmt: skip
    later = at(8, 10) + timedelta(seconds=20)
    ops.log_entry(db, key=number, text="second in the minute", author="li", now=later)
    ops.snooze_deadline(
        db, key=number, deadline="update:internal", due_at=at(8, 31), minutes=5, author="li",
        now=at(8, 11),
    )  # fmt: skip
    ops.post_update(
        db, key=number, audience="internal",
        text="Started: 07:39Z.\nLast update: none yet\n" + "word " * 60,
        author="cam", now=at(8, 12),
    )  # fmt: skip
    markdown = export.to_markdown(postmortem_reads.postmortem_draft(db, number, now=NOW))
    for heading in ("## Trigger", "## Detection", "## Resolution", "## Lessons learned",
                    "### Where we got lucky", "## Supporting information"):  # fmt: skip
        assert heading in markdown
    assert "| 08:10:00Z | note | checked `kubectl get pods -n pay` ~40 pods, 4->8 a_b |" in markdown
    assert "| 08:10:20Z | note | second in the minute | li |" in markdown
    assert "| 07:39Z | alert | 5xx on checkout | Monitoring |" in markdown
    assert "Snoozed" not in markdown.split("## Timeline", 1)[1]
    assert ("word " * 59).strip() in markdown  # the update, whole
    assert "none yet" not in markdown and "Started: 07:39Z." in markdown
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    assert "<code>kubectl get pods -n pay</code>" in html


def test_a_version_1_export_with_text_sections_imports_as_points(db, tmp_path) -> None:
    from incident_tui.formats import importer

    number = late_declared(db)
    doc = export.to_json(postmortem_reads.postmortem_draft(db, number, now=NOW))
    doc["formatVersion"] = 1
    doc["record"]["title"] = "Imported"
    doc["record"]["postmortem"]["contributingFactors"] = "no canary\nstale runbook"
    old = tmp_path / "old.json"
    old.write_text(json.dumps(doc))
    with importer.streamed(str(old), now=NOW) as imported:
        result = importer.import_incident(db, imported, now=NOW)
    fields = postmortem_reads.postmortem_draft(db, result.number, now=NOW).fields
    assert fields.contributing_factors == ["no canary", "stale runbook"]


def test_a_later_start_set_by_hand_moves_a_derived_detection_forward(db) -> None:
    number = late_declared(db)  # detected and started derived: 07:39, the first alert
    text = ops.set_milestone(
        db, key=number, milestone="started", at=at(7, 40), author="li", now=at(8, 5)
    )
    assert text.endswith("detected moved to 07:40:00Z (it cannot precede started)")
    draft = postmortem_reads.postmortem_draft(db, number, now=NOW)
    assert draft.metrics.time_to_detect == timedelta(0)


def test_hostile_text_in_points_updates_and_actors_stays_data(db) -> None:
    from markdown_it import MarkdownIt

    hostile = "# head | pipe <script>x</script> ```\n---\n> quote"
    number = late_declared(db)
    ops.log_entry(db, key=number, text=hostile, author="li", now=at(8, 20), actor="<b>x</b>",
                  pinned=True)  # fmt: skip
    ops.post_update(db, key=number, audience="internal", text=hostile, author="cam", now=at(8, 21))
    ops.save_postmortem_field(
        db, key=number, field="lucky_breaks", value=[hostile], author="li", now=at(8, 22)
    )
    markdown = export.to_markdown(postmortem_reads.postmortem_draft(db, number, now=NOW))
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert not any("head" in h and "pipe" in h for h in headings)
    assert not [t for t in tokens if t.type in ("hr", "blockquote_open", "html_block")]
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    assert "<script>" not in html and "<b>x</b>" not in html
    timeline = markdown.split("| Time | Kind | Event | Actor |", 1)[1].split("\n\n", 1)[0]
    rows = [r for r in timeline.splitlines() if r.startswith("| ")]
    assert rows and all(r.replace("\\|", "").count("|") == 5 for r in rows)
