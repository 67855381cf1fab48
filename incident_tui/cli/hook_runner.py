"""Running the config's hooks (`watch --hooks`): each hook has a thread of its own that
runs its command once per event it wants, in order, with the event's JSON on stdin, in
a process group of its own (killed whole at the time limit). Reading the database never
waits for a hook, and a slow hook never holds up another."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import threading
from collections.abc import Callable
from typing import Any

from incident_tui.domain.hooks import Hook
from incident_tui.domain.text import one_line

Failed = Callable[[Hook, dict[str, Any], str], None]
"""Told (from a hook's thread) when a hook failed: the hook, the event, what happened."""


def _seconds(value: float) -> str:
    return f"{value:g} s"


def run_hook(
    hook: Hook,
    event: dict[str, Any],
    *,
    started: Callable[[Any], None],
    env: dict[str, str] | None = None,
) -> str | None:
    """Run `hook` for `event`; None when it exited 0, else what went wrong (one line).
    Its environment: ours, `env`, and the event's name and incident."""
    data = (json.dumps(event, ensure_ascii=False) + "\n").encode()
    env = {
        **os.environ,
        **(env or {}),
        "INCIDENT_TUI_EVENT": event["event"],
        "INCIDENT_TUI_INCIDENT": event["incident"],
    }
    try:
        process = subprocess.Popen(
            hook.command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            start_new_session=True,  # its own group: killed whole, and Ctrl-C is ours alone
        )
    except OSError as error:
        return f"could not start: {error.strerror or error}"
    started(process)
    try:
        _out, err = process.communicate(data, timeout=hook.timeout_s)
    except subprocess.TimeoutExpired:
        _kill(process)
        process.communicate()
        return f"timed out after {_seconds(hook.timeout_s)}, killed"
    if process.returncode == 0:
        return None
    if process.returncode < 0:
        how = f"killed by signal {-process.returncode}"
    else:
        how = f"exit {process.returncode}"
    lines = [line for line in err.decode("utf-8", errors="replace").splitlines() if line.strip()]
    return how + (f": {one_line(lines[-1], 200)}" if lines else "")


def _kill(process: subprocess.Popen) -> None:  # type: ignore[type-arg]
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()


class HookRunner:
    """One worker thread per hook; `submit` queues an event for every hook that wants it."""

    def __init__(
        self, hooks: tuple[Hook, ...], failed: Failed, env: dict[str, str] | None = None
    ) -> None:
        self.hooks = hooks
        self.failed = failed
        self.env = env or {}
        self._queues: list[queue.Queue[dict[str, Any] | None]] = []
        self._running: dict[int, Any] = {}
        self._stopping = threading.Event()
        for index, hook in enumerate(hooks):
            waiting: queue.Queue[dict[str, Any] | None] = queue.Queue()
            self._queues.append(waiting)
            threading.Thread(
                target=self._work,
                args=(index, hook, waiting),
                name=f"incident-tui-hook-{index}",
                daemon=True,
            ).start()

    def submit(self, event: dict[str, Any]) -> None:
        for hook, waiting in zip(self.hooks, self._queues, strict=True):
            if hook.wants(event):
                waiting.put(event)

    def _work(self, index: int, hook: Hook, waiting: queue.Queue[dict[str, Any] | None]) -> None:
        while True:
            event = waiting.get()
            if event is None or self._stopping.is_set():
                return
            trouble = run_hook(
                hook,
                event,
                started=lambda process: self._running.__setitem__(index, process),
                env=self.env,
            )
            self._running.pop(index, None)
            if trouble is not None and not self._stopping.is_set():
                self.failed(hook, event, trouble)

    def stop(self) -> int:
        """Stop: kill what runs, drop what waits; returns how many runs were dropped."""
        self._stopping.set()
        dropped = 0
        for waiting in self._queues:
            dropped += waiting.qsize()
            waiting.put(None)
        for process in list(self._running.values()):
            _kill(process)
            dropped += 1
        return dropped


def failure_text(hook: Hook, event: dict[str, Any], trouble: str) -> str:
    """The timeline's words: `hook chat failed on update.posted (update:4): exit 3: …`."""
    verb = "" if trouble.startswith("timed out") else "failed: "
    return f"Hook {hook.name} {verb}{trouble} (on {event['event']}, {event['id']})"
