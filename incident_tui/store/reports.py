"""Reads across incidents: full-text search, the action items of every incident, and the
rows the metrics are computed from. Plain SQL into tuples, the way `queries.timeline`
does it: these read thousands of incidents and a million entries.

Each takes `services` (`--service`, the screens' filter): only the incidents affecting any
of them, an EXISTS on `incident_service` in the same SQL (`service_filter`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from datetime import UTC, date, datetime
from itertools import repeat
from operator import itemgetter
from typing import Any

from sqlalchemy import bindparam, text

from incident_tui.domain.context import valid_service
from incident_tui.domain.errors import IncidentError
from incident_tui.domain.policy import Policy
from incident_tui.domain.records import Action, ActionRow, SearchHit, SeverityChange
from incident_tui.domain.timeparse import stored_utc
from incident_tui.domain.trends import ActionCounts, IncidentRow, Posted, Trends, period_metrics
from incident_tui.domain.vocabulary import SEARCH_KINDS, parse_action_status, parse_priority
from incident_tui.store.database import Database
from incident_tui.store.entry_rows import fetch_chunks, instants, optional_instants

SEARCH_LIMIT = 50
MAX_TERMS = 12

_WORD = re.compile(r"\w+", re.UNICODE)


def search_terms(query: str) -> list[str]:
    """The words searched for; punctuation and operators are not syntax here, only text."""
    terms = _WORD.findall(query)[:MAX_TERMS]
    if not terms:
        raise IncidentError("search for at least one word")
    return terms


def service_names(db: Database) -> list[str]:
    """Every service an incident has affected, by name: what the screens' filter offers."""
    with db.read() as session:
        rows = session.execute(text("SELECT DISTINCT name FROM incident_service ORDER BY name"))
        return [name for (name,) in rows]


def wanted_services(services: Collection[str] | None) -> tuple[str, ...]:
    """The names filtered on, checked and lower-cased (`valid_service`), once each."""
    return tuple(dict.fromkeys(valid_service(name) for name in services or ()))


def service_filter(incident: str, services: Collection[str], params: dict[str, Any]) -> str:
    """` AND EXISTS (…)`: the incident (the SQL expression `incident`) affects any of
    `services`; "" when there are none (no filter). Adds the names to `params` as
    `:service0…` (plain placeholders: `fetch_chunks` passes SQL to the driver as is)."""
    if not services:
        return ""
    names = []
    for n, name in enumerate(services):
        params[f"service{n}"] = name
        names.append(f":service{n}")
    return (
        " AND EXISTS (SELECT 1 FROM incident_service AS s"
        f" WHERE s.incident_id = {incident} AND s.name IN ({', '.join(names)}))"
    )


# --- search -----------------------------------------------------------------------------

_SQLITE_DOCS = (
    "SELECT rowid, incident_id, body, bm25(search_doc) FROM search_doc"
    " WHERE search_doc MATCH :match{services} ORDER BY rank LIMIT :limit"
)
_SQLITE_ENTRIES = (
    # Scores only: the bodies of the few shown are read afterwards (`_SQLITE_BODIES`).
    "SELECT rowid, NULL, NULL, bm25(search_entry) FROM search_entry"
    " WHERE search_entry MATCH :match{services} ORDER BY rowid DESC LIMIT :window"
)
_SQLITE_BODIES = "SELECT rowid, incident_id, body FROM search_entry WHERE rowid IN :ids"
ENTRY_WINDOW = 3000
"""Timeline entries ranked per search: the newest this many that match. A word in
every other entry (a service name) would otherwise have a million rows scored; titles,
updates, postmortems, whys and action items are always ranked in full."""

_PG_DOCUMENTS = (
    # (kind code, table, id expression, incident id expression, body, live condition)
    (0, "incident", "id", "id", "title || ' ' || summary", "TRUE"),
    (1, "timeline_entry", "id", "incident_id", "text", "deleted_at IS NULL"),
    (2, "status_update", "id", "incident_id", "text", "TRUE"),
    (
        3,
        "postmortem",
        "incident_id",
        "incident_id",
        "summary || ' ' || root_cause || ' ' || contributing_factors || ' ' || what_went_well"
        " || ' ' || what_went_poorly || ' ' || lucky_breaks || ' ' || lessons_learned",
        "TRUE",
    ),
    (4, "five_why", "id", "incident_id", "question || ' ' || answer", "TRUE"),
    (5, "action_item", "id", "incident_id", "description", "TRUE"),
)
"""The same documents as SQLite's index (migration 0004); each body expression matches
its GIN index exactly, so PostgreSQL uses the index."""


def _pg_search(params: dict[str, Any], services: Collection[str]) -> str:
    return (
        "SELECT ref * 8 + kind AS rowid, incident_id, body, score FROM ("
        + " UNION ALL ".join(
            f"SELECT {code} AS kind, {ref} AS ref, {incident} AS incident_id, {body} AS body,"
            f" ts_rank(to_tsvector('english', {body}), to_tsquery('english', :match)) AS score"
            f" FROM {table} WHERE {live}"
            f" AND to_tsvector('english', {body}) @@ to_tsquery('english', :match)"
            + service_filter(f"{table}.{incident}", services, params)
            for code, table, ref, incident, body, live in _PG_DOCUMENTS
        )
        + ") AS hits ORDER BY score DESC LIMIT :limit"
    )


def search(
    db: Database,
    query: str,
    *,
    limit: int = SEARCH_LIMIT,
    services: Collection[str] | None = None,
) -> list[SearchHit]:
    """Every incident's titles, timelines, updates, postmortems, whys and action items,
    best match first (SQLite FTS5's bm25; PostgreSQL's ts_rank). Every word must match;
    the last one also as the start of a longer word (`roll` finds `rollback`). With
    `services`, only the incidents affecting any of them (filtered in the same SQL: the
    entry window is then the newest matches of those incidents)."""
    terms = search_terms(query)
    wanted = wanted_services(services)
    with db.read() as session:
        if db.is_sqlite:
            match = " ".join(
                _fts_term(term, last=i == len(terms) - 1) for i, term in enumerate(terms)
            )
            params: dict[str, Any] = {"match": match, "limit": limit, "window": ENTRY_WINDOW}
            # Qualified: inside the EXISTS a bare `incident_id` would be incident_service's.
            docs = service_filter("search_doc.incident_id", wanted, params)
            in_entries = service_filter("search_entry.incident_id", wanted, params)
            rows = list(session.execute(text(_SQLITE_DOCS.format(services=docs)), params).all())
            rows += session.execute(text(_SQLITE_ENTRIES.format(services=in_entries)), params).all()
            # bm25 is lower for better matches; both tables score on the same scale.
            rows.sort(key=lambda row: row[3])
            rows = rows[:limit]
            entries = [row[0] for row in rows if row[0] % 8 == 1]
            bodies = _by_id(session, _SQLITE_BODIES, entries)
            scored = []
            for rowid, incident, body, score in rows:
                if rowid % 8 == 1:  # a timeline entry, scored without its body: read it now
                    _, incident, body = bodies[rowid]
                scored.append((rowid, incident, body, -score))
        else:
            match = " & ".join(
                term + (":*" if i == len(terms) - 1 and len(term) >= PREFIX_FROM else "")
                for i, term in enumerate(terms)
            )
            params = {"match": match, "limit": limit}
            scored = list(session.execute(text(_pg_search(params, wanted)), params).all())
        if not scored:
            return []
        incidents = _by_id(
            session,
            "SELECT id, title, declared_at, is_drill FROM incident WHERE id IN :ids",
            {incident for _, incident, _, _ in scored},
        )
        entry_ids = {rowid // 8 for rowid, *_ in scored if rowid % 8 == 1}
        update_ids = {rowid // 8 for rowid, *_ in scored if rowid % 8 == 2}
        entry_at = _by_id(
            session, "SELECT id, occurred_at FROM timeline_entry WHERE id IN :ids", entry_ids
        )
        update_at = _by_id(
            session, "SELECT id, posted_at FROM status_update WHERE id IN :ids", update_ids
        )
    hits = []
    for rowid, incident_id, body, score in scored:
        code, ref = rowid % 8, rowid // 8
        _, title, declared_at, is_drill = incidents[incident_id]
        at = {1: entry_at, 2: update_at}.get(code, {}).get(ref, (ref, declared_at))[1]
        hits.append(
            SearchHit(
                number=incident_id,
                title=title,
                kind=SEARCH_KINDS[code],
                ref_id=ref,
                at=stored_utc(at),
                text=body,
                score=float(score),
                is_drill=bool(is_drill),
            )
        )
    return hits


PREFIX_FROM = 3
"""The last word, when at least this long, also matches as the start of a longer word
(the palette searches as you type); the others match as words, stemmed (`throttled`
finds `throttling`). A short prefix such as `eu*` would match half the index."""


def _fts_term(term: str, *, last: bool) -> str:
    quoted = '"' + term.replace('"', "") + '"'
    return quoted + "*" if last and len(term) >= PREFIX_FROM else quoted


def _by_id(session, sql: str, ids: Iterable[int]) -> dict[int, tuple]:
    ids = list(ids)
    if not ids:
        return {}
    statement = text(sql).bindparams(bindparam("ids", expanding=True))
    return {row[0]: tuple(row) for row in session.execute(statement, {"ids": ids})}


# --- action items across incidents ----------------------------------------------------------

_ACTIONS_SQL = (
    "SELECT a.id, a.description, a.owner, a.due_date, a.priority, a.type, a.status,"
    " a.ticket, a.created_at, i.id, i.title"
    " FROM action_item AS a JOIN incident AS i ON i.id = a.incident_id"
)


def action_items(
    db: Database,
    *,
    today: date,
    owner: str | None = None,
    status: str | None = None,
    priority: str | None = None,
    overdue: bool = False,
    include_done: bool = True,
    limit: int | None = None,
    services: Collection[str] | None = None,
) -> list[ActionRow]:
    """Every incident's action items, the ones needing attention first: overdue, then by
    priority, then by due date (none last), then oldest; the first `limit` of them (of
    the incidents affecting any of `services`, when given)."""
    where: list[str] = []
    params: dict[str, Any] = {}
    if only := service_filter("i.id", wanted_services(services), params):
        where.append(only.removeprefix(" AND "))
    if owner:
        where.append("lower(a.owner) = lower(:owner)")
        params["owner"] = owner.strip()
    if status:
        where.append("a.status = :status")
        params["status"] = parse_action_status(status)
    elif not include_done:
        where.append("a.status <> 'done'")
    if priority:
        where.append("a.priority = :priority")
        params["priority"] = parse_priority(priority)
    if overdue:
        where.append("a.status <> 'done' AND a.due_date < :today")
    sql = _ACTIONS_SQL + (" WHERE " + " AND ".join(where) if where else "")
    params["today"] = _day(db, today)
    sql += (
        " ORDER BY a.status = 'done',"
        " NOT COALESCE(a.status <> 'done' AND a.due_date < :today, FALSE),"
        " a.priority, a.due_date IS NULL, a.due_date, a.created_at, a.id"
    )
    if limit is not None:
        sql += " LIMIT :limit"
        params["limit"] = limit
    with db.read() as session:
        rows = session.execute(text(sql), params).all()
    result = []
    for id, description, owner_, due, prio, type_, status_, ticket, created, number, title in rows:
        if isinstance(due, str):
            due = date.fromisoformat(due)
        action = Action(
            id, description, owner_, due, prio, type_, status_, ticket, stored_utc(created)
        )
        result.append(ActionRow(action, number, title))

    return result


# --- metrics ----------------------------------------------------------------------------

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
        "since": _param(db, since),
        "split": _param(db, split),
        "until": _param(db, until),
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
        actions_params = {**params, "today": _day(db, today)}
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


def trends(
    db: Database,
    *,
    since: datetime,
    until: datetime,
    today: date,
    policy: Policy,
    services: Collection[str] | None = None,
) -> Trends:
    """The metrics of [since, until) beside those of the period of the same length before
    (of the incidents affecting any of `services`, when given), each split by service."""
    before = since - (until - since)
    incidents, posted, actions = trend_rows(
        db, since=before, split=since, until=until, today=today, services=services
    )
    previous, current = (
        period_metrics(
            incidents[i], actions[i], since=start, until=end, policy=policy, posted=posted
        )
        for i, (start, end) in enumerate(((before, since), (since, until)))
    )
    return Trends(current=current, previous=previous)


def _day(db: Database, day: date) -> date | str:
    return day.isoformat() if db.is_sqlite else day


def _param(db: Database, at: datetime) -> datetime | str:
    """A UTC instant as the column stores it: SQLite keeps naive ISO text."""
    naive = at.astimezone(UTC).replace(tzinfo=None)
    return naive.strftime("%Y-%m-%d %H:%M:%S.%f") if db.is_sqlite else naive
