"""Text fields whose pastes are cleaned in place: a paste's escape sequences and control
characters are removed where they stand (`A \\x1b[31mred\\x1b[0m B` lands as `A red B`),
the text around them kept in order, and only then inserted at the cursor."""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.widgets import Input, TextArea

from incident_tui.text import clean

FIELD_KEYS = [
    Binding("tab", "app.focus_next", "Next field", show=False, priority=True),
    Binding("shift+tab", "app.focus_previous", "Previous field", show=False, priority=True),
]
"""Tab as a priority binding of the form's screen. Textual hands each key to the widget
focused when the app takes it from its queue; a plain Tab moves the focus only once the
field has passed it back up, so the keys of a burst typed after it (a fast typist, a
laggy SSH link) were already handed to the field being left. A priority binding moves
the focus as the app takes the Tab, before the next key is handed on."""


class CleanTextArea(TextArea):
    """A TextArea whose pastes are cleaned; Tab always moves to the next field."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("soft_wrap", True)
        kwargs.setdefault("tab_behavior", "focus")
        super().__init__(*args, **kwargs)

    def on_paste(self, event: events.Paste) -> None:
        # Ours instead of TextArea's own handler (prevent_default), not after it.
        event.prevent_default()
        event.stop()
        if self.read_only:
            return
        text = clean(event.text)
        if text:
            result = self.replace(text, *self.selection)
            self.move_cursor(result.end_location)


class PointsArea(CleanTextArea):
    """A list section: one point per line. Enter adds a point, deleting a line removes
    it, ctrl+↑/↓ moves the point under the cursor up or down."""

    BINDINGS = [
        Binding("ctrl+up", "move_point(-1)", "Point up", show=False),
        Binding("ctrl+down", "move_point(1)", "Point down", show=False),
    ]

    @property
    def points(self) -> list[str]:
        return [line.strip() for line in self.text.splitlines() if line.strip()]

    def action_move_point(self, offset: int) -> None:
        row, column = self.cursor_location
        lines = self.text.split("\n")
        target = row + offset
        if not 0 <= target < len(lines) or not lines[row].strip():
            return
        lines[row], lines[target] = lines[target], lines[row]
        self.replace("\n".join(lines), (0, 0), self.document.end)
        self.move_cursor((target, min(column, len(lines[target]))))


class CleanInput(Input):
    """An Input whose pastes are cleaned (its first line, as Input takes a paste)."""

    def on_paste(self, event: events.Paste) -> None:
        event.prevent_default()
        event.stop()
        lines = clean(event.text).splitlines()
        if not lines:
            return
        if self.selection.is_empty:
            self.insert_text_at_cursor(lines[0])
        else:
            self.replace(lines[0], *self.selection)
