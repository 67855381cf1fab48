"""Commands on one incident's state, timeline, roles, updates and action items: each
performed through the operations (the entry line's table, `ops.dispatch.perform`, where the
entry line has the same command)."""

from __future__ import annotations

from incident_tui.cli.command import Context, arg, command, text_arg

_KEY = arg("key", metavar="KEY")
_AT = arg("--at", metavar="TIME", help="when it happened (default: now)")


def _key(key: str) -> str:
    from incident_tui.domain.vocabulary import incident_key, parse_key

    return incident_key(parse_key(key))


@command(
    "declare",
    "declare an incident; prints its KEY",
    arg("title", metavar="TITLE"),
    arg("--severity", "-s", required=True, metavar="N", help="1 (worst) to 4"),
    arg("--commander", metavar="NAME"),
    arg("--started-at", metavar="TIME", help="when impact began (default: now)"),
    arg("--summary", metavar="TEXT", default=""),
    arg(
        "--service",
        action="append",
        default=[],
        metavar="NAME",
        help="a service it affects (repeatable)",
    ),
    arg("--label", action="append", default=[], metavar="KEY=VALUE", help="a label (repeatable)"),
    arg("--type", metavar="NAME", help="its type, one of the config's [types.NAME]"),
)
def declare(run: Context) -> int:
    from incident_tui import ops
    from incident_tui.domain.context import context_change
    from incident_tui.domain.vocabulary import incident_key

    a = run.args
    at = run.time(a.started_at)
    known = tuple(run.config.types)
    change = context_change(
        services=a.service, labels=a.label, incident_type=a.type, known_types=known
    )
    number = ops.declare(
        run.db,
        title=a.title,
        severity=a.severity,
        author=run.user,
        now=run.now,
        commander=a.commander,
        started_at=at,
        summary=a.summary,
        context=change,
        known_types=known,
    )
    print(incident_key(number))
    return 0


@command(
    "log",
    "add a timeline entry",
    _KEY,
    arg("text", metavar="TEXT", nargs="?", help="the entry; '-' reads it from standard input"),
    _AT,
    arg("--kind", default="note", help="note, alert, finding, decision or action (default: note)"),
    arg(
        "--lines",
        metavar="FILE",
        help="instead of TEXT: one entry per timestamped line of FILE ('-': standard input), "
        "in one transaction (HH:MM text, ISO 8601 then text, journalctl -o short-iso)",
    ),
    arg(
        "--slack",
        metavar="DIR",
        help="instead of TEXT: a Slack channel export's folder (its day files, and users.json "
        "beside it or in it), one entry per message at its time, the speaker as --actor",
    ),
    arg("--author", metavar="NAME"),
    arg(
        "--actor",
        metavar="NAME",
        help="who did it, when not the author (a named engineer, 'CI/CD pipeline')",
    ),
    arg("--pin", action="store_true", help="mark it as a key event"),
)
def log(run: Context) -> int:
    # `ops.log_entry` itself, which is all `perform(LogEntry(…))` does for a log: the
    # entry line's parser and the dispatch table would be most of an alert hook's wait.
    from incident_tui.domain.timeparse import iso_z
    from incident_tui.ops.entries import log_entry

    a = run.args
    if a.lines is not None or a.slack is not None:
        from incident_tui.cli.timeline_import import log_lines, log_slack

        return log_slack(run) if a.slack is not None else log_lines(run)
    if a.text is None:
        from incident_tui.cli.timeline_import import usage

        return usage("say what to log: TEXT, --lines FILE or --slack DIR")
    at = run.time(a.at)
    db = run.db  # opened before TEXT is read: a database error comes first, stdin untouched
    text = text_arg(a.text)
    entry = log_entry(
        db,
        key=a.key,
        text=text,
        author=a.author or run.user,
        now=run.now,
        at=at,
        kind=a.kind,
        pinned=a.pin,
        actor=a.actor,
    )
    print(f"{_key(a.key)}: {entry.kind} #{entry.id} at {iso_z(entry.occurred_at)}")
    return 0


@command(
    "phase",
    "move an incident to a phase",
    _KEY,
    arg(
        "phase",
        metavar="PHASE",
        help="triage, investigating, identified, mitigating, monitoring, resolved or closed",
    ),
    _AT,
)
def phase(run: Context) -> int:
    from incident_tui.domain.entry_syntax import SetPhase
    from incident_tui.ops.dispatch import perform

    at = run.time(run.args.at)
    print(perform(SetPhase(run.args.phase, at), run.target(run.args.key)))
    return 0


@command("severity", "change an incident's severity", _KEY, arg("severity", metavar="N"))
def severity(run: Context) -> int:
    from incident_tui.domain.entry_syntax import SetSeverity
    from incident_tui.ops.dispatch import perform

    print(perform(SetSeverity(run.args.severity), run.target(run.args.key)))
    return 0


@command(
    "role",
    "hand a role to someone (NAME '-' vacates it)",
    _KEY,
    arg(
        "role",
        metavar="ROLE",
        help="commander, tech_lead, comms, scribe, or any other (sme:database)",
    ),
    arg("name", metavar="NAME"),
)
def role(run: Context) -> int:
    from incident_tui.domain.entry_syntax import HandOverRole
    from incident_tui.ops.dispatch import perform

    a = run.args
    holder = None if a.name.strip() == "-" else a.name
    print(perform(HandOverRole(a.role, holder), run.target(a.key)))
    return 0


@command(
    "update",
    "post a status update to an audience",
    _KEY,
    arg("audience", metavar="AUDIENCE", help="internal, external or executive"),
    arg("text", metavar="TEXT", help="the update; '-' reads it from standard input"),
    arg("--author", metavar="NAME"),
)
def update(run: Context) -> int:
    from incident_tui.domain.entry_syntax import PostUpdate
    from incident_tui.domain.timeparse import iso_z
    from incident_tui.ops.dispatch import perform

    a = run.args
    target = run.target(a.key, a.author)
    posted = perform(PostUpdate(a.audience, text_arg(a.text)), target)
    print(f"{_key(a.key)}: {posted.audience} update posted at {iso_z(posted.posted_at)}")
    return 0


@command(
    "context",
    "change an incident's services, labels or type",
    _KEY,
    arg("--service", action="append", default=[], metavar="NAME", help="add a service"),
    arg(
        "--remove-service",
        action="append",
        default=[],
        metavar="NAME",
        help="remove a service",
    ),
    arg(
        "--label",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="set a label (KEY= removes it)",
    ),
    arg("--type", metavar="NAME", help="set the type, one of the config's [types.NAME]"),
    arg("--clear-type", action="store_true", help="the incident has no type"),
)
def context(run: Context) -> int:
    from incident_tui.domain.context import context_change
    from incident_tui.domain.entry_syntax import SetContext
    from incident_tui.domain.errors import IncidentError
    from incident_tui.ops.dispatch import perform

    a = run.args
    if a.type and a.clear_type:
        raise IncidentError("give --type NAME or --clear-type, not both")
    known = tuple(run.config.types)
    change = context_change(
        services=a.service,
        remove_services=a.remove_service,
        labels=a.label,
        incident_type=a.type,
        known_types=known,
        clear_type=a.clear_type,
    )
    if change.is_empty():
        raise IncidentError("nothing to change: --service, --remove-service, --label, --type")
    print(f"{_key(a.key)}: {perform(SetContext(change, known), run.target(a.key))}")
    return 0


@command(
    "public",
    "say what customers notice (the status page's and SMS's words)",
    _KEY,
    arg("text", metavar="TEXT", help="plain words; '-' reads them from standard input"),
)
def public(run: Context) -> int:
    from incident_tui.domain.entry_syntax import SetPublicWords
    from incident_tui.ops.dispatch import perform

    a = run.args
    print(perform(SetPublicWords(text_arg(a.text)), run.target(a.key)))
    return 0


@command(
    "action",
    "raise an action item",
    _KEY,
    arg("description", metavar="DESCRIPTION"),
    arg("--owner", metavar="NAME"),
    arg("--due", metavar="DATE", help="YYYY-MM-DD, +7d, today, tomorrow"),
    arg("--priority", default="P2", metavar="P", help="P0, P1 or P2 (default P2)"),
    arg("--type", metavar="T", help="prevent, detect or mitigate"),
    arg("--ticket", metavar="REF", help="a ticket reference (e.g. OPS-123)"),
)
def action(run: Context) -> int:
    from incident_tui.domain.entry_syntax import RaiseAction
    from incident_tui.domain.timeparse import parse_date
    from incident_tui.ops.dispatch import perform

    a = run.args
    due = parse_date(a.due, today=run.now.date()) if a.due else None
    raised = RaiseAction(a.description, a.owner, due, a.priority, a.type, a.ticket)
    item = perform(raised, run.target(a.key))
    print(f"{_key(a.key)}: action item #{item.id}")
    return 0


@command(
    "milestone",
    "set a milestone by hand (started, detected, acknowledged, …)",
    _KEY,
    arg("milestone", metavar="NAME"),
    arg("at", metavar="TIME", help="when, or '-' to clear"),
)
def milestone(run: Context) -> int:
    from incident_tui import ops

    a = run.args
    at = None if a.at.strip() == "-" else run.time(a.at)
    print(
        ops.set_milestone(
            run.db, key=a.key, milestone=a.milestone, at=at, author=run.user, now=run.now
        )
    )
    return 0
