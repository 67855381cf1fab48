"""Commands that hold the terminal: the TUI (`open`, or no command), `run` (a command
logged in the timeline), `drill` (a replay, in the war room or here) and `demo`."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from incident_tui.cli.command import PROG, Context, arg, command
from incident_tui.cli.web import READ_ONLY_ENV
from incident_tui.domain.errors import IncidentError

THEME = arg(
    "--theme",
    metavar="NAME",
    default=argparse.SUPPRESS,
    help="the TUI's theme (a Textual theme: nord, gruvbox, textual-light, …); remembered",
)


@command(
    "open",
    "open the TUI in an incident's war room",
    arg("key", metavar="KEY"),
    arg(
        "--read-only",
        action="store_true",
        help="observer mode: the same live view, with every write disabled",
    ),
    THEME,
    context=False,
)
def open_(args: argparse.Namespace) -> int:
    return run_app(args)


def run_app(
    args: argparse.Namespace,
    *,
    db_target: str | None = None,
    key: int | None = None,
    database: Any = None,
    background: Any = None,
) -> int:
    """The TUI on `db_target` (default: `--db`; or an open `database`), in `key`'s war
    room (default: `open KEY`), with `background` work running beside it."""
    from incident_tui.config import load_config
    from incident_tui.domain.clock import clock_from_env
    from incident_tui.domain.vocabulary import parse_key

    config = load_config(getattr(args, "config", None))
    if key is None and args.command == "open":
        key = parse_key(args.key)
    from incident_tui.app import IncidentApp, load_every_screen
    from incident_tui.widgets.keymap import checked_keymap
    from incident_tui.widgets.themes import starting_theme

    theme = starting_theme(getattr(args, "theme", None), config.theme)
    if config.keymap:
        load_every_screen()  # so every binding id is known
        checked_keymap(config.keymap)
    target = db_target or getattr(args, "db", None)
    app = IncidentApp(
        db_target=target,
        read_only_reason=None if database is not None else read_only_reason(target),
        config=config,
        clock=clock_from_env(),
        user=getattr(args, "user", None) or config.user_name,
        open_incident=key,
        read_only=getattr(args, "read_only", False) or os.environ.get(READ_ONLY_ENV) == "1",
        database=database,
        background=background,
        theme=theme,
        remember_theme=True,
    )
    app.run()
    if app.fatal_error:
        raise IncidentError(app.fatal_error)
    return 0


def read_only_reason(target: str | None) -> str | None:
    """Why the SQLite file at `target` cannot be written by us (the app then opens as an
    observer, saying why), or None."""
    from incident_tui.store.locations import resolve_target, sqlite_path
    from incident_tui.store.sqlite_files import read_only_reason as file_read_only_reason

    path = sqlite_path(resolve_target(target))
    return file_read_only_reason(path) if path is not None and path.is_file() else None


@command(
    "run",
    "run a command and log it (exit code, duration) in KEY's timeline",
    arg("key", metavar="KEY"),
    arg("command_line", nargs="*", metavar="CMD", help="after --: the command"),
    usage=f"{PROG} run KEY [--as NAME] -- CMD [ARG ...]",
    description="Run CMD (no shell) with its output shown live, then log one `action` "
    "entry in KEY's timeline: the command line, its exit code and how long it took. "
    "Exits with the command's own exit code.",
)
def run_(run: Context) -> int:
    """`run KEY -- CMD …`: the incident is checked first (no rollback against a typo'd
    KEY); the command runs; one `action` entry says how it went, even when it could not
    start. Exits with the command's code (127/126 when it could not start, 130 on Ctrl-C)."""
    from incident_tui import ops
    from incident_tui.cli import runner
    from incident_tui.domain.vocabulary import incident_key
    from incident_tui.store import queries

    a = run.args
    number = queries.incident_exists(run.db, a.key)
    author = ops.valid_name(run.user, "your name (--as)")
    outcome = runner.run_command(a.command_line, clock=run.clock)
    text = runner.entry_text(outcome)
    try:
        entry = ops.log_entry(
            run.db, key=number, text=text, author=author, now=run.clock.now(), kind="action"
        )
    except IncidentError as error:
        # The command ran (or was tried): its exit code stands; say what to log by hand.
        logged, failed = f"not logged in {incident_key(number)} ({error}): {text}", True
    else:
        logged, failed = f"{incident_key(number)} #{entry.id}: {text}", False
    if outcome.start_error is None and not failed:
        sys.stderr.write(f"{PROG}: {logged}\n")
    else:
        shown = runner.shown_command(outcome.argv[:1])
        cause = f"cannot run {shown}: {outcome.start_error}; " if outcome.start_error else ""
        sys.stderr.write(f"{PROG}: error: {cause}{logged}\n")
    return outcome.exit_status


@command(
    "drill",
    "practise: declare a drill that replays a past incident's timeline; prints its KEY",
    arg("key", metavar="KEY", help="the past incident to replay"),
    arg(
        "--speed",
        default="1",
        metavar="N",
        help="times real speed, fractions allowed (default 1; 60 plays an hour in a minute)",
    ),
    arg(
        "--no-open",
        action="store_true",
        help="replay in this terminal, one line per event, instead of opening the war room",
    ),
)
def drill(run: Context) -> int:
    """Declare a drill of KEY and replay the source into it: in the war room (the replay
    runs beside the app), or here, one line per event (--no-open)."""
    from incident_tui.domain.drill_schedule import describe, parse_speed, source_clock
    from incident_tui.domain.text import one_line
    from incident_tui.formats.progress import Bar
    from incident_tui.ops.replay import Replay, StepDone, declare_drill

    a = run.args
    speed = parse_speed(a.speed)  # before the database is even opened
    plan = declare_drill(run.db, key=a.key, speed=speed, author=run.user, now=run.now)
    print(plan.key, flush=True)
    if not a.no_open:
        replay = Replay(run.db, plan, clock=run.clock)
        try:
            return run_app(a, key=plan.number, database=run.db, background=replay)
        finally:
            replay.stop()
            replay.join(timeout=2.0)

    bar = Bar(f"drill {plan.key}", len(plan.steps), "events")

    def printed(done: StepDone) -> None:
        # describe() and one_line() keep user text to one clean line.
        line = f"{done.at:%H:%M:%S}Z  {source_clock(done.step.source_offset):>9}  "
        line += describe(done.step.event)
        if done.error is not None:
            line += f"  — skipped: {one_line(done.error, 200)}"
        bar.clear()
        print(line, flush=True)
        bar.update(done.index + 1, now=True)

    print(plan.headline(), flush=True)
    replay = Replay(run.db, plan, clock=run.clock, on_step=printed)
    try:
        result = replay.run()
    except KeyboardInterrupt:
        bar.done()
        replay.stop()
        sys.stderr.write(
            f"{PROG}: {plan.key}: replay stopped (the drill stays, as far as it got)\n"
        )
        return 130
    bar.done()
    print(result.summary(plan.key), flush=True)
    return 0


@command(
    "demo",
    "open a sample incident to explore, in a database of its own",
    arg("--no-open", action="store_true", help="only build the demo database and print its path"),
    context=False,
)
def demo(args: argparse.Namespace) -> int:
    """Build the sample incidents afresh in the demo's own database, then open the SEV1.

    Never the user's database: $INCIDENT_TUI_DB is ignored. An explicit `--db` must name a
    SQLite file that does not exist yet (the demo would otherwise mix with real incidents).
    """
    from incident_tui.cli.demo import demo_db_path, seed_demo
    from incident_tui.domain.clock import clock_from_env
    from incident_tui.store.database import open_database
    from incident_tui.store.locations import resolve_target, sqlite_path

    explicit = getattr(args, "db", None)
    path = sqlite_path(resolve_target(explicit)) if explicit else demo_db_path()
    if path is None:
        raise IncidentError("the demo needs a SQLite file of its own; --db must be a file path")
    if explicit and path.exists():
        raise IncidentError(
            f"{path} already exists; the demo builds a database of its own "
            "(name a new file, or leave out --db)"
        )
    for stale in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal"))):
        try:
            stale.unlink(missing_ok=True)
        except OSError as error:
            raise IncidentError(f"cannot remove the old demo {stale}: {error.strerror}") from None
    db = open_database(path)
    try:
        number = seed_demo(db, now=clock_from_env().now())
    finally:
        db.dispose()
    if args.no_open:
        print(path)
        return 0
    return run_app(args, db_target=str(path), key=number)
