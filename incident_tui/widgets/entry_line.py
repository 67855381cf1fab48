"""The scribe's entry line: an Input with Tab completion and up/down recall of earlier lines.

Enter hands the line to `take` and clears it in the same step, in the order the keys were
typed (`InOrderKeys`): keys typed while the screen is busy start the next line, never
join this one. A line `take` refuses stays, with the reason on the status line; keys
typed before the scribe could have seen that (type-ahead, a burst) set it aside into the
recall history instead of being appended to it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.widgets import Input

from incident_tui.domain.text import MAX_TEXT, clean
from incident_tui.widgets.in_order import InOrderKeys

HISTORY_LIMIT = 500
TYPE_AHEAD_S = 0.2
"""Keys this soon after a refused Enter were typed before the refusal could be read."""

Take = Callable[[str, float], "str | None"]
"""Gets a line and the time its Enter arrived; returns None (taken) or why not."""


class EntryLine(InOrderKeys, Input):
    """Always ready for typing; Enter hands the line over (`take`) and clears it."""

    # One line high, borderless, focused or not (Input's own `:focus` rule draws a
    # border, so it is overruled here at the same specificity). A fixed size: an
    # auto-sized Input lays out the whole screen on every keystroke.
    DEFAULT_CSS = """
    EntryLine {
        height: 1;
        border: none;
        padding: 0 1;
        background: $boost;
    }
    EntryLine:focus {
        border: none;
        background: $primary 20%;
    }
    """

    BINDINGS = [
        Binding("tab", "complete", "Complete", id="entry-complete", show=False),
        # Keys typed before the app put the terminal in raw mode arrive with the line
        # discipline's Enter: a newline (ctrl+j), not a carriage return.
        Binding("ctrl+j", "submit", "Log the line", id="entry-newline", show=False),
        Binding("up", "recall(-1)", "Earlier line", id="entry-earlier", show=False),
        Binding("down", "recall(1)", "Later line", id="entry-later", show=False),
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

    class SetAside(Message):
        """A refused line was moved out of the way of type-ahead (↑ brings it back)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Refused(Message):
        """Something typed or pasted could not go into the line (`reason` says why)."""

        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    def __init__(
        self, *, known: Callable[[], dict] | None = None, take: Take | None = None, **kwargs
    ) -> None:
        # Never select on focus: keys typed on another pane are sent here with the focus,
        # and a selection would make the next key replace the first.
        kwargs.setdefault("select_on_focus", False)
        super().__init__(**kwargs)
        self.history: list[str] = []
        self._recall_at: int | None = None
        self._draft = ""
        self._known = known or dict
        self._take = take
        self._key_at = 0.0
        """When the last key or paste arrived (the terminal's time of it)."""
        self._kept: tuple[str, float] | None = None
        """A refused line kept in the line, and since when, while type-ahead may come."""
        self._requeue: Callable[[], None] | None = None
        """For a line given back because the database failed it: what type-ahead does
        with it instead of setting it aside (it goes back first in the queue)."""

    # --- Enter, and what was typed after it ----------------------------------------------

    def _typed(self, at: float) -> None:
        """A key or a paste arrived at `at`: set a refused line aside if it was typed
        ahead, before the refusal could be read."""
        if self._kept is not None:
            line, since = self._kept
            requeue, self._requeue = self._requeue, None
            if at - since < TYPE_AHEAD_S and self.value == line:
                if requeue is not None:  # nothing wrong with the line: retried in order
                    self.value = ""
                    requeue()
                else:
                    self._set_aside()
            self._kept = None
        self._key_at = at

    async def _on_key(self, event: events.Key) -> None:
        if event.is_printable:
            self._typed(event.time)
        elif event.key in ("enter", "ctrl+j"):  # submits what the line holds, kept or not
            self._kept, self._requeue, self._key_at = None, None, event.time

    async def action_submit(self) -> None:
        line = self.value
        if not line.strip() or self._take is None:
            return
        if self._take(line, self._key_at) is None:
            self.remember(line)
            self.value = ""
        else:  # refused: it stays as typed, the reason on the status line
            self._kept = (line, self._key_at)

    def can_take_back(self, typed_at: float) -> bool:
        """Whether a line entered at `typed_at` can come back into the line: nothing was
        typed since its Enter."""
        return not self.value and self._key_at <= typed_at

    def take_back(self, line: str, *, requeue: Callable[[], None] | None = None) -> None:
        """A taken line that could not be written, back in the line as typed. With
        `requeue` (the database failed it, not its words), keys typed at once after it
        send it back to be written in turn instead of setting it aside."""
        self.value = line
        self.cursor_position = len(line)
        self._key_at = time.monotonic()  # Textual's event clock
        self._kept = (line, self._key_at)
        self._requeue = requeue

    def _set_aside(self) -> None:
        line = self.value
        self.remember(line)
        self.value = ""
        self.post_message(self.SetAside(line))

    def _on_paste(self, event: events.Paste) -> None:
        # Input keeps only the first line of a paste. Here every line is kept (joined: the
        # line is one line) and the text is cleaned of control sequences before it lands
        # (the terminal's parser already took escape codes out, in place: paste_input).
        event.prevent_default()
        event.stop()
        self._typed(event.time)
        text = " ".join(line.strip() for line in clean(event.text).splitlines() if line.strip())
        if len(text) + len(self.value) > MAX_TEXT:
            what = "the paste" if len(text) > MAX_TEXT else "the line with the paste"
            self.post_message(
                self.Refused(
                    f"not pasted: {what} is longer than the {MAX_TEXT:,} characters "
                    "an entry can hold"
                )
            )
            return
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
        from incident_tui.domain.entry_completion import complete  # not needed at first frame

        line, choices = complete(self.value, **self._known())
        if line != self.value:
            self.value = line
            self.cursor_position = len(line)
        self.post_message(self.Choices(choices))
