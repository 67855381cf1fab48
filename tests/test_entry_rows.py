"""entry_rows builds the very entries a row-at-a-time read built: instants aware (from
SQLite's text or PostgreSQL's naive datetimes), one object for a repeated value, flags as
bools, the rows' order kept across chunks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from incident_tui import ops
from incident_tui.domain.records import Entry
from incident_tui.store import entry_rows, queries
from tests.conftest import FROZEN_AT


def _row(i: int, occurred: object, recorded: object) -> tuple:
    return (i, occurred, recorded, "note", "ana", f"entry {i}", i % 2, 1, "")


def test_rows_become_entries_in_order_across_chunks() -> None:
    at = datetime(2026, 11, 24, 8, 0, 0, 1, tzinfo=UTC)
    text = [f"{at + timedelta(seconds=i):%Y-%m-%d %H:%M:%S.%f}" for i in range(5)]
    later = f"{at + timedelta(hours=1):%Y-%m-%d %H:%M:%S.%f}"
    chunks = [
        [_row(0, text[0], text[0]), _row(1, text[1], later)],
        [],
        [_row(i, text[i], text[i]) for i in range(2, 5)],
    ]
    entries = entry_rows.entries_from_rows(iter(chunks))
    assert [e.id for e in entries] == [0, 1, 2, 3, 4]
    assert all(type(e) is Entry for e in entries)
    assert entries[0].occurred_at == at and entries[0].occurred_at.tzinfo is UTC
    assert entries[0].recorded_at is entries[0].occurred_at
    assert entries[1].recorded_at == at + timedelta(hours=1)
    assert entries[1].recorded_at.tzinfo is UTC and entries[1].reconstructed
    assert [e.pinned for e in entries] == [False, True, False, True, False]
    assert all(type(e.pinned) is bool for e in entries)
    assert len({id(e.author) for e in entries}) == 1


def test_naive_datetimes_from_postgresql_are_made_utc() -> None:
    at = datetime(2026, 11, 24, 8, 0, 0, 1)
    entries = entry_rows.entries_from_rows(
        [[_row(7, at, at), _row(8, at, at + timedelta(minutes=20))]]
    )
    assert [e.occurred_at for e in entries] == [at.replace(tzinfo=UTC)] * 2
    assert entries[1].recorded_at == (at + timedelta(minutes=20)).replace(tzinfo=UTC)


def test_the_timeline_reads_what_the_operations_wrote(db) -> None:  # type: ignore[no-untyped-def]
    number = ops.declare(db, title="Rows", severity=2, author="ana", now=FROZEN_AT)
    ops.log_entry(
        db,
        key=number,
        text="back then",
        author="bo",
        now=FROZEN_AT,
        at=FROZEN_AT - timedelta(hours=2),
    )
    entries = queries.incident_detail(db, number).timeline
    assert entries[0].text == "back then" and entries[0].author == "bo"
    assert entries[0].occurred_at == FROZEN_AT - timedelta(hours=2)
    assert entries[0].recorded_at == FROZEN_AT
    assert entries == sorted(entries, key=lambda e: (e.occurred_at, e.id))
