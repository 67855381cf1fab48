"""`incident-tui run KEY -- CMD ARGS…`: run a command for the incident, and say in its
timeline what was run, how it ended and how long it took.

No database here: `run_command` runs the command and returns what happened; the caller
logs `entry_text(outcome)` with the ordinary `log` operation.

The command gets the terminal as it is (its stdin, stdout and stderr are ours, so its
output appears live, colours and prompts included) and no shell. Ctrl-C reaches it from
the terminal directly, as it would without us; a SIGINT, SIGTERM or SIGHUP sent to
incident-tui alone (`kill`, `timeout`, a supervisor) is passed on to it. Either way we
wait for it to end, so the timeline can say it was interrupted.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from incident_tui.domain.clock import Clock
from incident_tui.domain.text import one_line
from incident_tui.domain.timeparse import format_duration

MAX_COMMAND_SHOWN = 400
"""The command line in the entry is cut (with …) past this many characters."""
SI_KERNEL = 0x80
"""Linux's si_code for a signal the kernel sent: the terminal's Ctrl-C (a `kill` is 0)."""
_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
_INTERRUPTIONS = {
    signal.SIGINT: "Ctrl-C",
    signal.SIGTERM: "SIGTERM",
    signal.SIGHUP: "SIGHUP (terminal closed)",
}


@dataclass(frozen=True)
class RunOutcome:
    argv: tuple[str, ...]
    started_at: datetime
    ended_at: datetime
    seconds: float
    returncode: int | None = None
    """The command's exit code, negative for the signal that killed it; None: not started."""
    start_error: str | None = None
    """Why it could not be started (`command not found`, `permission denied`)."""
    interrupted_by: int | None = None
    """The signal (SIGINT for Ctrl-C) that interrupted the run, if any."""

    @property
    def exit_status(self) -> int:
        """What `incident-tui run` exits with: the command's own code; like a shell, 127
        when it was not found and 126 when it could not be executed, 128+N after signal N
        (130 after Ctrl-C)."""
        if self.start_error is not None:
            return 127 if self.start_error == "command not found" else 126
        if self.interrupted_by is not None:
            return 128 + self.interrupted_by
        assert self.returncode is not None
        return 128 - self.returncode if self.returncode < 0 else self.returncode

    @property
    def command(self) -> str:
        return shown_command(self.argv)


def shown_command(argv: Sequence[str]) -> str:
    """The command line as a shell would take it, on one line, control characters gone,
    cut to `MAX_COMMAND_SHOWN` characters."""
    return one_line(shlex.join(argv), MAX_COMMAND_SHOWN)


def _took(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    return format_duration(timedelta(seconds=round(seconds)))


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def entry_text(outcome: RunOutcome) -> str:
    """The timeline entry: `ran \\`kubectl rollout undo deploy/x\\` → exit 0 in 12.3 s`."""
    command = f"`{outcome.command}`"
    if outcome.start_error is not None:
        return f"tried to run {command} → could not start: {outcome.start_error}"
    took = _took(outcome.seconds)
    code = outcome.returncode
    assert code is not None
    ended = f"killed by {_signal_name(-code)}" if code < 0 else f"exit {code}"
    if outcome.interrupted_by is not None:
        by = _INTERRUPTIONS.get(outcome.interrupted_by, _signal_name(outcome.interrupted_by))
        text = f"ran {command} → interrupted by {by} after {took} ({ended})"
    else:
        text = f"ran {command} → {ended} in {took}"
    if outcome.seconds >= 60:
        text += f" (started {outcome.started_at:%H:%M:%S}Z)"
    return text


def _start_error(error: OSError) -> str:
    if isinstance(error, FileNotFoundError):
        return "command not found"
    if isinstance(error, PermissionError):
        return "permission denied"
    return one_line(error.strerror or str(error), 200)


def run_command(argv: Sequence[str], *, clock: Clock) -> RunOutcome:
    """Run `argv` (no shell) attached to our terminal; wait for it, whatever happens."""
    argv = tuple(argv)
    started_at = clock.now()
    began = time.monotonic()
    waitable = hasattr(signal, "sigtimedwait")
    watched = set(_SIGNALS) | {signal.SIGCHLD}
    if waitable:
        # Take the signals as data while the command runs (sigtimedwait tells who sent
        # each); the command itself starts with none of them blocked.
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, watched)
    try:
        try:
            child = subprocess.Popen(
                argv,
                preexec_fn=(lambda: signal.pthread_sigmask(signal.SIG_SETMASK, previous))
                if waitable
                else None,
            )
        except OSError as error:
            return RunOutcome(
                argv,
                started_at,
                clock.now(),
                time.monotonic() - began,
                start_error=_start_error(error),
            )
        interrupted = _wait_blocked(child, watched) if waitable else _wait_handled(child)
    finally:
        if waitable:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
    return RunOutcome(
        argv,
        started_at,
        clock.now(),
        time.monotonic() - began,
        returncode=child.returncode,
        interrupted_by=interrupted,
    )


def _wait_blocked(child: subprocess.Popen, watched: set[int]) -> int | None:
    interrupted: int | None = None
    while child.poll() is None:
        info = signal.sigtimedwait(watched, 0.25)
        if info is None or info.si_signo == signal.SIGCHLD:
            continue
        if interrupted is None:
            interrupted = info.si_signo
        # The terminal's Ctrl-C already reached the command (same process group); a
        # signal sent to us alone is passed on.
        if info.si_code != SI_KERNEL:
            _forward(child, info.si_signo)
    # A Ctrl-C just as the command ended is still pending: take it here, where it counts,
    # rather than let it break in once the signals are unblocked (before the entry is out).
    while (info := signal.sigtimedwait(watched, 0)) is not None:
        if interrupted is None and info.si_signo != signal.SIGCHLD:
            interrupted = info.si_signo
    return interrupted


def _wait_handled(child: subprocess.Popen) -> int | None:  # pragma: no cover — not Linux
    """Where signals cannot be waited for (macOS): handlers note and pass them on, unless
    we run in the terminal's foreground, where the terminal sent it to the command too."""
    interrupted: list[int] = []

    def handler(number: int, _frame: object) -> None:
        interrupted.append(number)
        try:
            foreground = os.tcgetpgrp(0) == os.getpgrp()
        except OSError:
            foreground = False
        if not foreground or number != signal.SIGINT:
            _forward(child, number)

    old = {number: signal.signal(number, handler) for number in _SIGNALS}
    try:
        while True:
            try:
                child.wait()
                break
            except InterruptedError:
                continue
    finally:
        for number, action in old.items():
            signal.signal(number, action)
    return interrupted[0] if interrupted else None


def _forward(child: subprocess.Popen, number: int) -> None:
    try:
        child.send_signal(number)
    except ProcessLookupError:
        pass
