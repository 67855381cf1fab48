"""What the reads across incidents put into their SQL: the services filtered on, and days
and instants as the columns store them (SQLite keeps naive ISO text)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime
from typing import Any

from incident_tui.domain.context import valid_service
from incident_tui.store.database import Database


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


def day_param(db: Database, day: date) -> date | str:
    return day.isoformat() if db.is_sqlite else day


def instant_param(db: Database, at: datetime) -> datetime | str:
    """A UTC instant as the column stores it: SQLite keeps naive ISO text."""
    naive = at.astimezone(UTC).replace(tzinfo=None)
    return naive.strftime("%Y-%m-%d %H:%M:%S.%f") if db.is_sqlite else naive
