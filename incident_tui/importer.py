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

import json
import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import insert
from sqlmodel import Session, col, select

from incident_tui import models as m
from incident_tui.domain import (
    ACTION_STATUSES,
    ACTION_TYPES,
    AUDIENCES,
    ENTRY_KINDS,
    MILESTONES,
    PHASES,
    PRIORITIES,
    parse_role,
)
from incident_tui.errors import IncidentError
from incident_tui.export import JSON_FORMAT, JSON_FORMAT_VERSION
from incident_tui.ops import MAX_TITLE, valid_name, valid_text
from incident_tui.postmortem import POSTMORTEM_STATUSES
from incident_tui.store import Database
from incident_tui.text import MAX_TEXT, clean, one_line

_CHANGE_FIELDS = frozenset({"phase", "severity", *MILESTONES})
_POSTMORTEM_LISTS = {
    "contributingFactors": "contributing_factors",
    "whatWentWell": "what_went_well",
    "whatWentPoorly": "what_went_poorly",
    "luckyBreaks": "lucky_breaks",
}
"""Arrays of points since formatVersion 2; text (one point per line) before."""
_POSTMORTEM_TEXT = {
    "summary": "summary",
    "rootCause": "root_cause",
    "lessonsLearned": "lessons_learned",
    "usersAffected": "users_affected",
    "revenueImpact": "revenue_impact",
    "authors": "authors",
}


class ImportFormatError(IncidentError):
    """The file is not an export this version can read (says which field, and why)."""


@dataclass
class ImportedIncident:
    """A validated `record`: rows ready to insert (without their incident id)."""

    incident: dict[str, Any]
    entries: list[dict[str, Any]] = field(default_factory=list)
    roles: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    postmortem: dict[str, Any] = field(default_factory=dict)
    whys: list[dict[str, Any]] = field(default_factory=list)
    source_key: str | None = None
    """The key the incident had where it was exported (for messages only)."""


@dataclass(frozen=True)
class ImportResult:
    number: int
    created: bool
    """False: the incident was already in the database (nothing was written)."""


# --- reading the file -------------------------------------------------------------------


def read_source(source: str, stdin: TextIO | None = None) -> tuple[str, str]:
    """(text, name for messages) of FILE, or of standard input for `-`."""
    if source == "-":
        try:
            return (stdin or sys.stdin).read(), "standard input"
        except UnicodeDecodeError:
            raise ImportFormatError("standard input is not UTF-8 text") from None
    path = Path(source).expanduser()
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except FileNotFoundError:
        raise IncidentError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise IncidentError(f"{path} is a folder, not a file") from None
    except UnicodeDecodeError:
        raise ImportFormatError(f"{path} is not UTF-8 text (not a JSON export)") from None
    except OSError as error:
        raise IncidentError(f"cannot read {path}: {error.strerror}") from None


def parse_export(text: str, name: str = "the file") -> ImportedIncident:
    """The incident in a JSON export, validated; ImportFormatError names what is wrong."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFormatError(
            f"{name} is not JSON ({error.msg} at line {error.lineno}, column {error.colno})"
        ) from None
    except RecursionError:
        raise ImportFormatError(f"{name} is not JSON we can read (nested too deeply)") from None
    if not isinstance(doc, dict):
        raise ImportFormatError(f"{name} is not an incident-tui export (not a JSON object)")
    _check_format(doc, name)
    return _Reader(name).incident(doc["record"], doc.get("id"))


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
            f'{_shown(doc["format"])}, expected "{JSON_FORMAT}"'
        )
    version = doc.get("formatVersion")
    if "formatVersion" not in doc:
        raise ImportFormatError(f'{name}: "formatVersion" is missing')
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ImportFormatError(
            f'{name}: "formatVersion" must be a whole number, not {_shown(version)}'
        )
    if version > JSON_FORMAT_VERSION:
        raise ImportFormatError(
            f"{name} was exported by a newer incident-tui (format version {version}; this "
            f"version reads up to {JSON_FORMAT_VERSION}); upgrade incident-tui to import it"
        )
    if "record" not in doc:
        raise ImportFormatError(f'{name}: "record" is missing')


def _shown(value: object) -> str:
    return one_line(json.dumps(value, ensure_ascii=False), 40)


class _Reader:
    """Validates the `record`, naming the field (`record.entries[3].kind`) in each error."""

    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, where: str, problem: str) -> ImportFormatError:
        return ImportFormatError(f"{self.name}: {where} {problem}")

    def obj(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, f"must be an object, not {_shown(value)}")
        return value

    def get(self, parent: dict[str, Any], key: str, where: str) -> Any:
        if key not in parent:
            raise self.fail(f"{where}.{key}", "is missing")
        return parent[key]

    def items(self, parent: dict[str, Any], key: str, where: str) -> list[tuple[Any, str]]:
        value = self.get(parent, key, where)
        if not isinstance(value, list):
            raise self.fail(f"{where}.{key}", f"must be a list, not {_shown(value)}")
        return [
            (self.obj(item, f"{where}.{key}[{i}]"), f"{where}.{key}[{i}]")
            for i, item in enumerate(value)
        ]

    def string(self, parent: dict[str, Any], key: str, where: str, *, nullable=False) -> Any:
        value = self.get(parent, key, where)
        if value is None and nullable:
            return None
        if not isinstance(value, str):
            raise self.fail(f"{where}.{key}", f"must be text, not {_shown(value)}")
        return value

    def checked(self, check, parent, key, where, *, nullable=False):  # type: ignore[no-untyped-def]
        """A value passed through one of the operations' validators (valid_text, …)."""
        value = self.string(parent, key, where, nullable=nullable)
        if value is None:
            return None
        try:
            return check(value)
        except IncidentError as error:
            raise self.fail(f"{where}.{key}", f"is wrong: {error}") from None

    def text(self, parent, key, where, *, limit: int = MAX_TEXT, empty_ok=False):  # type: ignore[no-untyped-def]
        if empty_ok:
            value = clean(self.string(parent, key, where)).strip()
            if len(value) > limit:
                raise self.fail(f"{where}.{key}", f"is longer than {limit:,} characters")
            return value
        return self.checked(lambda v: valid_text(v, "it", limit=limit), parent, key, where)

    def points(self, parent, key, where):  # type: ignore[no-untyped-def]
        """A list section: an array of points (or, from formatVersion 1, text), stored as
        the operations store it."""
        from incident_tui.ops import stored_points

        value = self.get(parent, key, where)
        if not isinstance(value, str | list) or (
            isinstance(value, list) and not all(isinstance(p, str) for p in value)
        ):
            raise self.fail(f"{where}.{key}", f"must be a list of text, not {_shown(value)}")
        try:
            return stored_points(key, value)
        except IncidentError as error:
            raise self.fail(f"{where}.{key}", f"is wrong: {error}") from None

    def name_(self, parent, key, where, *, nullable=False):  # type: ignore[no-untyped-def]
        return self.checked(lambda v: valid_name(v, "it"), parent, key, where, nullable=nullable)

    def choice(self, parent, key, where, choices, *, nullable=False):  # type: ignore[no-untyped-def]
        value = self.string(parent, key, where, nullable=nullable)
        if value is None or value in choices:
            return value
        raise self.fail(
            f"{where}.{key}", f"must be one of {', '.join(choices)}, not {_shown(value)}"
        )

    def flag(self, parent, key, where, *, nullable=False):  # type: ignore[no-untyped-def]
        value = self.get(parent, key, where)
        if value is None and nullable:
            return None
        if not isinstance(value, bool):
            raise self.fail(f"{where}.{key}", f"must be true or false, not {_shown(value)}")
        return value

    def instant(self, parent, key, where, *, nullable=False) -> datetime | None:  # type: ignore[no-untyped-def]
        value = self.string(parent, key, where, nullable=nullable)
        if value is None:
            return None
        try:
            at = datetime.fromisoformat(value)
        except ValueError:
            at = None
        if at is None or at.tzinfo is None:
            raise self.fail(
                f"{where}.{key}",
                f"must be an ISO 8601 instant with a time zone (…Z), not {_shown(value)}",
            )
        return at.astimezone(UTC)

    def day(self, parent, key, where) -> date | None:  # type: ignore[no-untyped-def]
        value = self.string(parent, key, where, nullable=True)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise self.fail(
                f"{where}.{key}", f"must be a date (YYYY-MM-DD), not {_shown(value)}"
            ) from None

    # --- the record ---------------------------------------------------------------------

    def incident(self, value: Any, source_key: object) -> ImportedIncident:
        w = "record"
        rec = self.obj(value, w)
        severity = self.get(rec, "severity", w)
        if not isinstance(severity, int) or isinstance(severity, bool) or not 1 <= severity <= 4:
            raise self.fail(f"{w}.severity", f"must be 1, 2, 3 or 4, not {_shown(severity)}")
        title = self.checked(
            lambda v: one_line(valid_text(v, "it", limit=MAX_TITLE)), rec, "title", w
        )
        milestones = self.obj(self.get(rec, "milestones", w), f"{w}.milestones")
        times = {
            name: self.instant(
                milestones, name.removesuffix("_at"), f"{w}.milestones", nullable=True
            )
            for name in MILESTONES
        }
        if times["started_at"] is None:
            raise self.fail(f"{w}.milestones.started", "is missing: impact began at some time")
        incident = {
            "title": title,
            "severity": severity,
            "phase": self.choice(rec, "phase", w, PHASES),
            "summary": self.text(rec, "summary", w, empty_ok=True),
            "is_drill": self.flag(rec, "isDrill", w),
            "declared_at": self.instant(rec, "declaredAt", w),
            "declared_by": self.name_(rec, "declaredBy", w),
            **times,
        }
        result = ImportedIncident(
            incident=incident,
            source_key=one_line(source_key, 40) if isinstance(source_key, str) else None,
        )
        for e, ew in self.items(rec, "entries", w):
            result.entries.append(
                {
                    "occurred_at": self.instant(e, "occurredAt", ew),
                    "recorded_at": self.instant(e, "recordedAt", ew),
                    "kind": self.choice(e, "kind", ew, ENTRY_KINDS),
                    "author": self.name_(e, "author", ew),
                    "text": self.text(e, "text", ew),
                    "pinned": self.flag(e, "pinned", ew),
                    "actor": self.name_(e, "actor", ew) if e.get("actor") else "",
                }
            )
        for h, hw in self.items(rec, "roles", w):
            result.roles.append(
                {
                    "role": self.checked(_exact_role, h, "role", hw),
                    "holder": self.name_(h, "holder", hw),
                    "started_at": self.instant(h, "startedAt", hw),
                    "ended_at": self.instant(h, "endedAt", hw, nullable=True),
                    "assigned_by": self.name_(h, "assignedBy", hw),
                }
            )
        for c, cw in self.items(rec, "changes", w):
            name = self.choice(c, "field", cw, sorted(_CHANGE_FIELDS))
            old = self.string(c, "old", cw, nullable=True)
            new = self.string(c, "new", cw, nullable=True)
            if name == "severity":
                for label, level in (("old", old), ("new", new)):
                    if level not in ("1", "2", "3", "4"):
                        raise self.fail(
                            f"{cw}.{label}",
                            f'must be "1" to "4" for a severity, not {_shown(level)}',
                        )
            result.changes.append(
                {
                    "at": self.instant(c, "at", cw),
                    "recorded_at": self.instant(c, "recordedAt", cw),
                    "field": name,
                    "old": one_line(old, 100) if old is not None else None,
                    "new": one_line(new, 100) if new is not None else None,
                    "author": self.name_(c, "author", cw),
                }
            )
        for u, uw in self.items(rec, "updates", w):
            result.updates.append(
                {
                    "posted_at": self.instant(u, "postedAt", uw),
                    "audience": self.choice(u, "audience", uw, AUDIENCES),
                    "author": self.name_(u, "author", uw),
                    "text": self.text(u, "text", uw),
                    "phase": self.choice(u, "phase", uw, PHASES),
                }
            )
        for a, aw in self.items(rec, "actionItems", w):
            created = self.instant(a, "createdAt", aw)
            result.actions.append(
                {
                    "description": self.checked(
                        lambda v: one_line(valid_text(v, "it", limit=2000)), a, "description", aw
                    ),
                    "owner": self.name_(a, "owner", aw, nullable=True),
                    "due_date": self.day(a, "dueDate", aw),
                    "priority": self.choice(a, "priority", aw, PRIORITIES),
                    "type": self.choice(a, "type", aw, ACTION_TYPES, nullable=True),
                    "status": self.choice(a, "status", aw, ACTION_STATUSES),
                    "ticket": self.name_(a, "ticket", aw, nullable=True),
                    "created_at": created,
                    "created_by": self.name_(a, "createdBy", aw),
                    "updated_at": created,
                }
            )
        pw = f"{w}.postmortem"
        pm = self.obj(self.get(rec, "postmortem", w), pw)
        result.postmortem = {
            "status": self.choice(pm, "status", pw, POSTMORTEM_STATUSES),
            "sla_breached": self.flag(pm, "slaBreached", pw, nullable=True),
            **{
                column: self.text(pm, key, pw, empty_ok=True)
                for key, column in _POSTMORTEM_TEXT.items()
            },
            **{column: self.points(pm, key, pw) for key, column in _POSTMORTEM_LISTS.items()},
        }
        for position, (y, yw) in enumerate(self.items(rec, "fiveWhys", w), start=1):
            result.whys.append(
                {
                    "position": position,
                    "question": self.text(y, "question", yw, limit=2000),
                    "answer": self.text(y, "answer", yw, empty_ok=True),
                }
            )
        return result


def _exact_role(value: str) -> str:
    role = parse_role(value)
    if role != value:
        raise IncidentError(f"role names are stored as {role!r}")
    return role


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
        number = incident.id
        for model, rows in (
            (m.TimelineEntry, imported.entries),
            (m.RoleHolding, imported.roles),
            (m.IncidentChange, imported.changes),
            (m.StatusUpdate, imported.updates),
            (m.ActionItem, imported.actions),
            (m.FiveWhy, imported.whys),
        ):
            if rows:
                # In file order, so the new ids keep the original order of equal instants.
                session.execute(
                    insert(model.__table__), [{**row, "incident_id": number} for row in rows]
                )
        if imported.whys or imported.postmortem != _EMPTY_POSTMORTEM:
            session.add(m.Postmortem(incident_id=number, updated_at=now, **imported.postmortem))
        return ImportResult(number, created=True)

    return db.write(work)


_EMPTY_POSTMORTEM = {
    "status": "draft",
    "sla_breached": None,
    **{column: "" for column in _POSTMORTEM_TEXT.values()},
    **{column: "[]" for column in _POSTMORTEM_LISTS.values()},
}


def import_source(
    db: Database, source: str, *, now: datetime, stdin: TextIO | None = None
) -> ImportResult:
    """`incident-tui import FILE` (or `-`): read, validate whole, then write whole."""
    text, name = read_source(source, stdin)
    return import_incident(db, parse_export(text, name), now=now)
