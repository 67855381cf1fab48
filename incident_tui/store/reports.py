"""Reads across incidents: full-text search, the action items of every incident, and the
metrics (their rows read by `trend_rows`). Plain SQL into tuples, the way `queries.timeline`
does it: these read thousands of incidents and a million entries.

Each takes `services` (`--service`, the screens' filter): only the incidents affecting any
of them, an EXISTS on `incident_service` in the same SQL (`service_filter`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, text

from incident_tui.domain.errors import IncidentError
from incident_tui.domain.policy import Policy
from incident_tui.domain.records import Action, ActionRow, SearchHit
from incident_tui.domain.timeparse import stored_utc
from incident_tui.domain.trends import Trends, period_metrics
from incident_tui.domain.vocabulary import SEARCH_KINDS, parse_action_status, parse_priority
from incident_tui.store.database import Database
from incident_tui.store.report_params import (
    day_param,
    service_filter,
    wanted_services,
)
from incident_tui.store.trend_rows import trend_rows

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
    params["today"] = day_param(db, today)
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
