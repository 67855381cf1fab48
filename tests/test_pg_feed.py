"""The PostgreSQL change feed (migration 0008): a channel per schema, one notification
per statement, a wake-up at once and bursts folded, and a reader that finds every late
commit however many rows were in flight (no fixed look-back)."""

from __future__ import annotations

import threading
import time
import uuid

import pytest

from incident_tui import ops
from tests.conftest import FROZEN_AT, PG_SERVER

NOW = FROZEN_AT
ADMIN = "host=127.0.0.1 user=postgres dbname=test"


def _schema_of(url: str) -> str:
    return url.rsplit("%3D", 1)[1]


def _conn(url: str):  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(f"{ADMIN} options=-csearch_path={_schema_of(url)}", autocommit=True)


def _channel(url: str) -> str:
    from incident_tui.store.change_feed import channel_sql

    with _conn(url) as conn:
        row = conn.execute(channel_sql()).fetchone()
    assert row is not None
    return row[0]


@pytest.fixture
def other_team(pg_url):  # type: ignore[no-untyped-def]
    """A second schema in the same database, migrated: another team's incidents."""
    import psycopg

    from incident_tui.store.database import open_database

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    db = open_database(f"{PG_SERVER}?options=-csearch_path%3D{schema}")
    yield db
    db.dispose()
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


class Wakes:
    """A feed's wake-ups, counted; `handled` as the app would acknowledge them."""

    def __init__(self, url: str, *, acknowledge: bool = True) -> None:
        from incident_tui.store.change_feed import ChangeFeed

        self.count = 0
        self.acknowledge = acknowledge
        self.changed = threading.Event()
        self.feed = ChangeFeed(url, on_change=self._on_change)

    def _on_change(self) -> None:
        self.count += 1
        self.changed.set()
        if self.acknowledge:
            self.feed.handled()

    def __enter__(self) -> Wakes:
        self.feed.start()
        deadline = time.monotonic() + 10
        while self.count == 0 and time.monotonic() < deadline:  # the catch-up wake-up
            time.sleep(0.01)
        assert self.count == 1 and self.feed.listening
        self.changed.clear()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.feed.stop()


def test_each_schema_has_a_channel_of_its_own(pg, other_team) -> None:
    assert _channel(pg.url) == f"incident_tui.{_schema_of(pg.url)}"
    assert _channel(pg.url) != _channel(other_team.url)
    theirs = ops.declare(other_team, title="Their outage", severity=2, author="li", now=NOW)
    with Wakes(pg.url) as ours:
        ops.log_entry(other_team, key=theirs, text="not ours", author="li", now=NOW)
        assert not ours.changed.wait(1.0), "another schema's commit woke our feed"
        ops.declare(pg, title="Our outage", severity=1, author="ana", now=NOW)
        assert ours.changed.wait(5.0), "our own schema's commit did not wake the feed"


def test_a_long_schema_name_gets_a_channel_within_postgresql_limits(pg) -> None:
    import psycopg

    from incident_tui.store.database import open_database

    schema = "t_" + "long" * 16  # 66 bytes: "incident_tui." + it is past 63
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        db = open_database(f"{PG_SERVER}?options=-csearch_path%3D{schema}")
        try:
            assert len(_channel(db.url)) <= 63
            with Wakes(db.url) as wakes:
                ops.declare(db, title="Long", severity=3, author="ana", now=NOW)
                assert wakes.changed.wait(5.0)
        finally:
            db.dispose()
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def test_a_bulk_insert_notifies_once_not_once_a_row(pg) -> None:
    number = ops.declare(pg, title="Bulk", severity=2, author="ana", now=NOW)
    with _conn(pg.url) as conn:
        triggers = conn.execute(
            "SELECT DISTINCT action_orientation FROM information_schema.triggers"
            " WHERE trigger_schema = current_schema() AND trigger_name LIKE '%_notify'"
        ).fetchall()
        assert triggers == [("STATEMENT",)]
    with _conn(pg.url) as listener, _conn(pg.url) as writer:
        from psycopg import sql

        listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(_channel(pg.url))))
        with writer.transaction():
            writer.execute(
                "INSERT INTO timeline_entry (incident_id, occurred_at, recorded_at, kind,"
                " author, text, pinned, version)"
                " SELECT %s, now(), now(), 'note', 'bulk', 'row ' || n, false, 1"
                " FROM generate_series(1, 2000) AS n",
                (number,),
            )
            writer.execute("UPDATE incident SET updated_at = now() WHERE id = %s", (number,))
        heard = [n.payload for n in listener.notifies(timeout=1.0)]
    assert sorted(heard) == ["incident", "timeline_entry"]  # one per table, not per row


def test_the_feed_wakes_at_once_and_folds_a_burst_into_one_more_wake(pg) -> None:
    number = ops.declare(pg, title="Burst", severity=1, author="ana", now=NOW)
    with Wakes(pg.url, acknowledge=False) as wakes:
        wakes.feed.handled()
        started = time.monotonic()
        ops.log_entry(pg, key=number, text="first", author="ana", now=NOW)
        assert wakes.changed.wait(5.0)
        assert wakes.count == 2
        took = time.monotonic() - started
        wakes.changed.clear()
        for i in range(20):  # while the app is still busy with the first wake-up
            ops.log_entry(pg, key=number, text=f"burst {i}", author="ana", now=NOW)
        time.sleep(0.3)
        assert wakes.count == 2, "a wake-up came before the app had handled the last one"
        wakes.feed.handled()
        assert wakes.changed.wait(5.0)
        time.sleep(0.3)
        assert wakes.count == 3, "the burst was not folded into one wake-up"
    print(f"commit to wake-up: {took * 1000:.1f} ms")


def test_a_reader_finds_a_late_commit_below_thousands_of_newer_rows(pg) -> None:
    """A transaction that inserted early (a low id) and commits after more than a
    thousand rows were inserted and read since: the old 1,000-id look-back missed it."""
    from incident_tui.store.incremental_reads import read_marks
    from incident_tui.store.timeline_reads import read_incident, read_timeline_changes

    number = ops.declare(pg, title="Late", severity=1, author="ana", now=NOW)
    cursor = read_incident(pg, number).cursor
    insert = (
        "INSERT INTO timeline_entry (incident_id, occurred_at, recorded_at, kind, author,"
        " text, pinned, version) SELECT %s, now(), now(), 'note', 'w', %s || n, false, 1"
        " FROM generate_series(1, %s) AS n"
    )
    with _conn(pg.url) as slow, _conn(pg.url) as fast:
        slow.execute("BEGIN")
        slow.execute(insert, (number, "late ", 1))  # its id is handed out now
        fast.execute(insert, (number, "fast ", 1500))
        changes = read_timeline_changes(pg, number, cursor)
        # Rows since the oldest open transaction's start are looked at again (another
        # test's, in another schema, counts too: txids are the server's): the new ones
        # are all there, once each.
        new = [e for e in changes.entries if e.id > cursor.entry_id]
        assert len(new) == 1500 and len({e.id for e in new}) == 1500
        cursor = changes.cursor
        marks = read_marks(pg, number, cursor)
        assert marks is not None and marks.entries == cursor.known  # nothing new yet
        fast.execute(insert, (number, "fast again ", 1200))
        changes = read_timeline_changes(pg, number, cursor)
        # While the slow transaction is open, rows since it began are looked at again
        # (the reader keeps those it holds); the new ones are all there.
        assert len([e for e in changes.entries if e.id > cursor.entry_id]) == 1200
        cursor = changes.cursor
        slow.execute("COMMIT")
    marks = read_marks(pg, number, cursor)
    assert marks is not None and marks.entries != cursor.known  # the late row is seen
    changes = read_timeline_changes(pg, number, cursor)
    assert "late 1" in [e.text for e in changes.entries]
    cursor = changes.cursor
    again = read_marks(pg, number, cursor)
    assert again is not None and again.entries == cursor.known
    assert read_timeline_changes(pg, number, cursor).entries == []
