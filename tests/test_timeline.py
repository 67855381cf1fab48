"""The live timeline in memory and the incremental reads that feed it."""

from __future__ import annotations

from datetime import timedelta

from incident_tui import ops
from incident_tui.domain.records import Entry
from incident_tui.domain.timeline import Timeline
from incident_tui.store import timeline_reads
from tests.conftest import FROZEN_AT

NOW = FROZEN_AT


def entry(id: int, minutes: int, text: str = "x") -> Entry:
    at = NOW + timedelta(minutes=minutes)
    return Entry(id, at, at, "note", "tom", text)


def test_merge_places_backdated_entries_in_time_order_and_replaces_edits() -> None:
    timeline = Timeline([entry(1, 0), entry(2, 5)])
    placed = timeline.merge([entry(3, 2), entry(4, 10)])
    assert placed == [1, 3]
    assert [e.id for e in timeline.entries] == [1, 3, 2, 4]
    timeline.merge([entry(3, 20, "edited")], removed={1})
    assert [e.id for e in timeline.entries] == [2, 4, 3]
    assert timeline.get(3).text == "edited" and timeline.index_of(3) == 2
    assert timeline.get(1) is None


def test_reads_after_a_cursor_bring_only_new_edited_and_deleted_entries(db) -> None:
    number = ops.declare(db, title="t", severity=2, author="mira", now=NOW - timedelta(hours=1))
    first = ops.log_entry(db, key=number, text="one", author="tom", now=NOW - timedelta(minutes=30))
    second = ops.log_entry(
        db, key=number, text="two", author="tom", now=NOW - timedelta(minutes=20)
    )
    whole = timeline_reads.read_incident(db, number)
    assert [e.text for e in whole.detail.timeline][-2:] == ["one", "two"]

    nothing = timeline_reads.read_incident(db, number, whole.cursor)
    assert nothing.detail.timeline == [] and nothing.removed == set()

    ops.edit_entry(db, key=number, entry_id=first.id, text="one, edited", author="tom", now=NOW)
    ops.delete_entry(db, key=number, entry_id=second.id, author="tom", now=NOW)
    third = ops.log_entry(
        db, key=number, text="three", author="tom", now=NOW, at=NOW - timedelta(minutes=40)
    )
    changes = timeline_reads.read_incident(db, number, whole.cursor)
    assert {(e.id, e.text) for e in changes.detail.timeline} == {
        (first.id, "one, edited"),
        (third.id, "three"),
    }
    assert changes.removed == {second.id}
    assert timeline_reads.read_incident(db, number, changes.cursor).detail.timeline == []


def test_data_version_moves_only_when_someone_commits(db) -> None:
    number = ops.declare(db, title="t", severity=2, author="mira", now=NOW)
    before = db.data_version()
    assert db.data_version() == before
    ops.log_entry(db, key=number, text="one", author="tom", now=NOW)
    assert db.data_version() != before
