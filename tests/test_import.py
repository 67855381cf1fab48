"""`incident-tui import`: our own JSON export read back as a new incident, whole or not at
all; the same incident twice is found, not duplicated; a bad file changes nothing."""

from __future__ import annotations

import copy
import json
import sqlite3
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest

from incident_tui import ops
from incident_tui.cli.demo import seed_demo
from incident_tui.domain.errors import IncidentError
from incident_tui.formats import importer
from tests.conftest import FROZEN_AT, CliRunner, copy_template, row_counts, table_dump

NOW = FROZEN_AT
# Microseconds on purpose: the import must give back the very instants that were stored.
SEEDED_AT = NOW.replace(microsecond=123456) - timedelta(minutes=1)
HOSTILE = (
    'a | pipe\nnew line `tick` <b>html</b> [bold]x[/bold] [/] [b "quoted" \\back\\slash '
    "# head - item \u202eevil\u202c שלום 🔥 \u2028sep\x1b[2J\x1b]52;c;aGk=\x07 end"
)


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def one_line_error(result: subprocess.CompletedProcess, *, code: int = 1) -> str:
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("incident-tui: error: ")
    return lines[0]


def without_key(exported: str) -> dict:
    doc = json.loads(exported)
    doc.pop("id")
    return doc


def enrich(db, number: int) -> None:
    """The postmortem written, actions moved on, an entry edited and one deleted, resolved."""
    at = SEEDED_AT
    for name, value in (
        ("root_cause", "indexer v2.14 wrote to the old shard map"),
        ("contributing_factors", "no compatibility test\n\n- second paragraph"),
        ("what_went_well", "rollback was rehearsed"),
        ("what_went_poorly", "detection took 8 min"),
        ("lucky_breaks", "the snapshot existed"),
        ("lessons_learned", "test shard maps"),
        ("users_affected", "~12,500"),
        ("revenue_impact", "EUR 40k"),
        ("authors", "mira, tom"),
        ("status", "in-review"),
        ("sla_breached", False),
        ("summary", "EU search returned nothing for 50 minutes."),
    ):
        ops.save_postmortem_field(db, key=number, field=name, value=value, author="mira", now=at)
    for question, answer in (("Why empty?", "old shard map"), ("Why old?", ""), ("Why?", "x")):
        ops.save_why(db, key=number, question=question, answer=answer, author="mira", now=at)
    item = ops.add_action(
        db,
        key=number,
        description="Rehearse the rollback",
        author="ana",
        now=at,
        owner="raj",
        due_date=date(2026, 12, 24),
        priority="P0",
        type="mitigate",
        ticket="OPS-77",
    )
    ops.update_action(db, action_id=item.id, author="mira", now=at, status="done")
    typo = ops.log_entry(db, key=number, text="rollbak done", author="raj", now=at)
    ops.edit_entry(db, key=number, entry_id=typo.id, text="rollback done", author="raj", now=at)
    gone = ops.log_entry(db, key=number, text="wrong incident", author="tom", now=at)
    ops.delete_entry(db, key=number, entry_id=gone.id, author="tom", now=at)
    ops.post_update(db, key=number, audience="executive", text="Fixed.", author="ana", now=at)
    ops.set_phase(db, key=number, phase="monitoring", author="mira", now=at)
    ops.set_phase(db, key=number, phase="resolved", author="mira", now=at)


def exported_json(db, number: int) -> str:
    """What `export KEY --format json` prints, without starting a process."""
    from incident_tui.formats import export
    from incident_tui.store import postmortem_reads

    return export.render(postmortem_reads.postmortem_draft(db, number, now=NOW), "json")


def rows(path: Path, number: int) -> dict[str, list[tuple]]:
    """An incident's stored facts without ids (or the import's own `updated_at`)."""
    conn = sqlite3.connect(path)
    try:
        query = {
            "incident": "SELECT title, severity, phase, summary, is_drill, declared_at,"
            " declared_by, started_at, detected_at, acknowledged_at, mitigated_at,"
            " resolved_at, closed_at FROM incident WHERE id = ?",
            "timeline_entry": "SELECT occurred_at, recorded_at, kind, author, text, pinned"
            " FROM timeline_entry WHERE incident_id = ? AND deleted_at IS NULL"
            " ORDER BY occurred_at, id",
            "role_holding": "SELECT role, holder, started_at, ended_at, assigned_by"
            " FROM role_holding WHERE incident_id = ? ORDER BY started_at, id",
            "incident_change": "SELECT at, recorded_at, field, old, new, author"
            " FROM incident_change WHERE incident_id = ? ORDER BY at, id",
            "status_update": "SELECT audience, text, author, posted_at, phase"
            " FROM status_update WHERE incident_id = ? ORDER BY posted_at, id",
            "action_item": "SELECT description, owner, due_date, priority, type, status,"
            " ticket, created_at, created_by FROM action_item WHERE incident_id = ? ORDER BY id",
            "postmortem": "SELECT status, summary, root_cause, contributing_factors,"
            " what_went_well, what_went_poorly, lucky_breaks, lessons_learned,"
            " users_affected, revenue_impact, sla_breached, authors"
            " FROM postmortem WHERE incident_id = ?",
            "five_why": "SELECT position, question, answer FROM five_why"
            " WHERE incident_id = ? ORDER BY position",
        }
        return {name: conn.execute(sql, (number,)).fetchall() for name, sql in query.items()}
    finally:
        conn.close()


@pytest.fixture
def other_db(tmp_path: Path, migrated_template: Path) -> Path:
    """A second database at the schema head (a copy of the session's template: no process
    pays for migrating it)."""
    return copy_template(migrated_template, tmp_path / "elsewhere.db")


def test_the_demo_incidents_round_trip_exactly(
    db, db_path: Path, other_db: Path, cli: CliRunner, tmp_path: Path
) -> None:
    sev1 = seed_demo(db, now=SEEDED_AT)
    enrich(db, sev1)
    ok(cli("declare", "Already there", "--severity", "4", db=other_db))  # keys differ
    for number in (1, 2, sev1):  # yesterday's resolved SEV2, the open SEV3, the rich SEV1
        exported = ok(cli("export", f"INC-{number}", "--format", "json"))
        (tmp_path / f"inc{number}.json").write_text(exported)
        key = ok(cli("import", str(tmp_path / f"inc{number}.json"), db=other_db)).strip()
        again = ok(cli("export", key, "--format", "json", db=other_db))
        assert without_key(again) == without_key(exported)
        assert json.loads(again)["id"] == key
        # Markdown and `show --json` agree too, bar the key and the ids.
        md = ok(cli("export", f"INC-{number}"))
        assert ok(cli("export", key, db=other_db)) == md.replace(f"INC-{number}", key)
        shown, back = (
            json.loads(ok(cli("show", k, "--json", db=d)))
            for k, d in ((f"INC-{number}", db_path), (key, other_db))
        )
        for doc in (shown, back):
            doc.pop("key")
            for entry in doc["timeline"] + doc["action_items"]:
                entry.pop("id")
        assert back == shown
        # And underneath: every stored instant to the microsecond, every row in order.
        assert rows(other_db, int(key.removeprefix("INC-"))) == rows(db_path, number)
    source = rows(db_path, sev1)
    assert len(source["timeline_entry"]) > 30 and len(source["role_holding"]) >= 5
    assert ("rollback done",) in [(r[4],) for r in source["timeline_entry"]]
    assert "wrong incident" not in {r[4] for r in rows(other_db, 4)["timeline_entry"]}
    assert source["postmortem"][0][0] == "in-review" and len(source["five_why"]) == 3


def test_hostile_text_round_trips_as_data(
    db, db_path: Path, other_db: Path, cli: CliRunner, tmp_path: Path
) -> None:
    number = ops.declare(
        db,
        title=HOSTILE,
        severity=2,
        author="x|y [b]",
        now=SEEDED_AT,
        commander="<b>mira</b>",
        summary=HOSTILE,
    )
    ops.log_entry(db, key=number, text=HOSTILE, author='"}{', now=SEEDED_AT, pinned=True)
    ops.post_update(db, key=number, audience="external", text=HOSTILE, author="ana", now=SEEDED_AT)
    ops.add_action(db, key=number, description=HOSTILE, author="[/]", now=SEEDED_AT)
    ops.save_why(db, key=number, question=HOSTILE, answer=HOSTILE, author="m", now=SEEDED_AT)
    ops.save_postmortem_field(
        db, key=number, field="root_cause", value=HOSTILE, author="m", now=SEEDED_AT
    )
    exported = ok(cli("export", "INC-1", "--format", "json"))
    assert "\x1b" not in exported and "\u202e" not in exported
    (tmp_path / "hostile.json").write_text(exported)
    assert ok(cli("import", str(tmp_path / "hostile.json"), db=other_db)) == "INC-1\n"
    assert without_key(ok(cli("export", "INC-1", "-f", "json", db=other_db))) == without_key(
        exported
    )
    assert rows(other_db, 1) == rows(db_path, 1)
    stored = rows(other_db, 1)["timeline_entry"][-2][4]  # the comm entry ([-1]: seen)
    assert "[bold]x[/bold] [/]" in stored and "שלום 🔥" in stored


def test_control_characters_in_a_hand_edited_file_are_stripped(
    db, cli: CliRunner, other_db: Path, tmp_path: Path
) -> None:
    ops.declare(db, title="Plain", severity=3, author="mira", now=SEEDED_AT)
    ops.log_entry(db, key=1, text="a note to edit", author="mira", now=SEEDED_AT)
    doc = json.loads(ok(cli("export", "INC-1", "-f", "json")))
    doc["record"]["title"] = "Plain\x1b[2J title\x07"
    doc["record"]["entries"][0]["text"] = "clear \x1b[2J\x1b]52;c;aGk=\x07 screen \u202e"
    (tmp_path / "edited.json").write_text(json.dumps(doc))
    assert ok(cli("import", str(tmp_path / "edited.json"), db=other_db)) == "INC-1\n"
    incident = rows(other_db, 1)
    assert incident["incident"][0][0] == "Plain title"
    assert incident["timeline_entry"][0][4] == "clear  screen"
    # An imported incident is an ordinary one: its entries edit, it takes new ones.
    from incident_tui.store.database import open_database

    timeline = json.loads(ok(cli("show", "INC-1", "--json", db=other_db)))["timeline"]
    # (the first entry the people wrote: the system's records of changes keep their words)
    first = next(e for e in timeline if e["kind"] not in ("status", "role", "comm"))
    imported_db = open_database(other_db)
    try:
        edited = ops.edit_entry(
            imported_db, key=1, entry_id=first["id"], text="cleared", author="ana", now=NOW
        )
    finally:
        imported_db.dispose()
    assert edited.version == 2
    ok(cli("log", "INC-1", "after the import", db=other_db))


def test_importing_the_same_incident_twice_finds_it(
    db, db_path: Path, other_db: Path, cli: CliRunner, tmp_path: Path
) -> None:
    seed_demo(db, now=SEEDED_AT)
    exported = tmp_path / "inc3.json"
    exported.write_text(ok(cli("export", "INC-3", "-f", "json")))
    ok(cli("declare", "Unrelated", "--severity", "4", db=other_db))
    first = cli("import", str(exported), db=other_db)
    assert (first.stdout, first.stderr) == ("INC-2\n", "")
    before = table_dump(other_db)
    second = cli("import", str(exported), db=other_db)
    assert second.returncode == 0 and second.stdout == "INC-2\n"
    assert second.stderr == (
        "incident-tui: the incident exported as INC-3 is already here as INC-2 "
        "(same title, declared_at and declared_by); nothing imported\n"
    )
    assert table_dump(other_db) == before
    # Back into the database it came from: it is the original.
    home = cli("import", str(exported))
    assert home.returncode == 0 and home.stdout == "INC-3\n" and "already here" in home.stderr
    # Any of the three differing makes it another incident.
    doc = json.loads(exported.read_text())
    doc["record"]["declaredBy"] = "someone-else"
    (tmp_path / "other.json").write_text(json.dumps(doc))
    assert ok(cli("import", str(tmp_path / "other.json"), db=other_db)) == "INC-3\n"
    doc["record"]["declaredAt"] = "2026-11-24T08:17:00.123457Z"  # one microsecond later
    (tmp_path / "other.json").write_text(json.dumps(doc))
    assert ok(cli("import", str(tmp_path / "other.json"), db=other_db)) == "INC-4\n"


def test_standard_input(db, cli: CliRunner, other_db: Path) -> None:
    ops.declare(db, title="From a pipe", severity=3, author="mira", now=SEEDED_AT)
    exported = ok(cli("export", "INC-1", "-f", "json"))
    assert ok(cli("import", "-", input=exported, db=other_db)) == "INC-1\n"
    assert "From a pipe" in ok(cli("show", "INC-1", db=other_db))
    bad = one_line_error(cli("import", "-", input="{", db=other_db))
    assert "standard input is not JSON" in bad


def _mutations():
    """(name, change to the exported document, what the one-line error must say)."""

    def drop(*path):
        def change(doc):
            target = doc
            for part in path[:-1]:
                target = target[part]
            del target[path[-1]]

        return change

    def put(value, *path):
        def change(doc):
            target = doc
            for part in path[:-1]:
                target = target[part]
            target[path[-1]] = value

        return change

    return [
        ("no-format", drop("format"), '"format" is missing'),
        ("other-format", put("pagerduty", "format"), '"format" is "pagerduty"'),
        ("no-version", drop("formatVersion"), '"formatVersion" is missing'),
        ("text-version", put("1", "formatVersion"), '"formatVersion" must be a whole number'),
        ("newer", put(3, "formatVersion"), "exported by a newer incident-tui (format version 3"),
        ("no-record", drop("record"), '"record" is missing'),
        ("no-title", drop("record", "title"), "record.title is missing"),
        ("empty-title", put("  ", "record", "title"), "record.title is wrong: it is empty"),
        ("severity", put(5, "record", "severity"), "record.severity must be 1, 2, 3 or 4"),
        ("phase", put("fixed", "record", "phase"), "record.phase must be one of triage"),
        (
            "naive-time",
            put("2026-11-24T08:00:00", "record", "declaredAt"),
            "record.declaredAt must be an ISO 8601 instant with a time zone",
        ),
        (
            "started",
            put(None, "record", "milestones", "started"),
            "record.milestones.started is missing",
        ),
        (
            "entry-kind",
            put("gossip", "record", "entries", 1, "kind"),
            "record.entries[1].kind must be one of note",
        ),
        (
            "entry-author",
            put("", "record", "entries", 0, "author"),
            "record.entries[0].author is wrong: it is empty",
        ),
        (
            "entries-list",
            put({}, "record", "entries"),
            "record.entries must be a list, not {}",
        ),
        (
            "severity-change",
            put("bad", "record", "changes", 0, "old"),
            'record.changes[0].old must be "1" to "4" for a severity',
        ),
        (
            "huge",
            put("x" * 100_001, "record", "updates", 0, "text"),
            "record.updates[0].text is wrong: it is 100,001 characters long",
        ),
        ("pinned", put("yes", "record", "entries", 0, "pinned"), "must be true or false"),
        ("due", put("soon", "record", "actionItems", 0, "dueDate"), "must be a date"),
        ("role", put("Tech Lead!", "record", "roles", 0, "role"), "record.roles[0].role"),
        ("pm-status", put("done", "record", "postmortem", "status"), "postmortem.status"),
        ("why", put(None, "record", "fiveWhys", 0, "question"), "fiveWhys[0].question"),
    ]


@pytest.mark.parametrize(
    ("change", "message"), [m[1:] for m in _mutations()], ids=[m[0] for m in _mutations()]
)
def test_a_bad_file_is_one_line_and_changes_nothing(
    db, db_path: Path, cli: CliRunner, tmp_path: Path, change, message: str
) -> None:
    number = ops.declare(db, title="Source", severity=2, author="mira", now=SEEDED_AT)
    ops.log_entry(db, key=number, text="first", author="tom", now=SEEDED_AT)
    ops.set_severity(db, key=number, severity=1, author="mira", now=SEEDED_AT)
    ops.post_update(db, key=number, audience="internal", text="u", author="ana", now=SEEDED_AT)
    ops.add_action(db, key=number, description="a", author="ana", now=SEEDED_AT)
    ops.hand_over_role(db, key=number, role="tech_lead", holder="raj", author="m", now=SEEDED_AT)
    ops.save_why(db, key=number, question="Why?", answer="", author="m", now=SEEDED_AT)
    doc = json.loads(exported_json(db, number))
    # An unrelated change to the title, so the file is not simply "already here".
    doc["record"]["title"] = "Copy"
    change(doc)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    before = table_dump(db_path)
    error = one_line_error(cli("import", str(path)))
    assert message in error, error
    assert table_dump(db_path) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"not json at all", "is not JSON (Expecting value at line 1, column 1)"),
        (b'{"title": "x",', "is not JSON"),
        (b"[1, 2]", "is not an incident-tui export (not a JSON object)"),
        (b"\xff\xfe{}", "is not UTF-8 text"),
        (b'{"id": "INC-1", "timeline": [], "milestones": {}}', "an older incident-tui"),
    ],
    ids=["missing", "text", "truncated", "array", "binary", "old-export"],
)
def test_files_that_are_not_exports(
    db, db_path: Path, cli: CliRunner, tmp_path: Path, content: bytes | None, message: str
) -> None:
    ops.declare(db, title="Already here", severity=2, author="mira", now=SEEDED_AT)
    path = tmp_path / "in.json"
    if content is not None:
        path.write_bytes(content)
    before = row_counts(db_path)
    error = one_line_error(cli("import", str(path)))
    assert message in error and str(path) in error
    assert row_counts(db_path) == before
    # A database that did not exist yet is not even created.
    fresh = tmp_path / "fresh.db"
    one_line_error(cli("import", str(path), db=fresh))
    assert not fresh.exists()


def test_a_failure_while_writing_leaves_nothing_half_imported(
    db, db_path: Path, tmp_path: Path
) -> None:
    seed_demo(db, now=SEEDED_AT)
    source = tmp_path / "three.json"
    source.write_text(exported_json(db, 3))
    with importer.streamed(str(source), now=NOW) as imported:
        imported.incident["title"] = "Another copy"
        # Two whys at one position: the database refuses the last insert of the transaction.
        imported.whys = [
            {"position": 1, "question": "Why?", "answer": ""},
            {"position": 1, "question": "Why again?", "answer": ""},
        ]
        before = table_dump(db_path)
        with pytest.raises(Exception, match="UNIQUE"):
            importer.import_incident(db, copy.deepcopy(imported), now=NOW)
    assert table_dump(db_path) == before


def test_the_export_says_its_format(db, tmp_path: Path) -> None:
    from incident_tui.formats import export
    from incident_tui.store import postmortem_reads

    ops.declare(db, title="Versioned", severity=3, author="mira", now=SEEDED_AT)
    doc = export.to_json(postmortem_reads.postmortem_draft(db, 1, now=NOW))
    assert (doc["format"], doc["formatVersion"]) == ("incident-tui", 2)
    assert doc["record"]["declaredAt"] == "2026-11-24T09:01:00.123456Z"
    newer = tmp_path / "f.json"
    newer.write_text(json.dumps({**doc, "formatVersion": 99}))
    with pytest.raises(IncidentError, match="newer incident-tui"):
        with importer.streamed(str(newer), now=NOW):
            pass
