"""Running a drill: declare it, then replay the source's schedule through the operations,
waiting on real time scaled by the speed. No Textual: the CLI runs it in the foreground,
the app in a background thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from incident_tui import ops
from incident_tui.domain.clock import Clock
from incident_tui.domain.drill_schedule import (
    ReplayEvent,
    ReplayStep,
    describe,
    drill_title,
    format_speed,
    parse_speed,
    schedule,
    severity_at_start,
    source_events,
)
from incident_tui.domain.errors import IncidentError
from incident_tui.domain.timeparse import format_duration
from incident_tui.domain.vocabulary import incident_key
from incident_tui.ops import dispatch
from incident_tui.ops.dispatch import Target
from incident_tui.store import queries
from incident_tui.store.database import Database


@dataclass(frozen=True)
class DrillPlan:
    """A declared drill and what its replay will do."""

    number: int
    source_key: str
    speed: float
    started_at: datetime
    steps: list[ReplayStep]

    @property
    def key(self) -> str:
        return incident_key(self.number)

    def headline(self) -> str:
        length = self.steps[-1].offset if self.steps else timedelta(0)
        if length >= timedelta(seconds=1):
            over = f" over {format_duration(length)}"
        else:
            over = " within a second" if self.steps else ""
        events = "event" if len(self.steps) == 1 else "events"
        return (
            f"{self.key}: drill of {self.source_key} at {format_speed(self.speed)}, "
            f"{len(self.steps)} {events}{over}"
        )


def declare_drill(
    db: Database, *, key: str | int, speed: float | str, author: str, now: datetime
) -> DrillPlan:
    """Declare a drill of incident `key` (now, by `author`, at the severity the source
    was declared with) and plan its replay. Nothing is written when anything is wrong."""
    speed = parse_speed(speed)
    source = queries.drill_source(db, key)
    detail = source.detail
    steps = schedule(source_events(source), start=source.start, speed=speed)
    summary = f"Practice: a replay of {detail.key} at {format_speed(speed)}."
    if detail.summary:
        summary += f"\n\n{detail.summary}"
    number = ops.declare(
        db,
        title=drill_title(detail.title, ops.MAX_TITLE),
        severity=severity_at_start(detail),
        author=author,
        now=now,
        started_at=now,
        summary=summary,
        is_drill=True,
    )
    return DrillPlan(number, detail.key, speed, now, steps)


def perform(db: Database, number: int, event: ReplayEvent, now: datetime) -> None:
    """Do one replayed event to the drill, as its author, through the one operation that
    does it (the entry line's command table)."""
    dispatch.perform(event.command(), Target(db, number, event.author, now))


@dataclass(frozen=True)
class StepDone:
    """One step of the replay, done (`error` None) or skipped with the reason."""

    index: int
    step: ReplayStep
    at: datetime
    error: str | None = None


@dataclass(frozen=True)
class ReplayResult:
    replayed: int
    skipped: int
    total: int
    stopped: bool

    def summary(self, key: str) -> str:
        if self.stopped:
            done = self.replayed + self.skipped
            return f"{key}: replay stopped after {done} of {self.total} events"
        skipped = f" ({self.skipped} skipped)" if self.skipped else ""
        return f"{key}: replay done, {self.replayed} of {self.total} events replayed{skipped}"


class Replay:
    """Plays a drill's steps on time. `run()` in the caller's thread, or `start()` in a
    daemon thread that `stop()` ends at once (it never waits on anyone else).

    `wait(seconds)` sleeps and says whether the replay was stopped meanwhile, and
    `monotonic()` measures the time passed: both injectable, so tests do not wait.
    """

    def __init__(
        self,
        db: Database,
        plan: DrillPlan,
        *,
        clock: Clock,
        on_step: Callable[[StepDone], None] | None = None,
        wait: Callable[[float], bool] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self.plan = plan
        self.clock = clock
        self.on_step = on_step
        self._stop = threading.Event()
        self._wait = wait or self._stop.wait
        self._monotonic = monotonic
        # Offsets count from the drill's declaration (just before this), not from when
        # the app got round to starting the replay: the countdowns count from it too.
        self._began = monotonic()
        self._thread: threading.Thread | None = None
        self.result: ReplayResult | None = None

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def run(self) -> ReplayResult:
        """Replay every step at its time; an event the drill refuses (someone rehearsing
        already moved the phase there, say) is skipped with the reason."""
        replayed = skipped = 0
        steps = self.plan.steps
        for index, step in enumerate(steps):
            delay = step.offset.total_seconds() - (self._monotonic() - self._began)
            if self.stopped or (delay > 0 and self._wait(delay)) or self.stopped:
                break
            now = self.clock.now()
            error = None
            try:
                perform(self.db, self.plan.number, step.event, now)
            except IncidentError as failure:
                error = str(failure)
            except Exception as failure:  # a replay thread must never die with a traceback
                error = f"internal error: {type(failure).__name__}: {failure}"
            if error is None:
                replayed += 1
            else:
                skipped += 1
            if self.on_step is not None:
                self.on_step(StepDone(index, step, now, error))
        self.result = ReplayResult(replayed, skipped, len(steps), self.stopped)
        return self.result

    # --- in the background (the app) -----------------------------------------------

    def start(self, report: Callable[[str], None] = lambda _line: None) -> None:
        """Run in a daemon thread; `report` (which must not block) hears of skipped
        events and of the end."""
        user_on_step = self.on_step

        def on_step(done: StepDone) -> None:
            if user_on_step is not None:
                user_on_step(done)
            if done.error is not None:
                report(f"Drill replay skipped “{describe(done.step.event, 80)}”: {done.error}")

        def main() -> None:
            self.on_step = on_step
            result = self.run()
            if not result.stopped:
                report(result.summary(self.plan.key))

        report(self.plan.headline())
        self._thread = threading.Thread(target=main, name="incident-tui-drill", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Ask the replay to end; it does before its next event, without being waited for."""
        self._stop.set()

    def join(self, timeout: float | None = None) -> None:
        """Let a write in progress finish (after the app is gone, before the database is)."""
        if self._thread is not None:
            self._thread.join(timeout)
