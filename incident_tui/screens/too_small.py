"""Shown instead of a broken layout when the terminal is smaller than the war room needs.

Every screen of ours mixes in `wiring.Wired`, whose resize handler lets the app cover it
with this screen (or uncover it) at once.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from incident_tui.screens.wiring import MIN_HEIGHT, MIN_WIDTH, Wired


class TooSmallScreen(Wired, Screen[None]):
    DEFAULT_CSS = """
    TooSmallScreen #too-small { text-style: bold; }
    """
    BINDINGS = []

    async def on_key(self, event: events.Key) -> None:
        """Keys typed meanwhile still reach the entry line underneath: nothing typed is
        lost because the window was briefly too small."""
        stack = self.app.screen_stack
        below = stack[-2] if len(stack) > 1 else None
        entries = below.query("#entry") if below is not None else []
        if not entries:
            return
        entry = entries.first()
        event.stop()
        if event.is_printable and event.character:
            entry.insert_text_at_cursor(event.character)
        elif event.key == "backspace":
            entry.action_delete_left()
        elif event.key == "enter":
            await entry.action_submit()

    def compose(self) -> ComposeResult:
        yield Static(self._message(), id="too-small")

    def _message(self) -> Text:
        width, height = self.app.size
        return Text(
            f"Terminal too small\n\nthis one is {width}×{height}; "
            f"incident-tui needs at least {MIN_WIDTH}×{MIN_HEIGHT}.\n"
            "Make the window larger — nothing is lost meanwhile.\n\nctrl+q quits",
            justify="center",
        )

    def on_resize(self) -> None:
        super().on_resize()
        if self.is_attached and self.app.screen is self:
            self.query_one("#too-small", Static).update(self._message())
