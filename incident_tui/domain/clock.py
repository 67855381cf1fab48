"""An injectable clock, so every time-dependent path can be frozen in tests."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that only moves when told to."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FrozenClock needs a timezone-aware datetime")
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._at

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        self._at += delta if delta is not None else timedelta(**kwargs)
        return self._at

    def set(self, at: datetime) -> None:
        self._at = at.astimezone(UTC)


def clock_from_env() -> Clock:
    """The system clock, or a frozen one when INCIDENT_TUI_NOW holds an ISO instant.

    The variable exists so black-box tests and screenshots can pin "now".
    """
    frozen = os.environ.get("INCIDENT_TUI_NOW")
    if frozen:
        at = datetime.fromisoformat(frozen.replace("Z", "+00:00"))
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        return FrozenClock(at)
    return SystemClock()
