"""The scribe's lines, written in the order typed, each once, off the UI thread.

The entry line hands every line over the moment Enter is taken (the line is cleared in
the same step, so keys typed meanwhile start the next line). One thread commits the
lines one transaction each, in order. A line the database refuses for what it says (no
such countdown, nothing to pin) comes back to the scribe with the reason and the next
line goes on. When the database itself cannot take a write (locked past the busy
timeout, unreachable, full) a line with nothing behind it comes back too, with the
reason, to be retried by Enter; a line with others behind it stays at the head of the
queue and is retried until the database takes it, and nothing behind it overtakes it.

No Textual here: the screen passes `report`, called from the writer's thread.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from incident_tui.domain.errors import StorageError

if TYPE_CHECKING:
    from incident_tui.domain.records import Deadline
    from incident_tui.store.database import Database

RETRY_FIRST_S = 0.2
RETRY_MAX_S = 2.0


@dataclass(frozen=True)
class Pending:
    """A line taken from the entry line, waiting to be written."""

    line: str
    """As typed: what comes back to the scribe if it cannot be written."""
    command: object
    """What it means (an `entryline.Command`)."""
    entered_at: datetime
    """The clock when Enter was taken: the time the line happened."""
    typed_at: float = 0.0
    """When its Enter arrived, on the terminal's (monotonic) clock: whether anything was
    typed after it, should it come back to the line."""


@dataclass(frozen=True)
class Outcome:
    """What became of a pending line (or, with `waiting`, why it is still pending)."""

    pending: Pending
    message: str | None = None
    """Done: the one-line report of the operation."""
    error: str | None = None
    """Refused (`waiting` False: given back) or not written yet (`waiting` True)."""
    waiting: bool = False
    returned: bool = False
    """Not written for the database's sake, with no line behind it: given back, so the
    scribe can retry it (Enter) or keep typing."""
    queued: int = 0
    """Lines still in the queue, this one included while waiting."""
    result: object = None
    """Done: what the operation returned (the committed entry of a logged line), so the
    screen can show it without reading it back."""


class WriteQueue:
    """In-order writes of pending lines by one daemon thread.

    `write(pending)` performs one line (one committed transaction) and returns its
    report and what the operation returned; `report(outcome)` is called after each
    attempt. The thread starts with `start()`, typically once the database is open:
    lines put before wait their turn.
    """

    def __init__(
        self,
        write: Callable[[Pending], tuple[str, object]],
        report: Callable[[Outcome], None],
    ) -> None:
        self._write = write
        self._report = report
        self._items: deque[Pending] = deque()
        self._wake = threading.Condition()
        self._stopped = False
        self._closing = False
        self.finished = 0
        """Lines written or refused so far (each reported once)."""
        self._answer: bool | None = None
        self._thread: threading.Thread | None = None

    def put(self, pending: Pending, *, first: bool = False) -> None:
        """Queue `pending` last (or `first`: a line given back that must not be overtaken)."""
        with self._wake:
            if first:
                self._items.appendleft(pending)
            else:
                self._items.append(pending)
            self._wake.notify()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="write-queue", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """End now; lines not written yet are dropped."""
        with self._wake:
            self._stopped = True
            self._wake.notify_all()

    def close(self) -> None:
        """End once every line put so far is written (or refused)."""
        with self._wake:
            self._closing = True
            self._wake.notify_all()
        self.start()

    def __len__(self) -> int:
        """Lines not written yet (the one being written included)."""
        with self._wake:
            return len(self._items)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until every line put so far is written or refused (tests, quitting)."""
        with self._wake:
            return self._wake.wait_for(lambda: self._stopped or not self._items, timeout=timeout)

    def _run(self) -> None:
        delay = RETRY_FIRST_S
        while True:
            with self._wake:
                self._wake.wait_for(lambda: self._stopped or self._closing or bool(self._items))
                if self._stopped or not self._items:
                    return
                pending = self._items[0]
            try:
                message, result = self._write(pending)
            except StorageError as error:  # the database, not the line
                if len(self) == 1 and self._offer(pending, str(error)):
                    continue  # nothing typed after it: back in the scribe's line
                # Lines wait behind it: retry it, in order, until the database takes it.
                outcome = Outcome(pending, error=str(error), waiting=True, queued=len(self))
                self._safe_report(outcome)
                with self._wake:
                    self._wake.wait_for(lambda: self._stopped, timeout=delay)
                delay = min(delay * 2, RETRY_MAX_S)
                continue
            except Exception as error:  # refused for what it says: back to the scribe
                done = Outcome(pending, error=_one_line(error))
            else:
                done = Outcome(pending, message=message, result=result)
            delay = RETRY_FIRST_S
            with self._wake:
                self._items.popleft()
                self.finished += 1
                done = Outcome(
                    done.pending,
                    done.message,
                    done.error,
                    queued=len(self._items),
                    result=done.result,
                )
                self._wake.notify_all()
            self._safe_report(done)

    def _offer(self, pending: Pending, error: str) -> bool:
        """Offer the head line back to the scribe (`returned`) and wait for the answer
        (`taken`): taken, it leaves the queue; not taken, it stays first, to be retried."""
        with self._wake:
            self._answer = None
        self._safe_report(Outcome(pending, error=error, returned=True, queued=1))
        with self._wake:
            self._wake.wait_for(lambda: self._stopped or self._answer is not None, timeout=5)
            if not self._answer:
                return False
            self._items.popleft()
            self.finished += 1
            self._wake.notify_all()
            return True

    def taken(self, taken: bool) -> None:
        """The answer to a line offered back: in the scribe's line now (True), or not."""
        with self._wake:
            self._answer = taken
            self._wake.notify_all()

    def _safe_report(self, outcome: Outcome) -> None:
        try:
            self._report(outcome)
        except Exception:  # the screen is gone: the write itself stands
            pass


def run_pending(
    pending: Pending,
    *,
    db: Database,
    number: int,
    author: str,
    now: datetime,
    open_deadlines: Sequence[Deadline] = (),
) -> tuple[str, object]:
    """Perform a pending line as `dispatch.run` does (it happened when it was entered),
    returning the status line's report and what the operation returned."""
    from incident_tui.domain.entry_syntax import LogEntry
    from incident_tui.domain.errors import IncidentError
    from incident_tui.ops.dispatch import OPERATIONS, Target

    command = pending.command
    performed = command
    entered_at = pending.entered_at
    if isinstance(command, LogEntry):
        if command.at is None and entered_at < now:
            performed = replace(command, at=entered_at)
    else:
        now = min(now, entered_at)
    operation = OPERATIONS.get(type(command))
    if operation is None:
        raise IncidentError(f"{type(command).__name__} is not something to run here")
    target = Target(db, number, author, now, open_deadlines)
    result = operation.perform(performed, target)
    return operation.said(command, result, target), result


def _one_line(error: BaseException) -> str:
    from incident_tui.domain.errors import IncidentError

    if isinstance(error, IncidentError):
        return str(error)
    return f"internal error: {type(error).__name__}: {error}"
