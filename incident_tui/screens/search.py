"""Search every incident from the command palette: titles, timelines, updates,
postmortems, whys and action items, best match first; choosing a hit opens its war room
at the matching entry. Opened from a screen filtered by service (`f`), it searches only
that service's incidents, and says so.

Reads through `reports.search` (imported when the first search runs, in a thread); no
SQL here. User text is shown as `Text`, never as markup.
"""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual.command import Hit, Hits, Provider
from textual.content import Content

from incident_tui.domain.text import one_line
from incident_tui.widgets.app_access import ReachesApp

MIN_QUERY = 3
"""Shorter queries match most of everything: the palette's own commands answer them."""
PALETTE_HITS = 15


class IncidentSearch(ReachesApp, Provider):
    """The palette's incident search: type three letters or more."""

    async def search(self, query: str) -> Hits:
        if len(query.strip()) < MIN_QUERY:
            return
        app = self.incident_app
        # The screen the palette was opened from: its service filter, if it has one.
        services: tuple[str, ...] = getattr(self.screen, "services", ())
        try:
            from incident_tui.store.reports import search

            hits = await asyncio.to_thread(
                lambda: search(app.get_database(), query, limit=PALETTE_HITS, services=services)
            )
        except Exception:  # a half-typed query or a busy database: just no hits
            return
        scope = f" · service: {', '.join(services)}" if services else ""
        for rank, hit in enumerate(hits):
            when = hit.at.astimezone(app.config.display_tz).strftime("%Y-%m-%d %H:%M")
            label = Text.assemble(
                (f"{hit.key} ", "bold"),
                (f"{hit.kind} {when}  ", "dim"),
                one_line(hit.text, 90),
            )
            yield Hit(
                # Keep the database's order, above the fuzzy-matched commands.
                1.0 - rank / (2 * PALETTE_HITS),
                label,
                lambda h=hit: app.open_incident_at(
                    h.number, h.ref_id if h.kind == "entry" else None
                ),
                # Content, not str: a str help is parsed as markup.
                help=Content(
                    f"{one_line(hit.title, 80)}{' · drill' if hit.is_drill else ''}{scope}"
                ),
            )
