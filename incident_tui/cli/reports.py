"""Commands that read: the incident list, one incident, and the reports across
incidents (action items, metrics, search). Text by default, JSON with `--json`; the list
and the reports take `--service NAME` (repeatable: any of them)."""

from __future__ import annotations

from incident_tui.cli.command import Context, arg, command, print_json
from incident_tui.domain.errors import IncidentError

DEFAULT_PERIOD_DAYS = 30
MAX_SEARCH_LIMIT = 10_000

_JSON = arg("--json", action="store_true")
_SERVICE = arg(
    "--service",
    action="append",
    dest="services",
    metavar="NAME",
    help="only incidents affecting NAME (repeatable: any of them)",
)


def _services(run: Context) -> tuple[str, ...]:
    """`--service` names, checked and lower-cased: a malformed one is a one-line error;
    one no incident has is fine (no rows)."""
    from incident_tui.store.reports import wanted_services

    return wanted_services(run.args.services)


@command(
    "list",
    "list incidents (active ones unless --all)",
    _JSON,
    arg("--all", action="store_true", help="include resolved and closed ones"),
    _SERVICE,
)
def list_(run: Context) -> int:
    from incident_tui.formats import cli_views as render
    from incident_tui.store import queries

    a = run.args
    services = _services(run)
    summaries = queries.list_incidents(
        run.db, now=run.now, include_closed=a.all, policy=run.config.policy, services=services
    )
    if a.json:
        print_json([render.summary_json(s, now=run.now) for s in summaries])
    elif summaries:
        print("\n".join(render.summary_lines(summaries, now=run.now)))
    else:
        scope = f" of {', '.join(services)}" if services else ""
        print(
            f"no incidents{scope}"
            if a.all
            else f"no active incidents{scope} (--all shows the rest)"
        )
    return 0


@command("show", "show one incident", arg("key", metavar="KEY"), _JSON)
def show(run: Context) -> int:
    from incident_tui.formats import cli_views as render
    from incident_tui.store import queries

    a = run.args
    policy = run.config.policy
    detail = queries.incident_detail(run.db, a.key)
    if a.json:
        print_json(render.detail_json(detail, now=run.now, policy=policy))
    else:
        lines = render.detail_lines(detail, now=run.now, tz=run.config.display_tz, policy=policy)
        print("\n".join(lines))
    return 0


@command(
    "actions",
    "action items across incidents, overdue and urgent ones first",
    arg("--owner", metavar="NAME", help="only NAME's items"),
    arg("--status", metavar="S", help="open, in-progress or done"),
    arg("--priority", metavar="P", help="P0, P1 or P2"),
    arg("--overdue", action="store_true", help="only items past their due date"),
    arg("--all", action="store_true", help="include done items"),
    _SERVICE,
    _JSON,
)
def actions(run: Context) -> int:
    from incident_tui.formats import cli_views as render
    from incident_tui.store import reports

    a = run.args
    services = _services(run)
    today = run.now.astimezone(run.config.display_tz).date()
    rows = reports.action_items(
        run.db,
        today=today,
        owner=a.owner,
        status=a.status,
        priority=a.priority,
        overdue=a.overdue,
        include_done=a.all,
        services=services,
    )
    if a.json:
        print_json([render.action_row_json(r, today=today) for r in rows])
    else:
        print("\n".join(render.action_lines(rows, today=today)) or "no action items")
    return 0


@command(
    "metrics",
    "MTTD/MTTA/MTTM/MTTR by severity, incidents per week, action items and update "
    "cadence, against the period before (drills left out), and per service",
    arg(
        "--since",
        metavar="DATE",
        help="start of the period (YYYY-MM-DD, -30d; default: 30 days ago)",
    ),
    arg("--until", metavar="DATE", help="end of the period (default: now)"),
    _SERVICE,
    _JSON,
)
def metrics(run: Context) -> int:
    from incident_tui.formats import cli_views as render
    from incident_tui.store import reports

    a = run.args
    services = _services(run)
    since, until = _period(run, a.since, a.until)
    found = reports.trends(
        run.db,
        since=since,
        until=until,
        today=run.now.astimezone(run.config.display_tz).date(),
        policy=run.config.policy,
        services=services,
    )
    if a.json:
        print_json(render.trends_json(found))
    else:
        print("\n".join(render.trends_lines(found)))
    return 0


@command(
    "search",
    "full-text search over every incident, best match first",
    arg("text", metavar="TEXT", nargs="+"),
    arg("--limit", type=int, default=50, metavar="N"),
    _SERVICE,
    _JSON,
)
def search(run: Context) -> int:
    from incident_tui.formats import cli_views as render
    from incident_tui.store import reports

    a = run.args
    if not 1 <= a.limit <= MAX_SEARCH_LIMIT:
        raise IncidentError(f"--limit must be from 1 to {MAX_SEARCH_LIMIT:,}")
    services = _services(run)
    hits = reports.search(run.db, " ".join(a.text), limit=a.limit, services=services)
    if a.json:
        print_json([render.hit_json(h) for h in hits])
    else:
        print("\n".join(render.hit_lines(hits, tz=run.config.display_tz)) or "no matches")
    return 0


def _period(run: Context, since: str | None, until: str | None):  # type: ignore[no-untyped-def]
    """[since, until) from `--since`/`--until` (dates are midnight in the display zone)."""
    from datetime import datetime, time, timedelta

    from incident_tui.domain.instants import calendar_day
    from incident_tui.domain.timeparse import parse_date

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


@command(
    "handoff",
    "draft the commander's handover brief: impact, hypothesis, ruled out, decisions, "
    "actions, roles, what was last said, next deadlines",
    arg("key", metavar="KEY"),
)
def handoff(run: Context) -> int:
    from incident_tui.domain.handoff import brief
    from incident_tui.store import queries

    detail = queries.incident_detail(run.db, run.args.key)
    print(brief(detail, now=run.now, tz=run.config.display_tz, policy=run.config.policy))
    return 0
