"""The rows the metrics are computed from (`reports.trends`): the incidents of both
periods, their severity changes and services, when their updates were posted and their
action items counted, in one read. Plain SQL through the driver's cursor in chunks."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from itertools import repeat
from operator import itemgetter
from typing import Any

from sqlalchemy import text

from incident_tui.domain.records import SeverityChange
from incident_tui.domain.timeparse import stored_utc
from incident_tui.domain.trends import ActionCounts, IncidentRow, Posted
from incident_tui.store.database import Database
from incident_tui.store.entry_rows import fetch_chunks, instants, optional_instants
from incident_tui.store.report_params import (
    day_param,
    instant_param,
    service_filter,
    wanted_services,
)

_RANGE = (
    " FROM incident AS i"
    " WHERE i.is_drill = :no AND i.declared_at >= :since AND i.declared_at < :until{services}"
)
"""Both periods at once: [since, until) is the one before and the current together; only
the incidents of the services asked for (`service_filter`), when asked."""
_TREND_INCIDENTS = (
    "SELECT i.id, i.severity, i.declared_at, i.started_at, i.detected_at, i.acknowledged_at,"
    " i.mitigated_at, i.resolved_at, i.declared_at >= :split" + _RANGE
)
_TREND_CHANGES = (
    "SELECT c.incident_id, c.at, c.old, c.new FROM incident_change AS c"
    " WHERE c.field = 'severity' AND c.incident_id IN (SELECT i.id" + _RANGE + ")"
    " ORDER BY c.at, c.id"
)
_TREND_SERVICES = (
    # The split by service: one read of every (incident, service) pair of the range.
    "SELECT s.incident_id, s.name FROM incident_service AS s"
    " WHERE s.incident_id IN (SELECT i.id" + _RANGE + ")"
)
_TREND_UPDATES = (
    # In the order of the index on (incident_id, audience, posted_at): no sort. Updates of
    # one incident to one audience come oldest first, as the cadence walks them.
    "SELECT u.incident_id, u.audience, u.posted_at FROM status_update AS u"
    " WHERE u.incident_id IN (SELECT i.id" + _RANGE + ")"
    " ORDER BY u.incident_id, u.audience, u.posted_at"
)
_TREND_ACTIONS = (
    # Counted here, exactly: thousands of action items a year need no row each.
    "SELECT i.declared_at >= :split, count(*),"
    " sum(CASE WHEN a.status = 'done' THEN 1 ELSE 0 END),"
    " sum(CASE WHEN a.status <> 'done' AND a.due_date < :today THEN 1 ELSE 0 END)"
    " FROM action_item AS a JOIN incident AS i ON i.id = a.incident_id"
    + _RANGE[len(" FROM incident AS i") :]
    + " GROUP BY 1"
)
_new_row = tuple.__new__


def trend_rows(
    db: Database,
    *,
    since: datetime,
    split: datetime,
    until: datetime,
    today: date,
    services: Collection[str] | None = None,
) -> tuple[tuple[list[IncidentRow], list[IncidentRow]], Posted, tuple[ActionCounts, ActionCounts]]:
    """The incidents declared in [since, split) and in [split, until), drills left out;
    when their updates were posted; and their action items counted (overdue: not done and
    due before `today`), each as (the period before, the current one). One read for both
    periods. The incidents and the updates (thousands in a year) come through the
    driver's cursor in chunks, their instants parsed a column at a time (`entry_rows`);
    a row at a time through SQLAlchemy took as long as the metrics. Each row carries its
    services (in no particular order); with `services`, only the incidents affecting any
    of them are read."""
    params: dict[str, Any] = {
        "since": instant_param(db, since),
        "split": instant_param(db, split),
        "until": instant_param(db, until),
        "no": False,
    }
    only = service_filter("i.id", wanted_services(services), params)

    def sql(template: str) -> str:
        return template.format(services=only)

    periods: tuple[list[IncidentRow], list[IncidentRow]] = ([], [])
    posted: dict[tuple[int, str], list[datetime]] = {}
    counts = [ActionCounts(), ActionCounts()]
    with db.read() as session:
        changes: dict[int, list[SeverityChange]] = {}
        for incident_id, at, old, new in session.execute(text(sql(_TREND_CHANGES)), params):
            changes.setdefault(incident_id, []).append(
                SeverityChange(stored_utc(at), int(old), int(new))
            )
        named: dict[int, list[str]] = {}
        for incident_id, name in session.execute(text(sql(_TREND_SERVICES)), params):
            named.setdefault(incident_id, []).append(name)
        for chunk in fetch_chunks(session, sql(_TREND_INCIDENTS), params):
            numbers = list(map(_first, chunk))
            rows = map(
                _new_row,
                repeat(IncidentRow),
                zip(
                    numbers,
                    map(_second, chunk),
                    *(instants(list(map(column, chunk))) for column in _STARTS),
                    *(optional_instants(list(map(column, chunk))) for column in _MILESTONES),
                    (tuple(changes.get(number, ())) for number in numbers),
                    (tuple(named.get(number, ())) for number in numbers),
                    strict=True,
                ),
            )
            for row, current in zip(rows, map(_CURRENT, chunk), strict=True):
                periods[bool(current)].append(row)
        for chunk in fetch_chunks(session, sql(_TREND_UPDATES), params):
            keys = zip(map(_first, chunk), map(_second, chunk), strict=True)
            for key, at in zip(keys, instants(list(map(_third, chunk))), strict=True):
                posted.setdefault(key, []).append(at)
        actions_params = {**params, "today": day_param(db, today)}
        actions = session.execute(text(sql(_TREND_ACTIONS)), actions_params)
        for current, total, done, overdue in actions:
            counts[bool(current)] = ActionCounts(int(total), int(done or 0), int(overdue or 0))
    return periods, posted, (counts[0], counts[1])


_first, _second, _third = itemgetter(0), itemgetter(1), itemgetter(2)
_STARTS = (itemgetter(2), itemgetter(3))
"""declared_at and started_at of a `_TREND_INCIDENTS` row; then the later milestones,
then whether it is in the current period."""
_MILESTONES = tuple(map(itemgetter, range(4, 8)))
_CURRENT = itemgetter(8)
