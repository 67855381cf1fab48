"""Events out: `watch` prints every change as it happens (one JSON object or one readable
line each) and, with `--hooks`, runs the config's hooks for them. It follows other
writers through the change feed, as the war room does, and reads what changed past its
cursor through `store/event_reads.py` (events composed by `domain/events.py`)."""

from __future__ import annotations

import sys

from incident_tui.cli.command import PROG, Context, arg, command

SAFETY_READ_S = 10.0
"""Between wake-ups, a read this often anyway (a notification lost on PostgreSQL)."""
CHECK_S = 1.0
"""How often the loop looks up from waiting (a reader that closed standard output)."""


@command(
    "watch",
    "print every change as it happens, one line each (or a JSON object: --json)",
    arg("key", nargs="?", metavar="KEY", help="only this incident (default: every incident)"),
    arg("--json", action="store_true", help="one JSON object per line"),
    arg("--hooks", action="store_true", help="also run the config's [[hooks.run]] commands"),
)
def watch(run: Context) -> int:
    import signal

    def stop(_signum, _frame):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        return _follow(run)
    except KeyboardInterrupt:
        return 0
    except BrokenPipeError:
        _quiet_stdout()
        return 0


def _quiet_stdout() -> None:
    """Standard output's reader is gone: nothing more goes there (not even at exit)."""
    import os

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except OSError:
        pass


def _reader_gone() -> bool:
    """Whether standard output is a pipe whose reader closed it (`watch | head -1`)."""
    import select

    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLERR)
        return any(mask & (select.POLLERR | select.POLLHUP) for _fd, mask in poller.poll(0))
    except (OSError, ValueError, AttributeError):
        return False


def _follow(run: Context) -> int:
    import json
    import threading
    import time

    from incident_tui.domain.errors import IncidentError
    from incident_tui.domain.events import EventFollower
    from incident_tui.formats.event_lines import event_line
    from incident_tui.store import event_reads
    from incident_tui.store.change_feed import ChangeFeed
    from incident_tui.store.queries import incident_exists

    a = run.args
    db = run.db
    number = incident_exists(db, a.key) if a.key else None
    runner = _hook_runner(run) if a.hooks else None
    follower = EventFollower(event_reads.newest_cursor(db), event_reads.lookback(db))
    if follower.lookback:  # what is already there, below the cursor, counts as told
        follower.skip(event_reads.read_changes(db, follower.read_after(), number))
    wake = threading.Event()
    feed = ChangeFeed(db.url, on_change=wake.set, on_health=_health)
    feed.start()
    what = f"INC-{number}" if number is not None else "every incident"
    hooks = f", running {len(runner.hooks)} hook(s)" if runner else ""
    sys.stderr.write(f"{PROG}: watching {what} in {db.where}{hooks}; Ctrl-C stops\n")
    wake.set()  # one read now: anything committed before the feed listened
    last_read = 0.0
    trouble: str | None = None
    try:
        while True:
            woken = wake.wait(CHECK_S)
            if _reader_gone():
                _quiet_stdout()
                return 0
            if not woken and time.monotonic() - last_read < SAFETY_READ_S:
                continue
            wake.clear()
            last_read = time.monotonic()
            try:
                changes = event_reads.read_changes(db, follower.read_after(), number)
            except IncidentError as error:
                if str(error) != trouble:
                    trouble = str(error)
                    sys.stderr.write(f"{PROG}: {trouble}; retrying\n")
                continue
            if trouble is not None:
                trouble = None
                sys.stderr.write(f"{PROG}: reading again\n")
            for event in follower.take(changes):
                line = json.dumps(event, ensure_ascii=False) if a.json else event_line(event)
                sys.stdout.write(line + "\n")
                sys.stdout.flush()
                if runner is not None:
                    runner.submit(event)
    finally:
        feed.stop()
        if runner is not None:
            dropped = runner.stop()
            if dropped:
                sys.stderr.write(f"{PROG}: stopped with {dropped} hook run(s) not done\n")


def _health(trouble: str | None) -> None:
    if trouble is not None:
        sys.stderr.write(f"{PROG}: {trouble}; retrying\n")


def _hook_runner(run: Context):  # type: ignore[no-untyped-def]
    from incident_tui.cli.hook_runner import HookRunner, failure_text
    from incident_tui.domain.errors import IncidentError
    from incident_tui.ops import record_hook_failure

    if not run.config.hooks:
        raise IncidentError(
            "no hooks to run: add [[hooks.run]] to the config file "
            f"({run.config.path or 'none read'})"
        )

    def failed(hook, event, trouble):  # type: ignore[no-untyped-def]
        text = failure_text(hook, event, trouble)
        sys.stderr.write(f"{PROG}: {text}\n")
        try:
            record_hook_failure(run.db, key=event["incident"], text=text, now=run.clock.now())
        except IncidentError as error:
            sys.stderr.write(f"{PROG}: could not record the failure: {error}\n")

    # A hook that calls incident-tui (`log` what it did) reaches the same database.
    env = {"INCIDENT_TUI_DB": run.db.url}
    if run.config.path is not None:
        env["INCIDENT_TUI_CONFIG"] = str(run.config.path)
    return HookRunner(run.config.hooks, failed, env)
