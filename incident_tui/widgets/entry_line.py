"""The scribe's entry line: an Input with Tab completion and up/down recall of earlier lines."""

from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.widgets import Input

from incident_tui.text import clean

HISTORY_LIMIT = 500


class EntryLine(Input):
    """Always ready for typing; Enter submits (the screen decides whether the text goes)."""

    BINDINGS = [
        Binding("tab", "complete", "Complete", show=False),
        Binding("up", "recall(-1)", "Earlier line", show=False),
        Binding("down", "recall(1)", "Later line", show=False),
    ]

    # Input sets its virtual size on every change of value, and the stock reactive lays
    # out the whole screen each time (≈8 ms a keystroke with the war room's panes). The
    # line's own size is fixed by CSS, so a repaint is all it needs.
    virtual_size = Reactive(Size(0, 0), layout=False)

    class Choices(Message):
        """Tab found several ways to go on (or none): tell the user which."""

        def __init__(self, choices: list[str]) -> None:
            super().__init__()
            self.choices = choices

    def __init__(self, *, known: Callable[[], dict] | None = None, **kwargs) -> None:
        # Never select on focus: keys typed on another pane are sent here with the focus,
        # and a selection would make the next key replace the first.
        kwargs.setdefault("select_on_focus", False)
        super().__init__(**kwargs)
        self.history: list[str] = []
        self._recall_at: int | None = None
        self._draft = ""
        self._known = known or dict

    def _on_paste(self, event: events.Paste) -> None:
        # Input keeps only the first line of a paste and takes escape sequences as they
        # come. Here every line is kept (joined: the line is one line) and the text is
        # cleaned of control sequences before it lands.
        event.prevent_default()
        event.stop()
        text = " ".join(line.strip() for line in clean(event.text).splitlines() if line.strip())
        if text:
            if self.selection.is_empty:
                self.insert_text_at_cursor(text)
            else:
                self.replace(text, *self.selection)

    def remember(self, line: str) -> None:
        """Keep a submitted line for recall (not twice in a row)."""
        if line.strip() and (not self.history or self.history[-1] != line):
            self.history.append(line)
            del self.history[:-HISTORY_LIMIT]
        self._recall_at = None

    def action_recall(self, step: int) -> None:
        if not self.history:
            return
        if self._recall_at is None:
            if step > 0:
                return
            self._draft = self.value
            self._recall_at = len(self.history)
        self._recall_at += step
        if self._recall_at >= len(self.history):
            self._recall_at = None
            self.value = self._draft
        else:
            self._recall_at = max(0, self._recall_at)
            self.value = self.history[self._recall_at]
        self.cursor_position = len(self.value)

    def action_complete(self) -> None:
        if self.cursor_position != len(self.value):
            self.cursor_position = len(self.value)
            return
        from incident_tui.entryline import complete  # not needed for the first frame

        line, choices = complete(self.value, **self._known())
        if line != self.value:
            self.value = line
            self.cursor_position = len(line)
        self.post_message(self.Choices(choices))
