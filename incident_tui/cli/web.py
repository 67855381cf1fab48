"""`incident-tui web`: the war room in a browser, for those without a terminal.

textual-serve (the `web` extra) runs, for each browser session, this incident-tui on the
same database: `open KEY`, or the incident list; read-only unless `--allow-writes`.
The session's command line holds no secret: the database URL and the observer switch
reach it through the environment ($INCIDENT_TUI_DB, $INCIDENT_TUI_READ_ONLY). The server
itself is `web_server.py`, imported here only once the arguments are checked.
"""

from __future__ import annotations

import os
import shlex
import sys

from incident_tui.cli.command import PROG, Context, arg, command

DEFAULT_LISTEN = "127.0.0.1:8095"
"""Loopback only, by default: another address needs a token."""
READ_ONLY_ENV = "INCIDENT_TUI_READ_ONLY"
"""`1`: the TUI opens in observer mode (what `open --read-only` does), the list too."""


@command(
    "web",
    "serve the app to a browser: KEY's war room or the list (read-only unless --allow-writes)",
    arg("key", metavar="KEY", nargs="?", help="the incident to open (default: the list)"),
    arg(
        "--listen",
        metavar="HOST:PORT",
        default=DEFAULT_LISTEN,
        help=f"address to listen on (default: {DEFAULT_LISTEN}; port 0 picks a free one)",
    ),
    arg(
        "--allow-writes",
        action="store_true",
        help="a full war room: the browser can log, change phase, hand roles over",
    ),
    arg(
        "--token-file",
        metavar="FILE",
        help="a file holding the token the page must be opened with, ?token=… or a bearer "
        "header (required off loopback)",
    ),
)
def web(run: Context) -> int:
    from incident_tui.cli.alert_server import UsageError, is_loopback, parse_listen, read_token
    from incident_tui.store import queries
    from incident_tui.store.locations import DB_ENV, resolve_target

    a = run.args
    try:
        host, port = parse_listen(a.listen)
        if a.token_file is None and not is_loopback(host):
            raise UsageError(
                f"--listen {a.listen}: an address other than loopback needs --token-file"
            )
    except UsageError as error:
        sys.stderr.write(f"{PROG}: error: {error}\n")
        return 2
    token = read_token(a.token_file) if a.token_file else None
    try:
        from incident_tui.cli import web_server
    except ImportError:
        sys.stderr.write(
            f"{PROG}: error: the web command needs textual-serve: pip install 'incident-tui[web]'\n"
        )
        return 1
    where = run.db.where  # opened (and migrated) before anyone connects: its errors first
    key = None
    if a.key is not None:
        from incident_tui.domain.vocabulary import incident_key

        key = incident_key(queries.incident_exists(run.db, a.key))  # a typo fails here, once
    # Each session inherits this environment: the same database, observer or not.
    os.environ[DB_ENV] = resolve_target(getattr(a, "db", None))
    if a.allow_writes:
        os.environ.pop(READ_ONLY_ENV, None)
    else:
        os.environ[READ_ONLY_ENV] = "1"
    session = [sys.executable, "-m", "incident_tui"]
    if getattr(a, "config", None):
        session += ["--config", os.path.abspath(a.config)]
    if getattr(a, "user", None):
        session += ["--as", a.user]
    session += ["open", key] if key else []
    mode = "read and write" if a.allow_writes else "read-only"
    note = f"({key or 'the incident list'}, {mode}{', token required' if token else ''}); "
    note += f"database {where}"
    return web_server.serve(
        shlex.join(session),
        host=host,
        port=port,
        token=token,
        title=f"{PROG} {key}" if key else PROG,
        note=note,
    )
