"""The checklists tick what the app saw happen — declared, severity set, commander
assigned, first update posted — each logged once in the timeline, by the operation's own
transaction, however many war rooms (or CLI writers) do it at once."""

from __future__ import annotations

import threading
from datetime import timedelta

from incident_tui import ops
from incident_tui.domain.checklists import DEFAULT_CHECKLISTS, seen_done
from incident_tui.store import queries
from incident_tui.store.database import open_database
from tests.conftest import FROZEN_AT

NOW = FROZEN_AT


def seen_entries(db, number: int) -> list[str]:
    return [
        e.text
        for e in queries.incident_detail(db, number).timeline
        if e.text.startswith("✓ Checklist, seen")
    ]


def test_each_fact_is_logged_once_as_it_happens(db) -> None:
    number = ops.declare(db, title="Search empty", severity=2, author="mira", now=NOW)
    assert seen_entries(db, number) == ["✓ Checklist, seen: declared, severity set"]
    ops.set_severity(db, key=number, severity=1, author="mira", now=NOW)
    ops.hand_over_role(db, key=number, role="commander", holder="mira", author="mira", now=NOW)
    ops.hand_over_role(db, key=number, role="commander", holder="raj", author="mira", now=NOW)
    for _ in range(2):
        ops.post_update(db, key=number, audience="internal", text="on it", author="ana", now=NOW)
    assert seen_entries(db, number) == [
        "✓ Checklist, seen: declared, severity set",
        "✓ Checklist, seen: commander assigned",
        "✓ Checklist, seen: first update posted",
    ]
    detail = queries.incident_detail(db, number)
    assert set(detail.seen) == {
        "declared",
        "severity set",
        "commander assigned",
        "first update posted",
    }
    assert detail.ticks == []  # hand ticks apart: nothing was ticked by hand
    first = DEFAULT_CHECKLISTS[0]
    assert set(seen_done(first, detail)) == {
        "Declare",
        "Set severity",
        "Assign roles",
        "First update posted",
    }


def test_declared_with_a_commander_logs_the_three_in_one_entry(db) -> None:
    number = ops.declare(
        db, title="Search empty", severity=1, author="mira", now=NOW, commander="mira"
    )
    assert seen_entries(db, number) == [
        "✓ Checklist, seen: declared, severity set, commander assigned"
    ]


def test_two_war_rooms_posting_the_first_update_at_once_log_it_once(db_path, db) -> None:
    number = ops.declare(db, title="Search empty", severity=1, author="mira", now=NOW)
    rooms = [open_database(str(db_path)) for _ in range(2)]
    start = threading.Barrier(len(rooms))
    errors: list[BaseException] = []

    def post(room, who: str) -> None:
        try:
            start.wait()
            for i in range(5):
                ops.post_update(
                    room,
                    key=number,
                    audience="internal",
                    text=f"{who} {i}",
                    author=who,
                    now=NOW + timedelta(seconds=i),
                )
        except BaseException as error:  # noqa: BLE001 — reported below
            errors.append(error)

    threads = [
        threading.Thread(target=post, args=(room, who))
        for room, who in zip(rooms, ("ana", "li"), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(queries.incident_detail(db, number).updates) == 10
    assert seen_entries(db, number).count("✓ Checklist, seen: first update posted") == 1
