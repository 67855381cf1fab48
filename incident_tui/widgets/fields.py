"""Text fields for forms and dialogs: keys in the order typed, pastes as pasted, clean.

A paste's escape sequences and control characters are removed where they stand
(`A \\x1b[31mred\\x1b[0m B` lands as `A red B`), the text around them kept in order.

Every field a user types into is one of these (the entry line is its own kind), so a
Tab typed in a burst moves on before the next letters land, a footer key is never taken
by the field, and a paste arrives whole, without escape codes or control characters.
"""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.widgets import Input, TextArea

from incident_tui.domain.text import clean
from incident_tui.widgets.in_order import InOrderKeys


class Field(InOrderKeys, Input):
    """A one-line field: a paste of several lines is joined onto the line."""

    # Typed before the terminal was in raw mode, Enter arrives as a newline (ctrl+j).
    BINDINGS = [Binding("ctrl+j", "submit", "Submit", id="field-newline", show=False)]

    def _on_paste(self, event: events.Paste) -> None:
        # Input's own handler, next, inserts the first line of what it is given.
        lines = (part.strip() for part in clean(event.text).splitlines())
        event.text = " ".join(part for part in lines if part)


class TextField(InOrderKeys, TextArea):
    """A multi-line field. Enter is a new line; Tab moves to the next field. TextArea's
    own F6 (select line) and F7 (select all) are left to the screens' footer keys."""

    TYPED_KEYS = frozenset({"enter"})
    inherit_bindings = False
    BINDINGS = [
        binding
        for binding in TextArea.BINDINGS
        if getattr(binding, "key", None) not in ("f6", "f7")
    ]

    def __init__(self, text: str = "", **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("tab_behavior", "focus")
        kwargs.setdefault("soft_wrap", True)
        super().__init__(text, **kwargs)

    def _on_paste(self, event: events.Paste) -> None:
        # TextArea's own handler, next, inserts what it is given.
        event.text = clean(event.text)


class PointsArea(TextField):
    """A list section: one point per line. Enter adds a point, deleting a line removes
    it, ctrl+↑/↓ moves the point under the cursor up or down."""

    BINDINGS = TextField.BINDINGS + [
        Binding("ctrl+up", "move_point(-1)", "Point up", id="point-up", show=False),
        Binding("ctrl+down", "move_point(1)", "Point down", id="point-down", show=False),
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
