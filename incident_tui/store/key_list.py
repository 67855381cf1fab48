"""The incident keys tab completion offers: open incidents first (worst severity, then
newest), then the rest, newest first. On a SQLite file this is one read-only query
through `sqlite3`, so a Tab costs no SQLAlchemy import; other databases go through the
store."""

from __future__ import annotations

import os
import sqlite3

from incident_tui.domain.vocabulary import OPEN_PHASES, incident_key
from incident_tui.store.locations import resolve_target, sqlite_path

_ORDER_SQL = (
    "SELECT id, phase, severity FROM incident"
    " ORDER BY CASE WHEN phase IN ({open}) THEN 0 ELSE 1 END,"
    " CASE WHEN phase IN ({open}) THEN severity ELSE 0 END, id DESC"
).format(open=", ".join("?" for _ in OPEN_PHASES))


def incident_keys(target: str | os.PathLike | None = None) -> list[str]:
    """Every incident's key in completion order; none when the database cannot be read."""
    url = resolve_target(target)
    path = sqlite_path(url)
    if path is None:
        return _through_store(url)
    if not path.is_file():
        return []
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
        try:
            rows = connection.execute(_ORDER_SQL, OPEN_PHASES * 2).fetchall()
        finally:
            connection.close()
    except sqlite3.Error:
        return []
    return [incident_key(number) for number, _phase, _severity in rows]


def service_names(target: str | os.PathLike | None = None) -> list[str]:
    """The services incidents name, by name; none when the database cannot be read."""
    url = resolve_target(target)
    path = sqlite_path(url)
    if path is None:
        return _services_through_store(url)
    if not path.is_file():
        return []
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
        try:
            rows = connection.execute(
                "SELECT DISTINCT name FROM incident_service ORDER BY name"
            ).fetchall()
        finally:
            connection.close()
    except sqlite3.Error:  # a database from before services (migration 0009) too
        return []
    return [name for (name,) in rows]


def _services_through_store(url: str) -> list[str]:
    from sqlmodel import col, select

    from incident_tui.domain.errors import IncidentError
    from incident_tui.store.database import open_database
    from incident_tui.store.models import IncidentService

    try:
        db = open_database(url)
    except IncidentError:
        return []
    try:
        with db.read() as session:
            names = session.exec(
                select(IncidentService.name).distinct().order_by(col(IncidentService.name))
            ).all()
    finally:
        db.dispose()
    return list(names)


def _through_store(url: str) -> list[str]:
    from sqlalchemy import case, select
    from sqlmodel import col

    from incident_tui.domain.errors import IncidentError
    from incident_tui.store.database import open_database
    from incident_tui.store.models import Incident

    try:
        db = open_database(url)
    except IncidentError:
        return []
    try:
        is_open = col(Incident.phase).in_(OPEN_PHASES)
        with db.read() as session:
            numbers = session.scalars(
                select(col(Incident.id)).order_by(
                    case((is_open, 0), else_=1),
                    case((is_open, col(Incident.severity)), else_=0),
                    col(Incident.id).desc(),
                )
            ).all()
    finally:
        db.dispose()
    return [incident_key(number) for number in numbers if number is not None]
