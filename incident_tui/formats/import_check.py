"""Checking an export's `record` the way the operations check what people type: each
field named in its error (`record.entries[3].kind`), values cleaned as they would be when
typed. The rows come out ready to insert (without their incident id)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from incident_tui.domain.context import parse_label, valid_service
from incident_tui.domain.errors import IncidentError
from incident_tui.domain.instants import (
    EARLIEST,
    FUTURE_TOLERANCE,
    RESOLUTION_MILESTONES,
    calendar_day,
    event_instant,
    milestone_order,
)
from incident_tui.domain.postmortem_draft import POSTMORTEM_STATUSES
from incident_tui.domain.text import MAX_TEXT, clean, one_line, without_surrogates
from incident_tui.domain.vocabulary import (
    ACTION_STATUSES,
    ACTION_TYPES,
    AUDIENCES,
    ENTRY_KINDS,
    MILESTONES,
    PHASES,
    PRIORITIES,
    parse_role,
)
from incident_tui.formats.import_record import (
    CHANGE_FIELDS,
    POSTMORTEM_LISTS,
    POSTMORTEM_TEXT,
    ImportedIncident,
    ImportFormatError,
    Row,
    shown,
)
from incident_tui.ops import MAX_NAME, MAX_TITLE, valid_name, valid_text


class RecordReader:
    """Validates the `record`, naming the field (`record.entries[3].kind`) in each error."""

    def __init__(self, name: str, now: datetime) -> None:
        self.name = name
        self.now = now
        self._latest = now + FUTURE_TOLERANCE
        self._kinds = frozenset(ENTRY_KINDS)

    def fail(self, where: str, problem: str) -> ImportFormatError:
        return ImportFormatError(f"{self.name}: {where} {problem}")

    def obj(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, f"must be an object, not {shown(value)}")
        return value

    def get(self, parent: dict[str, Any], key: str, where: str) -> Any:
        if key not in parent:
            raise self.fail(f"{where}.{key}", "is missing")
        return parent[key]

    def items(self, parent: dict[str, Any], key: str, where: str) -> list[tuple[Any, str]]:
        value = self.get(parent, key, where)
        if not isinstance(value, list):
            raise self.fail(f"{where}.{key}", f"must be a list, not {shown(value)}")
        return [
            (self.obj(item, f"{where}.{key}[{i}]"), f"{where}.{key}[{i}]")
            for i, item in enumerate(value)
        ]

    def string(self, parent: dict[str, Any], key: str, where: str, *, nullable=False) -> Any:
        value = self.get(parent, key, where)
        if value is None and nullable:
            return None
        if not isinstance(value, str):
            raise self.fail(f"{where}.{key}", f"must be text, not {shown(value)}")
        return without_surrogates(value)  # a JSON "\ud800" cannot be stored

    def checked(self, check, parent, key, where, *, nullable=False):
        """A value passed through one of the operations' validators (valid_text, …)."""
        value = self.string(parent, key, where, nullable=nullable)
        if value is None:
            return None
        try:
            return check(value)
        except IncidentError as error:
            raise self.fail(f"{where}.{key}", f"is wrong: {error}") from None

    def text(self, parent, key, where, *, limit: int = MAX_TEXT, empty_ok=False):
        if empty_ok:
            value = clean(self.string(parent, key, where)).strip()
            if len(value) > limit:
                raise self.fail(f"{where}.{key}", f"is longer than {limit:,} characters")
            return value
        return self.checked(lambda v: valid_text(v, "it", limit=limit), parent, key, where)

    def points(self, parent, key, where):
        """A list section: an array of points (or, from formatVersion 1, text), stored as
        the operations store it."""
        from incident_tui.ops import stored_points

        value = self.get(parent, key, where)
        if not isinstance(value, str | list) or (
            isinstance(value, list) and not all(isinstance(p, str) for p in value)
        ):
            raise self.fail(f"{where}.{key}", f"must be a list of text, not {shown(value)}")
        try:
            return stored_points(key, value)
        except IncidentError as error:
            raise self.fail(f"{where}.{key}", f"is wrong: {error}") from None

    def name_(self, parent, key, where, *, nullable=False):
        return self.checked(lambda v: valid_name(v, "it"), parent, key, where, nullable=nullable)

    def choice(self, parent, key, where, choices, *, nullable=False):
        value = self.string(parent, key, where, nullable=nullable)
        if value is None or value in choices:
            return value
        raise self.fail(
            f"{where}.{key}", f"must be one of {', '.join(choices)}, not {shown(value)}"
        )

    def flag(self, parent, key, where, *, nullable=False):
        value = self.get(parent, key, where)
        if value is None and nullable:
            return None
        if not isinstance(value, bool):
            raise self.fail(f"{where}.{key}", f"must be true or false, not {shown(value)}")
        return value

    def instant(self, parent, key, where, *, nullable=False) -> datetime | None:
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
                f"must be an ISO 8601 instant with a time zone (…Z), not {shown(value)}",
            )
        try:
            return event_instant(at.astimezone(UTC), now=self.now, what="it")
        except (IncidentError, OverflowError) as error:
            problem = str(error) if isinstance(error, IncidentError) else "is out of range"
            raise self.fail(f"{where}.{key}", problem.removeprefix("it ")) from None

    def day(self, parent, key, where) -> date | None:
        value = self.string(parent, key, where, nullable=True)
        if value is None:
            return None
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise self.fail(
                f"{where}.{key}", f"must be a date (YYYY-MM-DD), not {shown(value)}"
            ) from None
        try:
            return calendar_day(day, today=self.now.date(), what="it")
        except IncidentError as error:
            raise self.fail(f"{where}.{key}", str(error).removeprefix("it ")) from None

    # --- the record ---------------------------------------------------------------------

    def entry(self, e: dict[str, Any], ew: str) -> Row:
        """A timeline entry's row (`ENTRY_COLUMNS`), every field checked and cleaned."""
        return (
            self.instant(e, "occurredAt", ew),
            self.instant(e, "recordedAt", ew),
            self.choice(e, "kind", ew, ENTRY_KINDS),
            self.name_(e, "author", ew),
            self.text(e, "text", ew),
            self.flag(e, "pinned", ew),
            self.name_(e, "actor", ew) if e.get("actor") else "",
        )

    def streamed_entry(self, value: Any, index: int) -> Row:
        """`entry` for the `index`th entry of a stream: the quick path when it applies."""
        row = self._plainly_valid(value)
        if row is not None:
            return row
        where = f"record.entries[{index}]"
        return self.entry(self.obj(value, where), where)

    def _plainly_valid(self, e: Any) -> Row | None:
        """The row `entry` would give, when every field is plainly valid: instants in UTC
        within range, printable text with nothing to clean (so `clean` would return it
        as it is), names already on one line. None for anything else (`entry` decides)."""
        if type(e) is not dict:
            return None
        try:
            occurred, recorded = e["occurredAt"], e["recordedAt"]
            kind, author, text, pinned = e["kind"], e["author"], e["text"], e["pinned"]
        except KeyError:
            return None
        actor = e.get("actor") or ""
        if (
            type(kind) is not str
            or kind not in self._kinds
            or type(pinned) is not bool
            or type(author) is not str
            or type(text) is not str
            or type(actor) is not str
            or not (author.isprintable() and text.isprintable() and actor.isprintable())
            or not 0 < len(author) <= MAX_NAME
            or " ".join(author.split()) != author
            or (actor and (len(actor) > MAX_NAME or " ".join(actor.split()) != actor))
        ):
            return None
        text = text.strip()
        if not 0 < len(text) <= MAX_TEXT:
            return None
        occurred_at, recorded_at = self._plain_instant(occurred), self._plain_instant(recorded)
        if occurred_at is None or recorded_at is None:
            return None
        return (occurred_at, recorded_at, kind, author, text, pinned, actor)

    def _plain_instant(self, value: Any) -> datetime | None:
        if type(value) is not str:
            return None
        try:
            at = datetime.fromisoformat(value)
        except ValueError:
            return None
        if at.tzinfo is not UTC or not EARLIEST <= at <= self._latest:
            return None
        return at

    def incident(self, value: Any, source_key: object) -> ImportedIncident:
        w = "record"
        rec = self.obj(value, w)
        severity = self.get(rec, "severity", w)
        if not isinstance(severity, int) or isinstance(severity, bool) or not 1 <= severity <= 4:
            raise self.fail(f"{w}.severity", f"must be 1, 2, 3 or 4, not {shown(severity)}")
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
        for name in RESOLUTION_MILESTONES:
            try:
                milestone_order(name, times[name], times)
            except IncidentError as error:
                raise self.fail(
                    f"{w}.milestones.{name.removesuffix('_at')}", f"is wrong: {error}"
                ) from None
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
        if rec.get("incidentType") is not None:  # older exports have no context at all
            incident["incident_type"] = self.checked(
                lambda v: one_line(v, 64).lower(), rec, "incidentType", w
            )
        result = ImportedIncident(
            incident=incident,
            source_key=one_line(source_key, 40) if isinstance(source_key, str) else None,
        )
        for index, service in enumerate(rec.get("services") or []):
            try:
                result.services.append(valid_service(service if isinstance(service, str) else ""))
            except IncidentError as error:
                raise self.fail(f"{w}.services[{index}]", f"is wrong: {error}") from None
        labels = self.obj(rec.get("labels") or {}, f"{w}.labels")
        for key, value in labels.items():
            try:
                label, text = parse_label(f"{key}={value if isinstance(value, str) else ''}")
            except IncidentError as error:
                raise self.fail(f"{w}.labels.{key}", f"is wrong: {error}") from None
            if text is None:
                raise self.fail(f"{w}.labels.{key}", "is empty")
            result.labels[label] = text
        for e, ew in self.items(rec, "entries", w):
            result.entries.append(self.entry(e, ew))
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
            name = self.string(c, "field", cw)
            if name not in CHANGE_FIELDS and not name.startswith("label:"):
                name = self.choice(c, "field", cw, sorted(CHANGE_FIELDS))
            old = self.string(c, "old", cw, nullable=True)
            new = self.string(c, "new", cw, nullable=True)
            if name == "severity":
                for label, level in (("old", old), ("new", new)):
                    if level not in ("1", "2", "3", "4"):
                        raise self.fail(
                            f"{cw}.{label}",
                            f'must be "1" to "4" for a severity, not {shown(level)}',
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
                for key, column in POSTMORTEM_TEXT.items()
            },
            **{column: self.points(pm, key, pw) for key, column in POSTMORTEM_LISTS.items()},
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
