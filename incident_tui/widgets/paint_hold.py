"""One frame per Enter: the entry line's clearing and the new row painted together.

Enter clears the line at once (keys typed on go to a fresh line) and the row comes a
few milliseconds later, when the writer's thread has committed it. Painted apart, that
is two frames, and Textual's frame timer puts the second one 1-2 frame intervals after
the first (its timer, once a tick came late, skips to the interval after next): the row
showed 20-40 ms after Enter. Holding the app's painting (`App.batch_update`) from the
Enter to the commit's report (released once the report's changes reached the screen)
paints both in one frame, at once. Keys are still read and the line still changes while
it is held; only painting waits, and never longer than `MAX_HOLD_S` (a write that waits
on a lock shows the cleared line meanwhile).
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from textual.app import App
from textual.message_pump import MessagePump
from textual.messages import Update
from textual.timer import Timer
from textual.widget import Widget

MAX_HOLD_S = 0.05
"""Three frames: a commit here takes 2-5 ms; longer, the line's clearing shows alone."""


class PaintHold:
    """At most one hold at a time, released by the report, the time limit or the end."""

    def __init__(self) -> None:
        self._batch: AbstractContextManager[None] | None = None
        self._timer: Timer | None = None

    @property
    def held(self) -> bool:
        return self._batch is not None

    def hold(self, app: App, owner: MessagePump) -> None:
        if self._batch is not None:
            return  # a burst: the first line's report lets the frame through
        self._batch = app.batch_update()
        self._batch.__enter__()
        self._timer = owner.set_timer(MAX_HOLD_S, self.release, name="paint-hold")

    def include(self, screen: MessagePump, *widgets: Widget) -> None:
        """While held: `widgets` (just changed) go in the released frame. A widget tells
        the screen it changed only when its own queue next idles, which can come after
        the release and miss the frame; told here, in the screen's own queue, the screen
        takes them before the release queued after this."""
        if self._batch is not None:
            for widget in widgets:
                screen.post_message(Update(widget))

    def release(self) -> None:
        batch, timer = self._batch, self._timer
        self._batch = self._timer = None
        if timer is not None:
            timer.stop()
        if batch is not None:
            batch.__exit__(None, None, None)
