"""Alerts in: `serve` (an HTTP receiver for alert webhooks) and `ingest` (the same
payloads from a file or standard input). Both take each payload in through
`ops.alerts.take_alerts`, one transaction per payload; the server lives in
`alert_server.py`, imported only by `serve`."""

from __future__ import annotations

import sys

from incident_tui.cli.command import Context, arg, command, print_json

_FORMATS = ("alertmanager", "grafana", "pagerduty", "generic")


@command(
    "ingest",
    "take in one alert webhook payload from FILE or standard input",
    arg("format", metavar="FORMAT", choices=_FORMATS, help=", ".join(_FORMATS)),
    arg("file", metavar="FILE", help="the payload (JSON); '-' reads standard input"),
    arg("--json", action="store_true", help="print what it did as JSON"),
)
def ingest(run: Context) -> int:
    from incident_tui.domain.alert_payloads import parse_payload
    from incident_tui.domain.errors import IncidentError
    from incident_tui.ops.alerts import take_alerts

    a = run.args
    if a.file == "-":
        body = sys.stdin.buffer.read()
    else:
        try:
            with open(a.file, "rb") as handle:
                body = handle.read()
        except OSError as error:
            raise IncidentError(f"cannot read {a.file}: {error.strerror or error}") from None
    group = parse_payload(a.format, body)
    taken = take_alerts(run.db, group, now=run.now, routes=run.config.alert_routes)
    if a.json:
        print_json(taken.as_json())
    else:
        print(taken.line())
    return 0


DEFAULT_LISTEN = "127.0.0.1:9095"
"""Loopback only, by default: another address needs a token."""


@command(
    "serve",
    "receive alert webhooks over HTTP: /alertmanager /grafana /pagerduty /generic",
    arg(
        "--listen",
        metavar="HOST:PORT",
        default=DEFAULT_LISTEN,
        help=f"address to listen on (default: {DEFAULT_LISTEN}; port 0 picks a free one)",
    ),
    arg(
        "--token-file",
        metavar="FILE",
        help="a file holding the bearer token every request must carry (required off loopback)",
    ),
)
def serve(run: Context) -> int:
    from incident_tui.cli.alert_server import UsageError, read_token
    from incident_tui.cli.alert_server import serve as serve_http
    from incident_tui.cli.command import PROG
    from incident_tui.ops.alerts import take_alerts

    a = run.args
    token = read_token(a.token_file) if a.token_file else None
    db = run.db  # opened (and migrated) before listening: its errors come first
    routes = run.config.alert_routes

    def take(group, now):  # type: ignore[no-untyped-def]
        return take_alerts(db, group, now=now, routes=routes)

    try:
        return serve_http(take, run.clock.now, listen=a.listen, token=token, where=db.where)
    except UsageError as error:
        sys.stderr.write(f"{PROG}: error: {error}\n")
        return 2
