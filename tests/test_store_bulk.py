"""store_bulk.RowWriter stores exactly what the ORM stores (its fast datetime text
included), fills the defaults it is not given, and keeps the search index in step."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

from incident_tui import ops
from incident_tui.store import models as m
from incident_tui.store import reports
from incident_tui.store.bulk_rows import RowWriter
from tests.conftest import FROZEN_AT

COLUMNS = ("incident_id", "occurred_at", "recorded_at", "kind", "author", "text", "pinned")


def test_rows_written_in_bulk_are_stored_as_the_orm_stores_them(db) -> None:  # type: ignore[no-untyped-def]
    number = ops.declare(db, title="Bulk", severity=2, author="ana", now=FROZEN_AT)
    at = datetime(2026, 11, 24, 8, 0, 0, 1, tzinfo=UTC)
    rows = [
        (number, at, at, "note", "ana", "zanzibar gateway", False),
        (number, at.astimezone(), at + timedelta(seconds=1), "alert", "bo", "second", True),
    ]

    def work(session):  # type: ignore[no-untyped-def]
        assert RowWriter(session, m.TimelineEntry.__table__, COLUMNS).write(rows) == 2
        for row in rows:
            session.add(m.TimelineEntry(**dict(zip(COLUMNS, row, strict=True))))

    db.write(work)
    with sqlite3.connect(db.path) as raw:
        stored = raw.execute(
            "SELECT occurred_at, recorded_at, kind, author, text, pinned, actor, version, "
            "deleted_at FROM timeline_entry WHERE incident_id = ? AND kind != 'status' "
            "ORDER BY id",
            (number,),
        ).fetchall()
    bulk, orm = stored[:2], stored[2:]
    assert bulk == orm
    assert bulk[0][:2] == ("2026-11-24 08:00:00.000001", "2026-11-24 08:00:00.000001")
    assert bulk[1][6:] == ("", 1, None)  # actor and version: the columns' defaults
    hits = reports.search(db, "zanzibar")
    assert len(hits) == 2  # the bulk row and the ORM row, both in the search index
