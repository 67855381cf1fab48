"""Presence: who has an incident's war room open, from their heartbeats."""

from __future__ import annotations

from datetime import datetime, timedelta

from incident_tui.domain.records import Holding, Presence
from incident_tui.domain.vocabulary import CORE_ROLES

PRESENCE_HEARTBEAT = timedelta(seconds=15)
"""How often an open war room says it is still open."""


PRESENCE_GONE = timedelta(seconds=45)
"""Not heard from for this long: the screen was closed without a goodbye (a crash, a
lost connection) and its user no longer counts as here."""


def people_here(
    presence: list[Presence], holdings: list[Holding], now: datetime
) -> list[tuple[str, list[str]]]:
    """Who has the incident open now, each once, with the roles they hold: role holders
    first (in role order), then the rest by name."""
    current = [h for h in holdings if h.ended_at is None]
    order = {role: index for index, role in enumerate(CORE_ROLES)}
    seen: dict[str, str] = {}
    for row in presence:
        if now - row.seen_at <= PRESENCE_GONE:
            seen.setdefault(row.name.casefold(), row.name)
    people = []
    for folded, name in seen.items():
        roles = sorted(
            (h.role for h in current if h.holder.casefold() == folded),
            key=lambda role: (order.get(role, len(order)), role),
        )
        people.append((name, roles))
    people.sort(
        key=lambda person: (
            min((order.get(r, len(order)) for r in person[1]), default=len(order) + 1),
            person[0].casefold(),
        )
    )
    return people
