"""The postmortem the team writes: its sections and the five whys."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from incident_tui.domain.errors import IncidentError, NotFound
from incident_tui.domain.text import MAX_TEXT, clean
from incident_tui.ops.rows import find_incident, valid_name, valid_text
from incident_tui.store import models as m
from incident_tui.store.database import Database


def _postmortem_row(session: Session, incident: m.Incident, now: datetime) -> m.Postmortem:
    row = session.get(m.Postmortem, incident.id)
    if row is None:
        row = m.Postmortem(incident_id=m.saved_id(incident), updated_at=now)
        session.add(row)
    return row


def save_postmortem_field(
    db: Database, *, key: str | int, field: str, value: object, author: str, now: datetime
) -> None:
    """Set one field of the postmortem (summary, root cause, status, …): one transaction."""
    from incident_tui.domain.postmortem_draft import (
        EDITABLE_FIELDS,
        LIST_FIELDS,
        POSTMORTEM_STATUSES,
        parse_users_affected,
    )

    if field not in EDITABLE_FIELDS:
        raise IncidentError(f"the postmortem has no field {field!r}")
    if field == "status":
        value = str(value).strip().lower()
        if value not in POSTMORTEM_STATUSES:
            raise IncidentError(
                f"postmortem status must be {', '.join(POSTMORTEM_STATUSES)}, not {value!r}"
            )
    elif field == "sla_breached":
        if value is not None and not isinstance(value, bool):
            raise IncidentError("SLA breached is yes, no, or computed from the policy")
    elif field in LIST_FIELDS:
        value = stored_points(field, value)
    else:
        value = clean(str(value or "")).strip()
        if len(value) > MAX_TEXT:
            raise IncidentError(f"{field.replace('_', ' ')} is longer than {MAX_TEXT:,} characters")
        if field == "users_affected":
            parse_users_affected(value)
    valid_name(author, "author")

    def work(session: Session) -> None:
        incident = find_incident(session, key)
        row = _postmortem_row(session, incident, now)
        setattr(row, field, value)
        row.updated_at = now

    db.write(work)


def stored_points(field: str, value: object) -> str:
    """A list section's points, cleaned, empty ones dropped, as stored (a JSON array)."""
    import json

    from incident_tui.domain.postmortem_draft import MAX_POINTS

    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list | tuple):
        raise IncidentError(f"{field.replace('_', ' ')} is a list of points")
    points = [" ".join(clean(str(p)).split()) for p in value]
    points = [p for p in points if p]
    if len(points) > MAX_POINTS:
        raise IncidentError(f"{field.replace('_', ' ')} has more than {MAX_POINTS} points")
    for point in points:
        if len(point) > MAX_TEXT:
            raise IncidentError(f"a point is longer than {MAX_TEXT:,} characters")
    return json.dumps(points, ensure_ascii=False)


def _whys(session: Session, number: int) -> list[m.FiveWhy]:
    return list(
        session.exec(
            select(m.FiveWhy)
            .where(m.FiveWhy.incident_id == number)
            .order_by(col(m.FiveWhy.position))
        ).all()
    )


def _whys_around(
    session: Session, key: str | int, position: int
) -> tuple[m.Incident, list[m.FiveWhy]]:
    """The incident and its whys, checking that pair `position` (1-based) exists."""
    incident = find_incident(session, key)
    whys = _whys(session, m.saved_id(incident))
    if not 1 <= position <= len(whys):
        raise NotFound(f"no why #{position}")
    return incident, whys


def _renumber(session: Session, whys: list[m.FiveWhy]) -> None:
    """Positions 1..n in list order; parked above the range first so the unique
    (incident, position) constraint never sees two at once."""
    for index, why in enumerate(whys):
        why.position = 10_000 + index
    session.flush()
    for index, why in enumerate(whys, start=1):
        why.position = index
    session.flush()


def save_why(
    db: Database,
    *,
    key: str | int,
    question: str,
    answer: str,
    author: str,
    now: datetime,
    position: int | None = None,
) -> int:
    """Add a question/answer pair (or, given `position`, change that one); its position."""
    question = valid_text(question, "question", limit=2000)
    answer = clean(answer or "").strip()
    valid_name(author, "author")

    def work(session: Session) -> int:
        if position is not None:
            incident, whys = _whys_around(session, key, position)
            why = whys[position - 1]
            why.question, why.answer = question, answer
            _postmortem_row(session, incident, now).updated_at = now
            return position
        incident = find_incident(session, key)
        added = len(_whys(session, m.saved_id(incident))) + 1
        session.add(
            m.FiveWhy(
                incident_id=m.saved_id(incident), position=added, question=question, answer=answer
            )
        )
        _postmortem_row(session, incident, now).updated_at = now
        return added

    return db.write(work)


def move_why(
    db: Database, *, key: str | int, position: int, offset: int, author: str, now: datetime
) -> int:
    """Move a pair up (offset -1) or down (+1); its new position."""
    valid_name(author, "author")

    def work(session: Session) -> int:
        _, whys = _whys_around(session, key, position)
        target = max(1, min(len(whys), position + offset))
        whys.insert(target - 1, whys.pop(position - 1))
        _renumber(session, whys)
        return target

    return db.write(work)


def delete_why(db: Database, *, key: str | int, position: int, author: str, now: datetime) -> None:
    valid_name(author, "author")

    def work(session: Session) -> None:
        _, whys = _whys_around(session, key, position)
        session.delete(whys.pop(position - 1))
        session.flush()
        _renumber(session, whys)

    db.write(work)
