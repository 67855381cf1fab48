"""`incident-tui import`: an incident read back from our own JSON export, as a new incident.

The export's `record` section holds everything stored about the incident, exactly (see
`export.record`); the rest of the file is the postmortem view computed from it and is not
read. Every value is checked the way the operations check what people type, so a file
edited by hand cannot put in what the app itself would refuse; a bad file is one line
naming the field, and nothing is written. The whole incident goes in as one transaction.

Re-importing is harmless: an incident with the same title, declaration instant and
declarer as one already in the database is that incident (`ImportResult.created` False).
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from incident_tui.formats import import_stream
from incident_tui.formats.export import JSON_FORMAT, JSON_FORMAT_VERSION
from incident_tui.formats.import_check import RecordReader
from incident_tui.formats.import_record import (
    ENTRY_COLUMNS,
    POSTMORTEM_LISTS,
    POSTMORTEM_TEXT,
    ImportedIncident,
    ImportFormatError,
    Row,
    shown,
)
from incident_tui.formats.progress import Bar
from incident_tui.store import models as m
from incident_tui.store.bulk_rows import RowWriter
from incident_tui.store.database import Database

__all__ = ["ImportFormatError", "ImportResult", "ImportedIncident", "import_source"]

WRITE_BATCH = 5_000
"""Entries per INSERT of a streamed import (all in the one transaction)."""


@dataclass(frozen=True)
class ImportResult:
    number: int
    created: bool
    """False: the incident was already in the database (nothing was written)."""


# --- reading the file -------------------------------------------------------------------


@contextmanager
def streamed(
    source: str, *, now: datetime, stdin: IO[bytes] | None = None
) -> Iterator[ImportedIncident]:
    """The incident in the export at `source` (a path, or `-`), validated whole before
    it is handed over. The file is read as a stream, twice (the record, then its
    entries); the validated entries wait in a private spool file, in batches, and are
    read back one batch at a time when written (`ImportedIncident.more_entries`): a
    million entries never sit in memory."""
    with import_stream.opened(source, stdin) as (handle, name):
        try:
            header, rest, keys = import_stream.scan(handle, name)
        except import_stream.StreamFormatError as error:
            raise ImportFormatError(str(error)) from None
        if rest is None and not isinstance(header, dict):
            raise ImportFormatError(f"{name} is not an incident-tui export (not a JSON object)")
        doc: dict[str, Any] = {key: None for key in keys} | header
        if rest is not None:
            doc["record"] = rest
        _check_format(doc, name)
        reader = RecordReader(name, now)
        imported = reader.incident(doc["record"], doc.get("id"))
        with tempfile.TemporaryFile() as spool:
            batch: list[Row] = []
            count = 0
            try:
                for count, value in enumerate(import_stream.entries(handle, name), start=1):
                    batch.append(reader.streamed_entry(value, count - 1))
                    if len(batch) >= WRITE_BATCH:
                        pickle.dump(batch, spool, pickle.HIGHEST_PROTOCOL)
                        batch = []
            except import_stream.StreamFormatError as error:
                raise ImportFormatError(str(error)) from None
            if batch:
                pickle.dump(batch, spool, pickle.HIGHEST_PROTOCOL)

            def more_entries() -> Iterator[list[Row]]:
                spool.seek(0)
                while True:
                    try:
                        yield pickle.load(spool)  # our own file, written just now
                    except EOFError:
                        return

            imported.more_entries = more_entries
            imported.more_count = count
            yield imported


def _check_format(doc: dict[str, Any], name: str) -> None:
    if doc.get("format") != JSON_FORMAT:
        if (
            not doc.keys() & {"format", "formatVersion", "record"}
            and {
                "id",
                "timeline",
                "milestones",
            }
            <= doc.keys()
        ):
            raise ImportFormatError(
                f"{name} is an export from an older incident-tui, without the exact record "
                "import needs; export the incident again with this version"
            )
        if "format" not in doc:
            raise ImportFormatError(
                f'{name} is not an incident-tui export: "format" is missing '
                f'(expected "{JSON_FORMAT}")'
            )
        raise ImportFormatError(
            f'{name} is not an incident-tui export: "format" is '
            f'{shown(doc["format"])}, expected "{JSON_FORMAT}"'
        )
    version = doc.get("formatVersion")
    if "formatVersion" not in doc:
        raise ImportFormatError(f'{name}: "formatVersion" is missing')
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ImportFormatError(
            f'{name}: "formatVersion" must be a whole number, not {shown(version)}'
        )
    if version > JSON_FORMAT_VERSION:
        raise ImportFormatError(
            f"{name} was exported by a newer incident-tui (format version {version}; this "
            f"version reads up to {JSON_FORMAT_VERSION}); upgrade incident-tui to import it"
        )
    if "record" not in doc:
        raise ImportFormatError(f'{name}: "record" is missing')


# --- writing ----------------------------------------------------------------------------


def already_there(session: Session, incident: dict[str, Any]) -> int | None:
    """The incident that is this one (same title, declaration instant and declarer)."""
    return session.exec(
        select(m.Incident.id)
        .where(m.Incident.title == incident["title"])
        .where(m.Incident.declared_at == incident["declared_at"])
        .where(m.Incident.declared_by == incident["declared_by"])
        .order_by(col(m.Incident.id))
        .limit(1)
    ).first()


def import_incident(db: Database, imported: ImportedIncident, *, now: datetime) -> ImportResult:
    """Write the incident with everything it carries, in one transaction; or find it
    already there and write nothing."""

    def work(session: Session) -> ImportResult:
        existing = already_there(session, imported.incident)
        if existing is not None:
            return ImportResult(existing, created=False)
        incident = m.Incident(**imported.incident, updated_at=now)
        session.add(incident)
        session.flush()  # the database allocates the number
        number = m.saved_id(incident)
        entries = RowWriter(session, m.table_of(m.TimelineEntry), ("incident_id", *ENTRY_COLUMNS))
        entries.write((number, *row) for row in imported.entries)
        if imported.more_entries is not None:
            bar, written = Bar("writing", imported.more_count, "entries"), 0
            for batch in imported.more_entries():
                written += entries.write((number, *row) for row in batch)
                bar.update(written)
            bar.done()
        for model, rows in (
            (m.RoleHolding, imported.roles),
            (m.IncidentChange, imported.changes),
            (m.StatusUpdate, imported.updates),
            (m.ActionItem, imported.actions),
            (m.FiveWhy, imported.whys),
        ):
            if rows:
                # In file order, so the new ids keep the original order of equal instants.
                session.execute(
                    insert(m.table_of(model)), [{**row, "incident_id": number} for row in rows]
                )
        at, by = imported.incident["declared_at"], imported.incident["declared_by"]
        for name in imported.services:
            session.add(m.IncidentService(incident_id=number, name=name, added_at=at, added_by=by))
        for key, value in imported.labels.items():
            session.add(
                m.IncidentLabel(incident_id=number, key=key, value=value, set_at=at, set_by=by)
            )
        if imported.whys or imported.postmortem != _EMPTY_POSTMORTEM:
            session.add(m.Postmortem(incident_id=number, updated_at=now, **imported.postmortem))
        return ImportResult(number, created=True)

    return db.write(work)


_EMPTY_POSTMORTEM = {
    "status": "draft",
    "sla_breached": None,
    **{column: "" for column in POSTMORTEM_TEXT.values()},
    **{column: "[]" for column in POSTMORTEM_LISTS.values()},
}


def import_source(
    db: Database, source: str, *, now: datetime, stdin: IO[bytes] | None = None
) -> ImportResult:
    """`incident-tui import FILE` (or `-`): read and validate whole, then write whole."""
    with streamed(source, now=now, stdin=stdin) as imported:
        return import_incident(db, imported, now=now)
