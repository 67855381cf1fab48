"""Events out, with no service behind them: `statuspage DIR` writes a static status page
(`index.html`) and its Atom feed (`feed.xml`) from what the public was told."""

from __future__ import annotations

from incident_tui.cli.command import Context, arg, command

DEFAULT_DAYS = 7
MAX_DAYS = 3650


@command(
    "statuspage",
    "write a static status page (index.html) and Atom feed (feed.xml) into DIR",
    arg("dir", metavar="DIR", help="the folder to write into (made if missing)"),
    arg(
        "--days",
        metavar="N",
        type=int,
        default=DEFAULT_DAYS,
        help=f"show incidents resolved in the last N days (default: {DEFAULT_DAYS})",
    ),
    arg("--title", metavar="TEXT", help="the page's heading (default: 'Service status')"),
)
def statuspage(run: Context) -> int:
    from datetime import timedelta
    from pathlib import Path

    from incident_tui.domain.errors import IncidentError
    from incident_tui.domain.text import one_line
    from incident_tui.formats import status_page as page
    from incident_tui.store.public_reads import public_incidents

    a = run.args
    if not 0 <= a.days <= MAX_DAYS:
        raise IncidentError(f"--days must be 0 to {MAX_DAYS}, not {a.days}")
    title = one_line(a.title or "") or page.DEFAULT_TITLE
    folder = Path(a.dir).expanduser().absolute()
    incidents = public_incidents(run.db, resolved_since=run.now - timedelta(days=a.days))
    tz = run.config.display_tz
    files = {
        # The feed first: a reader following the page's link finds what the page says.
        page.FEED: page.render_feed(incidents, now=run.now, feed=page.feed_id(folder), title=title),
        page.INDEX: page.render_index(incidents, now=run.now, days=a.days, tz=tz, title=title),
    }
    page.write_status_page(folder, files)
    current = sum(1 for i in incidents if i.current)
    updates = sum(len(i.updates) for i in incidents)
    print(
        f"{folder}: {current} in progress, {len(incidents) - current} resolved in "
        f"{a.days} days, {updates} updates"
    )
    return 0
