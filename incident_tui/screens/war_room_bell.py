"""The war room's overdue bell: at zero, the bell rings once and the status line (over the
entry line) names what is overdue; each deadline is announced once (a snoozed one, due
again later, once more). Not a notification: a toast would cover the timeline's rows
for seconds, and the countdowns and the heading already show it red.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from textual.app import App

from incident_tui.domain.records import Deadline


class _Announcing(Protocol):
    @property
    def app(self) -> App[None]: ...

    def announce(self, message: str) -> None: ...


class OverdueBell:
    """What the screen's ticks have announced so far, and the announcing."""

    def __init__(self, screen: _Announcing) -> None:
        self._screen = screen
        self._announced: set[tuple[str, datetime]] = set()

    def ring(self, deadlines: list[Deadline], now: datetime) -> None:
        """At zero: the bell rings once and the status line names what is overdue."""
        newly = [
            d for d in deadlines if d.due_at <= now and (d.name, d.due_at) not in self._announced
        ]
        if not newly:
            return
        for deadline in newly:
            self._announced.add((deadline.name, deadline.due_at))
        self._screen.app.bell()
        self._screen.announce("Overdue: " + ", ".join(d.title for d in newly))
