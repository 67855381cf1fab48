"""Shown instead of a broken layout when the terminal is smaller than the war room needs."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static


class TooSmallScreen(Screen[None]):
    BINDINGS = []

    def compose(self) -> ComposeResult:
        from incident_tui.app import MIN_HEIGHT, MIN_WIDTH

        yield Static(
            Text(
                f"Terminal too small\n\nincident-tui needs at least {MIN_WIDTH}×{MIN_HEIGHT};\n"
                "make the window larger — nothing is lost meanwhile.\n\nctrl+q quits",
                justify="center",
            ),
            id="too-small",
        )
