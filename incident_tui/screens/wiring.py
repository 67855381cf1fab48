"""What every screen of ours shares with the app (`Wired`), and the smallest terminal
they can lay out in. Not a screen: any screen may import it, as it may the dialogs.

- the app, typed (`incident_app`, from `ReachesApp`);
- the size guard: Textual hands a resize only to the screens, never to the app, so every
  screen lets the app cover it with the "too small" message (or uncover it) at once;
- one handler for failed workers: whatever a worker raises becomes one visible line
  (`worker_failed`: a notification by default) and the screen stays as it was, usable.
  A screen's reads run under `@guarded_work(group)`, which hands any exception to it;
  a worker started any other way that fails reaches it through Textual's StateChanged.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

from textual import work
from textual.worker import Worker, WorkerState

from incident_tui.widgets.app_access import ReachesApp

MIN_WIDTH, MIN_HEIGHT = 60, 18
"""Below this the panes cannot show anything useful: a "too small" message instead."""


class Wired(ReachesApp):
    """Mixin for screens (before Textual's Screen/ModalScreen in the bases)."""

    def on_resize(self) -> None:
        self.incident_app.guard_size()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        error = event.worker.error
        if event.state is WorkerState.ERROR and error is not None:
            self.worker_failed(error)

    def worker_failed(self, error: BaseException) -> None:
        """Say what went wrong in one line (no markup); override to say it elsewhere."""
        self.incident_app.report_error(error)


W = TypeVar("W", bound=Wired)


def guarded_work(group: str) -> Callable[[Callable[[W], None]], Callable[[W], Worker[None]]]:
    """`@work` for a screen's reading: in a thread, the newest read replacing one under
    way (exclusive in `group`); whatever it raises goes to the screen's `worker_failed`
    on the UI thread, so a worker never fails silently and never takes the app down."""

    def decorate(read: Callable[[W], None]) -> Callable[[W], Worker[None]]:
        @functools.wraps(read)
        def guarded(screen: W) -> None:
            try:
                read(screen)
            except Exception as error:
                screen.incident_app.call_from_thread(screen.worker_failed, error)

        return work(thread=True, exclusive=True, group=group, exit_on_error=False)(guarded)

    return decorate
