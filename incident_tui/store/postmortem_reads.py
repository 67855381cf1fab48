"""Reading the postmortem: the team's stored sections, and the draft they make with the
incident's record."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select

from incident_tui.domain.policy import DEFAULT_POLICY, Policy
from incident_tui.domain.postmortem_draft import (
    LIST_FIELDS,
    PostmortemDraft,
    PostmortemFields,
    Why,
    compute_metrics,
)
from incident_tui.domain.vocabulary import parse_key
from incident_tui.store import models as m
from incident_tui.store.database import Database
from incident_tui.store.queries import detail_of, incident_row, recorded_changes, timeline


def postmortem_points(stored: str | None) -> list[str]:
    """A list section as stored (a JSON array of strings) read back as its points."""
    import json

    try:
        value = json.loads(stored or "[]")
    except ValueError:  # text an older version left: one point per line
        return [line.strip() for line in (stored or "").splitlines() if line.strip()]
    if isinstance(value, list):
        return [str(point) for point in value]
    return [str(value)] if value else []


def postmortem_fields(row: m.Postmortem) -> PostmortemFields:
    values = {name: getattr(row, name) for name in PostmortemFields.__dataclass_fields__}
    for name in LIST_FIELDS:
        values[name] = postmortem_points(values[name])
    return PostmortemFields(**values)


def postmortem_draft(
    db: Database, key: str | int, *, now: datetime, policy: Policy = DEFAULT_POLICY
) -> PostmortemDraft:
    """The incident with its postmortem fields, five whys and metrics."""
    number = parse_key(key)
    with db.read() as session:
        incident = incident_row(session, number)
        detail = detail_of(session, incident, timeline(session, number))
        row = session.get(m.Postmortem, number)
        whys = session.exec(
            select(m.FiveWhy.position, m.FiveWhy.question, m.FiveWhy.answer)
            .where(m.FiveWhy.incident_id == number)
            .order_by(col(m.FiveWhy.position))
        ).all()
        changes = recorded_changes(session, number)
    written = postmortem_fields(row) if row is not None else PostmortemFields()
    return PostmortemDraft(
        detail=detail,
        fields=written,
        whys=[Why(position, question, answer) for position, question, answer in whys],
        metrics=compute_metrics(detail, policy, now=now),
        changes=changes,
    )
