"""The war room's overdue bell: at zero, the bell rings once and a notification names what
is overdue; each deadline is announced once (a snoozed one, due again later, once more).
"""

from __future__ import annotations

from datetime import datetime

from textual.screen import Screen

from incident_tui.domain.records import Deadline
from incident_tui.domain.vocabulary import incident_key


class OverdueBell:
    """What the screen's ticks have announced so far, and the announcing."""

    def __init__(self, screen: Screen[None], number: int) -> None:
        self._screen = screen
        self._number = number
        self._announced: set[tuple[str, datetime]] = set()

    def ring(self, deadlines: list[Deadline], now: datetime) -> None:
        """At zero: the bell rings once and a notification names what is overdue."""
        newly = [
            d for d in deadlines if d.due_at <= now and (d.name, d.due_at) not in self._announced
        ]
        if not newly:
            return
        for deadline in newly:
            self._announced.add((deadline.name, deadline.due_at))
        self._screen.app.bell()
        names = ", ".join(d.title for d in newly)
        self._screen.notify(
            f"Overdue: {names}",
            title=incident_key(self._number),
            severity="error",
            markup=False,
            timeout=10,
        )
