"""Shown instead of a broken layout when the terminal is smaller than the war room needs.

Textual hands a resize only to the screens, never to the app, so every screen of ours
mixes in `SizeGuarded` to let the app cover it (or uncover it) at once.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static


class SizeGuarded:
    """Mixin for screens: on every resize, ask the app whether the terminal is too small."""

    def on_resize(self) -> None:
        self.app.guard_size()  # type: ignore[attr-defined]


class TooSmallScreen(SizeGuarded, Screen[None]):
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
        from incident_tui.app import MIN_HEIGHT, MIN_WIDTH

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
