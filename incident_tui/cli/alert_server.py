"""`incident-tui serve`'s HTTP receiver for alert webhooks: the standard library's
ThreadingHTTPServer, one route per format, a bearer token, a body limit, one clean log
line per request on stderr. Each payload is taken in by `ops.alerts.take_alerts` (one
transaction) before the 200 goes out; nothing is written for a 4xx.

Imported only by the `serve` command, so no other command pays for http.server.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import socket
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from incident_tui.domain.alert_payloads import FORMATS, PayloadError, parse_payload
from incident_tui.domain.errors import IncidentError
from incident_tui.domain.text import one_line
from incident_tui.domain.timeparse import iso_z

MAX_BODY = 1024 * 1024
"""A payload larger than this (1 MiB) is refused with 413 and thrown away."""
MAX_DRAIN = 16 * 1024 * 1024
"""A refused body up to this size is read away before the 413; a larger one is cut off."""
ROUTES = {f"/{name}": name for name in FORMATS}


class UsageError(IncidentError):
    """A mistake in how `serve` was started (exit 2)."""


def parse_listen(text: str) -> tuple[str, int]:
    """`HOST:PORT` (`[::1]:9095` for IPv6), or a PORT alone on 127.0.0.1."""
    value = text.strip()
    if value.isdigit():
        host, port_text = "127.0.0.1", value
    else:
        host, sep, port_text = value.rpartition(":")
        if not sep or not host:
            raise UsageError(
                f"--listen {text!r}: expected HOST:PORT (127.0.0.1:9095; 0.0.0.0:9095 for "
                "every interface)"
            )
        host = host.removeprefix("[").removesuffix("]")
    if not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise UsageError(f"--listen {text!r}: the port must be a number from 0 to 65535")
    return host, int(port_text)


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def read_token(path: str) -> str:
    try:
        token = Path(path).expanduser().read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as error:
        raise IncidentError(f"token file {path} cannot be read: {error}") from None
    if not token or any(c.isspace() for c in token):
        raise IncidentError(f"token file {path}: expected one token, without spaces")
    return token


class Receiver:
    """What answers a request, apart from HTTP: the checks, the parse, the operation."""

    def __init__(
        self,
        take: Callable[[Any, datetime], Any],
        now: Callable[[], datetime],
        token: str | None,
        log: TextIO,
    ) -> None:
        self.take = take
        self.now = now
        self.token = token
        self.log = log
        self.lock = threading.Lock()  # one payload at a time: one writer anyway

    def authorized(self, header: str | None) -> bool:
        if self.token is None:
            return True
        scheme, _, given = (header or "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode("utf-8"), self.token.encode("utf-8")
        )

    def take_in(self, source: str, body: bytes) -> tuple[int, dict, str]:
        """(status, JSON answer, what the log line says) for one payload."""
        try:
            group = parse_payload(source, body)
        except PayloadError as error:
            return 400, {"error": str(error)}, one_line(str(error), 200)
        try:
            with self.lock:
                taken = self.take(group, self.now())
        except IncidentError as error:  # the database refused or is busy: try later
            return 503, {"error": str(error)}, one_line(str(error), 200)
        return 200, taken.as_json(), taken.line()

    def write_log(self, line: str) -> None:
        try:
            self.log.write(f"{iso_z(self.now())} {one_line(line, 500)}\n")
            self.log.flush()
        except (OSError, ValueError):
            pass


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "incident-tui"
        sys_version = ""
        protocol_version = "HTTP/1.1"
        timeout = 30  # a client that stops sending mid-request is dropped

        def _answer(self, status: int, body: dict, said: str, started: float) -> None:
            data = (json.dumps(body, ensure_ascii=False) + "\n").encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if status == 401:
                self.send_header("WWW-Authenticate", 'Bearer realm="incident-tui"')
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
            took = (time.perf_counter() - started) * 1000
            path = one_line(urlsplit(self.path).path, 100)
            receiver.write_log(
                f"{self.client_address[0]} {self.command} {path} {status} {said} ({took:.1f} ms)"
            )

        def _receive(self) -> None:
            started = time.perf_counter()
            path = urlsplit(self.path).path.rstrip("/")
            source = ROUTES.get(path)
            if source is None:
                self.close_connection = True
                self._discard_declared()
                routes = " ".join(ROUTES)
                self._answer(
                    404, {"error": f"no route {path!r}; routes: {routes}"}, "no such route", started
                )
                return
            if not receiver.authorized(self.headers.get("Authorization")):
                self.close_connection = True
                self._discard_declared()
                self._answer(
                    401, {"error": "missing or wrong bearer token"}, "unauthorized", started
                )
                return
            if self.headers.get("Transfer-Encoding"):
                self.close_connection = True
                self._answer(411, {"error": "send a Content-Length"}, "no length", started)
                return
            length_text = self.headers.get("Content-Length", "")
            if not length_text.strip().isdigit():
                self.close_connection = True
                self._answer(411, {"error": "send a Content-Length"}, "no length", started)
                return
            length = int(length_text)
            if length > MAX_BODY:
                self.close_connection = True
                self._discard(length)
                reason = f"body of {length:,} bytes; the limit is {MAX_BODY:,}"
                self._answer(413, {"error": reason}, reason, started)
                return
            body = self.rfile.read(length)
            if len(body) < length:
                self.close_connection = True
                self._answer(
                    400, {"error": "body shorter than its Content-Length"}, "short body", started
                )
                return
            try:
                status, answer, said = receiver.take_in(source, body)
            except Exception as error:  # never a traceback: one line, and a 500
                status, said = (
                    500,
                    f"internal error: {type(error).__name__}: {one_line(str(error), 200)}",
                )
                answer = {"error": said}
            self._answer(status, answer, said, started)

        def _discard(self, length: int) -> None:
            """Read a refused body away (up to MAX_DRAIN), so the sender, still sending,
            gets the 413 rather than a reset connection; nothing of it is kept."""
            left = min(length, MAX_DRAIN)
            while left > 0:
                chunk = self.rfile.read(min(left, 65536))
                if not chunk:
                    break
                left -= len(chunk)

        def _discard_declared(self) -> None:
            length = self.headers.get("Content-Length", "").strip()
            if length.isdigit() and not self.headers.get("Transfer-Encoding"):
                self._discard(int(length))

        do_POST = _receive
        do_PUT = _receive  # Grafana's webhook can be set to PUT

        def do_GET(self) -> None:
            started = time.perf_counter()
            if urlsplit(self.path).path in ("/", "/healthz"):
                self._answer(200, {"ok": True, "routes": list(ROUTES)}, "ok", started)
            else:
                self.close_connection = True
                self._answer(
                    405 if urlsplit(self.path).path.rstrip("/") in ROUTES else 404,
                    {"error": "POST a webhook payload to " + " ".join(ROUTES)},
                    "not a POST",
                    started,
                )

        do_HEAD = do_GET

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            pass  # `_answer` writes the one line

        def log_message(self, format: str, *args: Any) -> None:
            receiver.write_log(f"{self.client_address[0]} {format % args}")

    return Handler


class _Server(ThreadingHTTPServer):
    # Requests in flight finish (and log their line) before "stopped": server_close joins
    # them; a client that stops sending is dropped after the handler's timeout.
    daemon_threads = False
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError | TimeoutError):
            sys.stderr.write(
                f"incident-tui serve: {client_address[0]}: {type(error).__name__}: {error}\n"
            )


def serve(
    take: Callable[[Any, datetime], Any],
    now: Callable[[], datetime],
    *,
    listen: str,
    token: str | None,
    where: str,
    log: TextIO = sys.stderr,
) -> int:
    """Listen until Ctrl-C (or SIGTERM); exit 0. A non-loopback address needs a token."""
    host, port = parse_listen(listen)
    if token is None and not is_loopback(host):
        raise UsageError(f"--listen {listen}: an address other than loopback needs --token-file")
    server_class = (
        type("Server", (_Server,), {"address_family": socket.AF_INET6}) if ":" in host else _Server
    )
    receiver = Receiver(take, now, token, log)
    try:
        server = server_class((host, port), _handler(receiver))
    except OSError as error:
        raise IncidentError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    bound_host, bound_port = server.server_address[:2]
    shown = f"[{bound_host}]" if ":" in str(bound_host) else bound_host
    log.write(
        f"incident-tui serve: listening on http://{shown}:{bound_port} "
        f"({' '.join(ROUTES)}){' with a bearer token' if token else ''}; database {where}\n"
    )
    log.flush()
    import signal

    def stop(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    log.write("incident-tui serve: stopped\n")
    log.flush()
    return 0
