"""The command line: parse arguments, call the operations, print. No logic of its own."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from incident_tui import __version__
from incident_tui.errors import IncidentError
from incident_tui.text import without_surrogates

PROG = "incident-tui"


# `-5m`, `-1h30m`, `-30d`: relative times and dates, which argparse would otherwise take
# for options ("arguments are required: TIME"). None of our options looks like this.
_RELATIVE_ARG = re.compile(r"^-\d+(?:[.]\d+)?(?:[wdhms]\d*)*$", re.IGNORECASE)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line on stderr, like every other error, and a
    relative time (`-5m`) is a value wherever a TIME or DATE goes, no `--` needed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # argparse's own hook for "looks like a negative number, so it is a value".
        self._negative_number_matcher = _RELATIVE_ARG

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{PROG}: error: {message} (see {self.prog} --help)\n")
        raise SystemExit(2)


def _common() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    # SUPPRESS, so an option given before the command is not reset by the subparser.
    common.add_argument(
        "--db",
        default=argparse.SUPPRESS,
        metavar="PATH_OR_URL",
        help="database file or URL (default: $INCIDENT_TUI_DB, else a "
        "SQLite file in the user data dir)",
    )
    common.add_argument(
        "--config",
        default=argparse.SUPPRESS,
        metavar="FILE",
        help="config file (default: config.toml in the user config dir)",
    )
    common.add_argument(
        "--as",
        dest="user",
        default=argparse.SUPPRESS,
        metavar="NAME",
        help="who you are (default: the config's user.name, else the OS user)",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = _Parser(
        prog=PROG,
        parents=[common],
        description="The war room for production outages, in a terminal.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=[common], help=help, description=help)

    p = command("open", "open the TUI in an incident's war room")
    p.add_argument("key", metavar="KEY")
    p.add_argument(
        "--read-only",
        action="store_true",
        help="observer mode: the same live view, with every write disabled",
    )

    p = command("declare", "declare an incident; prints its KEY")
    p.add_argument("title", metavar="TITLE")
    p.add_argument("--severity", "-s", required=True, metavar="N", help="1 (worst) to 4")
    p.add_argument("--commander", metavar="NAME")
    p.add_argument("--started-at", metavar="TIME", help="when impact began (default: now)")
    p.add_argument("--summary", metavar="TEXT", default="")

    p = command("log", "add a timeline entry")
    p.add_argument("key", metavar="KEY")
    p.add_argument("text", metavar="TEXT", help="the entry; '-' reads it from standard input")
    p.add_argument("--at", metavar="TIME", help="when it happened (default: now)")
    p.add_argument(
        "--kind", default="note", help="note, alert, finding, decision or action (default: note)"
    )
    p.add_argument("--author", metavar="NAME")
    p.add_argument(
        "--actor",
        metavar="NAME",
        help="who did it, when not the author (a named engineer, 'CI/CD pipeline')",
    )
    p.add_argument("--pin", action="store_true", help="mark it as a key event")

    p = command("phase", "move an incident to a phase")
    p.add_argument("key", metavar="KEY")
    p.add_argument(
        "phase",
        metavar="PHASE",
        help="triage, investigating, identified, mitigating, monitoring, resolved or closed",
    )
    p.add_argument("--at", metavar="TIME", help="when it happened (default: now)")

    p = command("severity", "change an incident's severity")
    p.add_argument("key", metavar="KEY")
    p.add_argument("severity", metavar="N")

    p = command("role", "hand a role to someone (NAME '-' vacates it)")
    p.add_argument("key", metavar="KEY")
    p.add_argument(
        "role",
        metavar="ROLE",
        help="commander, tech_lead, comms, scribe, or any other (sme:database)",
    )
    p.add_argument("name", metavar="NAME")

    p = command("update", "post a status update to an audience")
    p.add_argument("key", metavar="KEY")
    p.add_argument("audience", metavar="AUDIENCE", help="internal, external or executive")
    p.add_argument("text", metavar="TEXT", help="the update; '-' reads it from standard input")
    p.add_argument("--author", metavar="NAME")

    p = command("public", "say what customers notice (the status page's and SMS's words)")
    p.add_argument("key", metavar="KEY")
    p.add_argument("text", metavar="TEXT", help="plain words; '-' reads them from standard input")

    p = command("action", "raise an action item")
    p.add_argument("key", metavar="KEY")
    p.add_argument("description", metavar="DESCRIPTION")
    p.add_argument("--owner", metavar="NAME")
    p.add_argument("--due", metavar="DATE", help="YYYY-MM-DD, +7d, today, tomorrow")
    p.add_argument("--priority", default="P2", metavar="P", help="P0, P1 or P2 (default P2)")
    p.add_argument("--type", metavar="T", help="prevent, detect or mitigate")
    p.add_argument("--ticket", metavar="REF", help="a ticket reference (e.g. OPS-123)")

    p = command("milestone", "set a milestone by hand (started, detected, acknowledged, …)")
    p.add_argument("key", metavar="KEY")
    p.add_argument("milestone", metavar="NAME")
    p.add_argument("at", metavar="TIME", help="when, or '-' to clear")

    p = command("export", "export the postmortem draft (Markdown or JSON)")
    p.add_argument("key", metavar="KEY", nargs="?")
    p.add_argument("--schema", action="store_true", help="print the JSON Schema of the JSON export")
    p.add_argument("--format", "-f", choices=("markdown", "json"), default="markdown")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: stdout)")
    p.add_argument("--force", action="store_true", help="overwrite an existing FILE")
    p.add_argument(
        "--check",
        action="store_true",
        help="only lint the draft: blaming phrasing, incomplete action items, missing "
        "whys, milestones and timeline gaps (exit 1 when anything is found)",
    )

    p = command("import", "read a JSON export back in as a new incident; prints its KEY")
    p.add_argument(
        "file", metavar="FILE", help="a file from `export KEY --format json`; '-' reads stdin"
    )

    p = sub.add_parser(
        "run",
        parents=[common],
        usage=f"{PROG} run KEY [--as NAME] -- CMD [ARG ...]",
        help="run a command and log it (exit code, duration) in KEY's timeline",
        description="Run CMD (no shell) with its output shown live, then log one `action` "
        "entry in KEY's timeline: the command line, its exit code and how long it took. "
        "Exits with the command's own exit code.",
    )
    p.add_argument("key", metavar="KEY")
    p.add_argument("command_line", nargs="*", metavar="CMD", help="after --: the command")

    p = command("list", "list incidents (active ones unless --all)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--all", action="store_true", help="include resolved and closed ones")

    p = command("show", "show one incident")
    p.add_argument("key", metavar="KEY")
    p.add_argument("--json", action="store_true")

    p = command("actions", "action items across incidents, overdue and urgent ones first")
    p.add_argument("--owner", metavar="NAME", help="only NAME's items")
    p.add_argument("--status", metavar="S", help="open, in-progress or done")
    p.add_argument("--priority", metavar="P", help="P0, P1 or P2")
    p.add_argument("--overdue", action="store_true", help="only items past their due date")
    p.add_argument("--all", action="store_true", help="include done items")
    p.add_argument("--json", action="store_true")

    p = command(
        "metrics",
        "MTTD/MTTA/MTTM/MTTR by severity, incidents per week, action items and update "
        "cadence, against the period before (drills left out)",
    )
    p.add_argument(
        "--since",
        metavar="DATE",
        help="start of the period (YYYY-MM-DD, -30d; default: 30 days ago)",
    )
    p.add_argument("--until", metavar="DATE", help="end of the period (default: now)")
    p.add_argument("--json", action="store_true")

    p = command("search", "full-text search over every incident, best match first")
    p.add_argument("text", metavar="TEXT", nargs="+")
    p.add_argument("--limit", type=int, default=50, metavar="N")
    p.add_argument("--json", action="store_true")

    p = command(
        "drill",
        "practise: declare a drill that replays a past incident's timeline; prints its KEY",
    )
    p.add_argument("key", metavar="KEY", help="the past incident to replay")
    p.add_argument(
        "--speed",
        default="1",
        metavar="N",
        help="times real speed, fractions allowed (default 1; 60 plays an hour in a minute)",
    )
    p.add_argument(
        "--no-open",
        action="store_true",
        help="replay in this terminal, one line per event, instead of opening the war room",
    )

    p = command(
        "check",
        "check the database: integrity, schema, WAL, permissions, rows (exit 1 on a problem)",
    )
    p.add_argument(
        "--full", action="store_true", help="the full integrity_check (slower than quick_check)"
    )

    p = command("demo", "open a sample incident to explore, in a database of its own")
    p.add_argument(
        "--no-open",
        action="store_true",
        help="only build the demo database and print its path",
    )
    return parser


class _Run:
    """What every command needs: config, clock, the user's name, the database (lazily)."""

    def __init__(self, args: argparse.Namespace) -> None:
        from incident_tui.clock import clock_from_env
        from incident_tui.config import load_config

        self.args = args
        self.config = load_config(getattr(args, "config", None))
        self.clock = clock_from_env()
        self.now = self.clock.now()
        self.user = getattr(args, "user", None) or self.config.user_name
        self._db = None

    @property
    def db(self):  # type: ignore[no-untyped-def]
        if self._db is None:
            from incident_tui.store import open_database

            self._db = open_database(getattr(self.args, "db", None))
        return self._db

    def time(self, text: str | None):  # type: ignore[no-untyped-def]
        if text is None:
            return None
        from incident_tui.timeparse import parse_past_time

        return parse_past_time(text, now=self.now, tz=self.config.display_tz)

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()


def _text_arg(value: str) -> str:
    """A TEXT argument; `-` means standard input (for long or multi-line text)."""
    if value == "-":
        # Bytes, so text that is not UTF-8 is logged with U+FFFD in place of the bad
        # bytes rather than failing the command.
        return sys.stdin.buffer.read().decode("utf-8", errors="replace")
    return value


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


def _run_command(run: _Run) -> int:  # noqa: C901 — one branch per command, nothing deeper
    from incident_tui import ops, queries, render
    from incident_tui.domain import incident_key, parse_key
    from incident_tui.timeparse import iso_z, parse_date

    a = run.args
    cmd = a.command
    if cmd == "declare":
        at = run.time(a.started_at)
        number = ops.declare(
            run.db,
            title=a.title,
            severity=a.severity,
            author=run.user,
            now=run.now,
            commander=a.commander,
            started_at=at,
            summary=a.summary,
        )
        print(incident_key(number))
    elif cmd == "log":
        at = run.time(a.at)
        entry = ops.log_entry(
            run.db,
            key=a.key,
            text=_text_arg(a.text),
            author=a.author or run.user,
            now=run.now,
            at=at,
            kind=a.kind,
            pinned=a.pin,
            actor=a.actor,
        )
        print(
            f"{incident_key(parse_key(a.key))}: {entry.kind} #{entry.id} at "
            f"{iso_z(entry.occurred_at)}"
        )
    elif cmd == "phase":
        at = run.time(a.at)
        print(ops.set_phase(run.db, key=a.key, phase=a.phase, author=run.user, now=run.now, at=at))
    elif cmd == "severity":
        print(
            ops.set_severity(run.db, key=a.key, severity=a.severity, author=run.user, now=run.now)
        )
    elif cmd == "role":
        holder = None if a.name.strip() == "-" else a.name
        print(
            ops.hand_over_role(
                run.db, key=a.key, role=a.role, holder=holder, author=run.user, now=run.now
            )
        )
    elif cmd == "update":
        update = ops.post_update(
            run.db,
            key=a.key,
            audience=a.audience,
            text=_text_arg(a.text),
            author=a.author or run.user,
            now=run.now,
        )
        print(
            f"{incident_key(parse_key(a.key))}: {update.audience} update posted at "
            f"{iso_z(update.posted_at)}"
        )
    elif cmd == "public":
        from incident_tui.public_words import set_public_description

        print(
            set_public_description(
                run.db, key=a.key, text=_text_arg(a.text), author=run.user, now=run.now
            )
        )
    elif cmd == "action":
        due = parse_date(a.due, today=run.now.date()) if a.due else None
        item = ops.add_action(
            run.db,
            key=a.key,
            description=a.description,
            author=run.user,
            now=run.now,
            owner=a.owner,
            due_date=due,
            priority=a.priority,
            type=a.type,
            ticket=a.ticket,
        )
        print(f"{incident_key(parse_key(a.key))}: action item #{item.id}")
    elif cmd == "milestone":
        at = None if a.at.strip() == "-" else run.time(a.at)
        print(
            ops.set_milestone(
                run.db, key=a.key, milestone=a.milestone, at=at, author=run.user, now=run.now
            )
        )
    elif cmd == "export":
        return _export(run)
    elif cmd == "import":
        from incident_tui import importer

        # The whole file is read and checked before the database is even opened; its
        # entries are read again as they are written (a million never sit in memory).
        with importer.streamed(a.file, now=run.now) as imported:
            result = importer.import_incident(run.db, imported, now=run.now)
        if not result.created:
            sys.stderr.write(
                f"{PROG}: {_exported_as(imported.source_key)} is already here as "
                f"{incident_key(result.number)} (same title, declared_at and declared_by); "
                "nothing imported\n"
            )
        print(incident_key(result.number))
    elif cmd == "run":
        return _run_logged(run)
    elif cmd == "list":
        summaries = queries.list_incidents(
            run.db, now=run.now, include_closed=a.all, policy=run.config.policy
        )
        if a.json:
            _print_json([render.summary_json(s, now=run.now) for s in summaries])
        else:
            if summaries:
                print("\n".join(render.summary_lines(summaries, now=run.now)))
            else:
                print("no incidents" if a.all else "no active incidents (--all shows the rest)")
    elif cmd == "show":
        detail = queries.incident_detail(run.db, a.key)
        if a.json:
            _print_json(render.detail_json(detail, now=run.now, policy=run.config.policy))
        else:
            print(
                "\n".join(
                    render.detail_lines(
                        detail, now=run.now, tz=run.config.display_tz, policy=run.config.policy
                    )
                )
            )
    elif cmd == "actions":
        from incident_tui import reports

        today = run.now.astimezone(run.config.display_tz).date()
        rows = reports.action_items(
            run.db,
            today=today,
            owner=a.owner,
            status=a.status,
            priority=a.priority,
            overdue=a.overdue,
            include_done=a.all,
        )
        if a.json:
            _print_json([render.action_row_json(r, today=today) for r in rows])
        else:
            print("\n".join(render.action_lines(rows, today=today)) or "no action items")
    elif cmd == "metrics":
        from incident_tui import reports

        since, until = _period(run, a.since, a.until)
        found = reports.trends(
            run.db,
            since=since,
            until=until,
            today=run.now.astimezone(run.config.display_tz).date(),
            policy=run.config.policy,
        )
        if a.json:
            _print_json(render.trends_json(found))
        else:
            print("\n".join(render.trends_lines(found)))
    elif cmd == "search":
        from incident_tui import reports

        if not 1 <= a.limit <= MAX_SEARCH_LIMIT:
            raise IncidentError(f"--limit must be from 1 to {MAX_SEARCH_LIMIT:,}")
        hits = reports.search(run.db, " ".join(a.text), limit=a.limit)
        if a.json:
            _print_json([render.hit_json(h) for h in hits])
        else:
            print("\n".join(render.hit_lines(hits, tz=run.config.display_tz)) or "no matches")
    else:  # pragma: no cover — argparse only lets known commands through
        raise IncidentError(f"unknown command {cmd!r}")
    return 0


DEFAULT_PERIOD_DAYS = 30
MAX_SEARCH_LIMIT = 10_000


def _period(run: _Run, since: str | None, until: str | None):  # type: ignore[no-untyped-def]
    """[since, until) from `--since`/`--until` (dates are midnight in the display zone)."""
    from datetime import datetime, time, timedelta

    from incident_tui.instants import calendar_day
    from incident_tui.timeparse import parse_date

    tz = run.config.display_tz
    today = run.now.astimezone(tz).date()

    def instant(text: str) -> datetime:
        day = calendar_day(parse_date(text, today=today), today=today, what=text.strip())
        return datetime.combine(day, time(), tzinfo=tz)

    end = instant(until) if until else run.now
    start = instant(since) if since else end - timedelta(days=DEFAULT_PERIOD_DAYS)
    if start >= end:
        raise IncidentError("--since must be before --until")
    return start, end


def _exported_as(key: str | None) -> str:
    return f"the incident exported as {key}" if key else "this incident"


def _run_logged(run: _Run) -> int:
    """`run KEY -- CMD …`: the incident is checked first (no rollback against a typo'd
    KEY); the command runs; one `action` entry says how it went, even when it could not
    start. Exits with the command's code (127/126 when it could not start, 130 on Ctrl-C)."""
    from incident_tui import ops, queries, runner
    from incident_tui.domain import incident_key

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
        command = runner.shown_command(outcome.argv[:1])
        cause = f"cannot run {command}: {outcome.start_error}; " if outcome.start_error else ""
        sys.stderr.write(f"{PROG}: error: {cause}{logged}\n")
    return outcome.exit_status


def _export_schema(args: argparse.Namespace) -> int:
    """`export --schema`: the JSON Schema of the JSON export (no database needed)."""
    import json

    from incident_tui.export_json import schema

    if not args.schema:
        raise IncidentError("export needs a KEY (or --schema for the JSON Schema)")
    if args.key:
        raise IncidentError("--schema takes no KEY: the schema is the same for every incident")
    sys.stdout.write(json.dumps(schema(), indent=2, ensure_ascii=False) + "\n")
    return 0


def _export(run: _Run) -> int:
    from incident_tui import export, queries
    from incident_tui.progress import working

    a = run.args
    with working(f"export {a.key}: reading"):
        draft = queries.postmortem_draft(run.db, a.key, now=run.now, policy=run.config.policy)
    if a.check:
        from incident_tui.lint import lint
        from incident_tui.text import one_line

        findings = lint(draft)
        for finding in findings:
            line = f"{finding.rule}: {finding.where}: {finding.message}"
            if finding.suggestion:
                line += f" — {finding.suggestion}"
            print(one_line(line))
        noun = "finding" if len(findings) == 1 else "findings"
        print(
            f"{draft.detail.key}: {len(findings)} {noun}"
            if findings
            else f"{draft.detail.key}: clean"
        )
        return 1 if findings else 0
    with working(f"export {a.key}: {a.format}"):
        text = export.render(draft, a.format, tz=run.config.display_tz)
    if a.output:
        from pathlib import Path

        print(export.write_atomically(Path(a.output), text, force=a.force))
    else:
        sys.stdout.write(text)
    return 0


def _run_app(
    args: argparse.Namespace,
    *,
    db_target: str | None = None,
    key: int | None = None,
    database: Any = None,
    background: Any = None,
) -> int:
    """The TUI on `db_target` (default: `--db`; or an open `database`), in `key`'s war
    room (default: `open KEY`), with `background` work running beside it."""
    from incident_tui.clock import clock_from_env
    from incident_tui.config import load_config
    from incident_tui.domain import parse_key

    config = load_config(getattr(args, "config", None))
    if key is None and args.command == "open":
        key = parse_key(args.key)
    from incident_tui.app import IncidentApp

    target = db_target or getattr(args, "db", None)
    app = IncidentApp(
        db_target=target,
        read_only_reason=None if database is not None else _read_only_reason(target),
        config=config,
        clock=clock_from_env(),
        user=getattr(args, "user", None) or config.user_name,
        open_incident=key,
        read_only=getattr(args, "read_only", False),
        database=database,
        background=background,
    )
    app.run()
    if app.fatal_error:
        raise IncidentError(app.fatal_error)
    return 0


def _read_only_reason(target: str | None) -> str | None:
    """Why the SQLite file at `target` cannot be written by us (the app then opens as an
    observer, saying why), or None."""
    from incident_tui.config import resolve_target, sqlite_path
    from incident_tui.sqlite_files import read_only_reason

    path = sqlite_path(resolve_target(target))
    return read_only_reason(path) if path is not None and path.is_file() else None


def _run_drill(run: _Run) -> int:
    """Declare a drill of KEY and replay the source into it: in the war room (the replay
    runs beside the app), or here, one line per event (--no-open)."""
    from incident_tui.drill import describe, parse_speed, source_clock
    from incident_tui.progress import Bar
    from incident_tui.replay import Replay, StepDone, declare_drill
    from incident_tui.text import one_line

    a = run.args
    speed = parse_speed(a.speed)  # before the database is even opened
    plan = declare_drill(run.db, key=a.key, speed=speed, author=run.user, now=run.now)
    print(plan.key, flush=True)
    if not a.no_open:
        replay = Replay(run.db, plan, clock=run.clock)
        try:
            return _run_app(a, key=plan.number, database=run.db, background=replay)
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


def _run_demo(args: argparse.Namespace) -> int:
    """Build the sample incidents afresh in the demo's own database, then open the SEV1.

    Never the user's database: $INCIDENT_TUI_DB is ignored. An explicit `--db` must name a
    SQLite file that does not exist yet (the demo would otherwise mix with real incidents).
    """
    from incident_tui.clock import clock_from_env
    from incident_tui.config import resolve_target, sqlite_path
    from incident_tui.demo import demo_db_path, seed_demo
    from incident_tui.store import open_database

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
    return _run_app(args, db_target=str(path), key=number)


def _parse(parser: argparse.ArgumentParser, argv: Sequence[str]) -> argparse.Namespace:
    """The arguments; for `run KEY … -- CMD ARGS…`, everything after the first `--` is the
    command, untouched (its own options are not ours)."""
    # Bytes that are not UTF-8 reach us as lone surrogates (surrogateescape); they can be
    # neither stored nor printed, so each becomes U+FFFD here, once for every command.
    # What follows `run … --` is the command's own and is passed on untouched.
    items = list(argv)
    cut = items.index("--") if "--" in items else len(items)
    running = "run" in items[:cut]
    items = [without_surrogates(item) for item in items[:cut]] + (
        items[cut:] if running else [without_surrogates(item) for item in items[cut:]]
    )
    if running and cut < len(items):
        args = parser.parse_args(items[:cut])
        if args.command == "run":
            if args.command_line:
                parser.error(f"put -- before the command: {PROG} run KEY -- CMD ARGS…")
            args.command_line = items[cut + 1 :]
            if not args.command_line:
                parser.error(f"no command after --: {PROG} run KEY -- CMD ARGS…")
            return args
    args = parser.parse_args(items)
    if args.command == "run":
        parser.error(f"put -- before the command: {PROG} run KEY -- CMD ARGS…")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = _parse(parser, sys.argv[1:] if argv is None else argv)
    run: _Run | None = None
    try:
        if args.command in (None, "open"):
            return _run_app(args)
        if args.command == "demo":
            return _run_demo(args)
        if args.command == "export" and (args.schema or not args.key):
            return _export_schema(args)
        if args.command == "check":
            from incident_tui.checkup import check

            checkup = check(getattr(args, "db", None), full=args.full)
            print("\n".join(checkup.lines()))
            return 1 if checkup.problems else 0
        run = _Run(args)
        if args.command == "drill":
            return _run_drill(run)
        return _run_command(run)
    except IncidentError as error:
        sys.stderr.write(f"{PROG}: error: {error}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG}: interrupted\n")
        return 130
    except BrokenPipeError:
        return 0
    except OverflowError as error:
        # A number or date too big for a conversion we missed: bad input, not a bug.
        sys.stderr.write(f"{PROG}: error: a value is out of range ({error})\n")
        return 1
    except Exception as error:  # never a traceback in the user's face
        if os.environ.get("INCIDENT_TUI_DEBUG"):
            raise
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        sys.stderr.write(
            f"{PROG}: internal error: {type(error).__name__}: {first} "
            "(set INCIDENT_TUI_DEBUG=1 for details)\n"
        )
        return 70
    finally:
        if run is not None:
            run.close()
