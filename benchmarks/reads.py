"""In-process reads of a big incident beside their floors, interleaved in one run:

- `timeline_reads.read_incident` against reading the same rows with sqlite3 alone
  (`SELECT` every column of the incident's live entries in the app's order, `fetchall`);
- the postmortem draft read and rendered (`postmortem_reads.postmortem_draft` +
  `export.render`), Markdown and JSON, against the same rows read with sqlite3 and
  written with `json.dumps` (a list of one dict per entry).
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import interleaved  # noqa: E402

ENTRY_SQL = (
    "SELECT id, incident_id, occurred_at, recorded_at, kind, author, text, pinned, "
    "deleted_at, deleted_by, version FROM timeline_entry "
    "WHERE incident_id = ? AND deleted_at IS NULL ORDER BY occurred_at, id"
)


def _sqlite_rows(connection: sqlite3.Connection, number: int) -> list[tuple]:
    return connection.execute(ENTRY_SQL, (number,)).fetchall()


def _json_floor(connection: sqlite3.Connection, number: int) -> str:
    cursor = connection.execute(ENTRY_SQL, (number,))
    names = [column[0] for column in cursor.description]
    return json.dumps([dict(zip(names, row, strict=True)) for row in cursor.fetchall()])


def _medians(samples: dict[str, list[float]]) -> dict[str, dict]:
    return {
        name: {"median_s": statistics.median(values), "samples_s": values}
        for name, values in samples.items()
    }


def bench_read(db_path: Path, repeats: int = 5, number: int = 1) -> dict:
    """read_incident and its sqlite3 floor, taking turns; medians in seconds."""
    from incident_tui.store import timeline_reads
    from incident_tui.store.database import open_database

    db = open_database(db_path)
    connection = sqlite3.connect(db_path)
    try:
        calls: dict[str, Callable[[], object]] = {
            "read_incident": lambda: timeline_reads.read_incident(db, number),
            "sqlite3_floor": lambda: _sqlite_rows(connection, number),
        }
        figures = _medians(interleaved(calls, repeats, warmup=1))
    finally:
        connection.close()
        db.dispose()
    app = figures["read_incident"]
    # The shape app.py has always reported, plus the floor beside it.
    return {**app, "floor": figures["sqlite3_floor"]}


def bench_export(db_path: Path, repeats: int = 5, number: int = 1) -> dict:
    """The whole postmortem draft read and rendered in each format, beside the floor."""
    from incident_tui.domain.vocabulary import EXPORT_FORMATS
    from incident_tui.formats import export
    from incident_tui.store import postmortem_reads
    from incident_tui.store.database import open_database

    db = open_database(db_path)
    connection = sqlite3.connect(db_path)
    sizes: dict[str, int] = {}

    def render(fmt: str) -> Callable[[], object]:
        def call() -> None:
            draft = postmortem_reads.postmortem_draft(db, number, now=datetime.now(UTC))
            sizes[fmt] = len(export.render(draft, fmt))

        return call

    try:
        calls: dict[str, Callable[[], object]] = {fmt: render(fmt) for fmt in EXPORT_FORMATS}
        calls["json_dumps_floor"] = lambda: sizes.__setitem__(
            "json_dumps_floor", len(_json_floor(connection, number))
        )
        figures = _medians(interleaved(calls, repeats, warmup=1))
    finally:
        connection.close()
        db.dispose()
    for name, size in sizes.items():
        figures[name]["bytes"] = size
    return figures
