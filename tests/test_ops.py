"""The operations against a real SQLite file per test, with a frozen clock."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

import pytest

from incident_tui import ops
from incident_tui.domain.errors import ConflictError, IncidentError, NotFound
from incident_tui.store import queries
from tests.conftest import FROZEN_AT, row_counts, table_dump

NOW = FROZEN_AT


def declare(db, **kw) -> int:
    args = dict(
        title="Search results empty for EU users",
        severity=2,
        author="mira",
        now=NOW,
        commander="mira",
        started_at=NOW - timedelta(minutes=7),
    )
    args.update(kw)
    return ops.declare(db, **args)


def test_declare_allocates_numbers_and_writes_the_opening_entries(db) -> None:
    first, second = declare(db), declare(db, title="Second")
    assert (first, second) == (1, 2)
    detail = queries.incident_detail(db, "INC-1")
    assert detail.phase == "triage" and detail.severity == 2
    assert detail.milestones["started_at"] == NOW - timedelta(minutes=7)
    assert detail.milestones["detected_at"] == NOW
    assert detail.roles == {"commander": "mira"}
    kinds = [(e.kind, e.text) for e in detail.timeline]
    assert kinds[0][0] == "status" and "Declared SEV2" in kinds[0][1]
    assert ("role", "mira is commander") in kinds


def test_scribe_backdates_an_entry_and_the_timeline_stays_in_order(db) -> None:
    declare(db)
    ops.log_entry(db, key="INC-1", text="checked deploys", author="tom", now=NOW)
    ops.log_entry(
        db,
        key="INC-1",
        text="EU error rate rises",
        author="tom",
        now=NOW,
        at=NOW - timedelta(minutes=7),
        kind="alert",
    )
    timeline = queries.incident_detail(db, 1).timeline
    texts = [e.text for e in timeline]
    assert texts.index("EU error rate rises") < texts.index("checked deploys")
    backdated = next(e for e in timeline if e.text == "EU error rate rises")
    assert backdated.recorded_at == NOW and backdated.occurred_at == NOW - timedelta(minutes=7)


def test_entry_edit_and_delete_keep_history(db, db_path) -> None:
    declare(db)
    entry = ops.log_entry(db, key=1, text="indexer v2.41", author="tom", now=NOW)
    edited = ops.edit_entry(
        db,
        key=1,
        entry_id=entry.id,
        text="indexer v2.14",
        author="tom",
        now=NOW,
        expected_version=entry.version,
    )
    assert edited.text == "indexer v2.14" and edited.version == entry.version + 1
    with pytest.raises(ConflictError):
        ops.edit_entry(
            db,
            key=1,
            entry_id=entry.id,
            text="again",
            author="ana",
            now=NOW,
            expected_version=entry.version,
        )
    ops.delete_entry(db, key=1, entry_id=entry.id, author="tom", now=NOW)
    assert entry.id not in [e.id for e in queries.incident_detail(db, 1).timeline]
    conn = sqlite3.connect(db_path)
    revisions = conn.execute(
        "SELECT change, text FROM entry_revision WHERE entry_id=? ORDER BY id", (entry.id,)
    ).fetchall()
    still_there = conn.execute(
        "SELECT deleted_by FROM timeline_entry WHERE id=?", (entry.id,)
    ).fetchone()
    assert revisions == [("edit", "indexer v2.41"), ("delete", "indexer v2.14")]
    assert still_there == ("tom",)


def test_pin_without_an_id_pins_the_newest_entry(db) -> None:
    declare(db)
    ops.log_entry(db, key=1, text="old", author="tom", now=NOW - timedelta(minutes=1))
    newest = ops.log_entry(db, key=1, text="rollback started", author="tom", now=NOW)
    pinned = ops.pin_entry(db, key=1, author="tom", now=NOW)
    assert pinned.id == newest.id and pinned.pinned


def test_phase_changes_set_milestones_and_moving_back_clears_mitigation(db) -> None:
    declare(db)
    ops.set_phase(db, key=1, phase="investigating", author="mira", now=NOW + timedelta(minutes=3))
    ops.set_phase(db, key=1, phase="monitoring", author="mira", now=NOW + timedelta(minutes=56))
    detail = queries.incident_detail(db, 1)
    assert detail.milestones["acknowledged_at"] == NOW + timedelta(minutes=3)
    assert detail.milestones["mitigated_at"] == NOW + timedelta(minutes=56)
    text = ops.set_phase(
        db, key=1, phase="investigating", author="mira", now=NOW + timedelta(minutes=70)
    )
    assert "back" in text and "mitigated" in text
    detail = queries.incident_detail(db, 1)
    assert detail.milestones["mitigated_at"] is None
    assert detail.milestones["acknowledged_at"] == NOW + timedelta(minutes=3)
    ops.set_phase(db, key=1, phase="res", author="mira", now=NOW + timedelta(minutes=90))
    detail = queries.incident_detail(db, 1)
    assert detail.phase == "resolved"
    assert detail.milestones["resolved_at"] == NOW + timedelta(minutes=90)
    assert detail.milestones["mitigated_at"] == NOW + timedelta(minutes=90)
    statuses = [e.text for e in detail.timeline if e.kind == "status"]
    assert statuses[-1] == "Phase investigating → resolved"


def test_severity_change_is_recorded_and_moves_cadences(db) -> None:
    declare(db)
    ops.set_severity(db, key=1, severity="SEV1", author="mira", now=NOW + timedelta(minutes=18))
    detail = queries.incident_detail(db, 1)
    from incident_tui.domain.policy import deadlines

    due = {d.name: d.due_at for d in deadlines(detail.facts)}
    assert due["update:internal"] == NOW + timedelta(minutes=30)
    assert due["update:external"] == NOW + timedelta(minutes=48)
    assert any(e.text == "Severity SEV2 → SEV1" for e in detail.timeline)
    with pytest.raises(IncidentError, match="already SEV1"):
        ops.set_severity(db, key=1, severity=1, author="mira", now=NOW)


def test_handover_ends_the_old_holding_and_keeps_both(db) -> None:
    declare(db)
    text = ops.hand_over_role(
        db, key=1, role="commander", holder="raj", author="mira", now=NOW + timedelta(hours=1)
    )
    assert text == "raj is commander, taking over from mira"
    detail = queries.incident_detail(db, 1)
    assert detail.roles["commander"] == "raj"
    mira, raj = [h for h in detail.holdings if h.role == "commander"]
    assert mira.ended_at == NOW + timedelta(hours=1) and raj.ended_at is None
    ops.hand_over_role(db, key=1, role="sme:database", holder="lee", author="mira", now=NOW)
    assert queries.incident_detail(db, 1).roles["sme:database"] == "lee"
    ops.hand_over_role(db, key=1, role="sme:database", holder=None, author="mira", now=NOW)
    assert "sme:database" not in queries.incident_detail(db, 1).roles


def test_status_update_writes_a_comm_entry_and_restarts_its_countdown(db) -> None:
    declare(db)
    later = NOW + timedelta(minutes=37)
    ops.post_update(
        db, key=1, audience="internal", text="Investigating EU search", author="ana", now=later
    )
    detail = queries.incident_detail(db, 1)
    assert detail.updates[-1].phase == "triage"
    # The comm entry, then the checklist's seen entry: first update posted.
    assert [e.kind for e in detail.timeline][-2:] == ["comm", "status"]
    from incident_tui.domain.policy import deadlines

    due = {d.name: d.due_at for d in deadlines(detail.facts)}
    assert due["update:internal"] == later + timedelta(minutes=30)


def test_action_items_are_added_and_updated(db) -> None:
    declare(db)
    item = ops.add_action(
        db,
        key=1,
        description="Add shard-map compatibility test",
        owner="tom",
        due_date=date(2026, 12, 1),
        priority="p1",
        type="prevent",
        author="mira",
        now=NOW,
    )
    assert (item.priority, item.type, item.status) == ("P1", "prevent", "open")
    done = ops.update_action(
        db, action_id=item.id, status="in progress", owner=None, author="tom", now=NOW
    )
    assert done.status == "in-progress" and done.owner is None
    with pytest.raises(NotFound):
        ops.update_action(db, action_id=99, status="done", author="tom", now=NOW)


def test_timer_appears_among_deadlines(db) -> None:
    declare(db)
    ops.start_timer(
        db, key=1, duration=timedelta(minutes=10), label="check shard map", author="tom", now=NOW
    )
    from incident_tui.domain.policy import deadlines

    due = {d.name: d.due_at for d in deadlines(queries.incident_detail(db, 1).facts)}
    assert due["timer:check shard map"] == NOW + timedelta(minutes=10)


def test_snooze_pushes_a_countdown_back_and_is_logged(db) -> None:
    declare(db)
    overdue_at = NOW + timedelta(minutes=30)
    text = ops.snooze_deadline(
        db,
        key=1,
        deadline="update:internal",
        due_at=overdue_at,
        minutes=5,
        author="ana",
        now=overdue_at + timedelta(seconds=30),
    )
    assert "Snoozed update:internal 5 min" in text
    from incident_tui.domain.policy import deadlines

    detail = queries.incident_detail(db, 1)
    due = {d.name: d.due_at for d in deadlines(detail.facts)}
    assert due["update:internal"] == overdue_at + timedelta(minutes=5, seconds=30)
    assert detail.timeline[-1].text == text


@pytest.mark.parametrize(
    "call",
    [
        lambda db: ops.log_entry(db, key="INC-99", text="x", author="t", now=NOW),
        lambda db: ops.log_entry(db, key=1, text="   \n\t ", author="t", now=NOW),
        lambda db: ops.log_entry(db, key=1, text="x", kind="status", author="t", now=NOW),
        lambda db: ops.log_entry(db, key=1, text="x" * 100_001, author="t", now=NOW),
        lambda db: ops.log_entry(
            db, key=1, text="x", author="t", now=NOW, at=NOW + timedelta(hours=1)
        ),
        lambda db: ops.set_severity(db, key=1, severity=7, author="t", now=NOW),
        lambda db: ops.set_phase(db, key=1, phase="fixed", author="t", now=NOW),
        lambda db: ops.set_phase(db, key=1, phase="triage", author="t", now=NOW),
        lambda db: ops.hand_over_role(
            db, key=1, role="commander", holder="mira", author="t", now=NOW
        ),
        lambda db: ops.hand_over_role(db, key=1, role="bad role!", holder="x", author="t", now=NOW),
        lambda db: ops.post_update(db, key=1, audience="twitter", text="x", author="t", now=NOW),
        lambda db: ops.add_action(db, key=1, description="x", priority="P9", author="t", now=NOW),
        lambda db: ops.snooze_deadline(
            db, key=1, deadline="update:internal", due_at=NOW, minutes=7, author="t", now=NOW
        ),
    ],
    ids=[
        "unknown-key",
        "blank-text",
        "system-kind",
        "huge-text",
        "future",
        "sev7",
        "bad-phase",
        "same-phase",
        "same-holder",
        "bad-role",
        "bad-audience",
        "bad-priority",
        "bad-snooze",
    ],
)
def test_bad_input_changes_nothing(db, db_path, call) -> None:
    declare(db)
    before = table_dump(db_path)
    with pytest.raises(IncidentError) as error:
        call(db)
    assert "\n" not in str(error.value)
    assert table_dump(db_path) == before


def test_hostile_text_is_stored_without_control_sequences(db) -> None:
    declare(db)
    hostile = (
        "[/] [bold]x[/bold] \x1b[31mred\x1b[0m \x1b[2J \x1b]52;c;aGVsbG8=\x07 "
        "nul\x00 bell\x07 \u200f\u05e9\u05dc\u05d5\u05dd \u4e2d\u6587 🔥\r\nline two"
    )
    entry = ops.log_entry(db, key=1, text=hostile, author="tom", now=NOW)
    assert entry.text == (
        "[/] [bold]x[/bold] red   nul bell \u200f\u05e9\u05dc\u05d5\u05dd \u4e2d\u6587 🔥\nline two"
    )
    assert not any(ch in entry.text for ch in "\x1b\x07\x00\x9b")


def test_a_failed_write_leaves_no_trace(db, db_path) -> None:
    declare(db)
    counts = row_counts(db_path)

    def explode(session):
        from incident_tui.store import models as m

        session.add(
            m.TimelineEntry(
                incident_id=1, occurred_at=NOW, recorded_at=NOW, author="x", text="half-written"
            )
        )
        session.flush()
        raise IncidentError("boom")

    with pytest.raises(IncidentError):
        db.write(explode)
    assert row_counts(db_path) == counts
