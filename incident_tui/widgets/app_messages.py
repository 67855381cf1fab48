"""What reaches the app from its threads (the change feed, background work), as
Textual messages, and the shape of that background work."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from textual.message import Message


class DatabaseChanged(Message):
    """Another writer committed something (posted by the change feed's thread)."""


class LinkChanged(Message):
    """The change feed lost the database (`trouble` says how) or has it back (None)."""

    def __init__(self, trouble: str | None) -> None:
        super().__init__()
        self.trouble = trouble


class Background(Protocol):
    """Work that runs beside the app for as long as it runs (a drill's replay)."""

    def start(self, report: Callable[[str], None]) -> None:
        """Begin, in a thread of its own; `report(line)` may be called from that thread."""

    def stop(self) -> None:
        """End soon, without being waited for."""


class BackgroundReported(Message):
    """A line from the background work for the user (posted from its thread)."""

    def __init__(self, line: str) -> None:
        super().__init__()
        self.line = line
