"""`incident-tui web`'s server: textual-serve (aiohttp) runs one incident-tui per browser
session, in a subprocess driven by Textual's web driver. What is ours around it:

- the page (`web_page/app_index.html`): textual-serve's own, without its Google Fonts link
  (the Roboto Mono it ships is declared instead), so the page needs no network;
- its URLs come from the request's Host, so they are right for whatever address the
  browser used (a wildcard `--listen 0.0.0.0:…` has no single public URL);
- an aiohttp middleware in front of every route (page, websocket, static files,
  downloads): the token (`?token=…` or `Authorization: Bearer …`, then a same-site
  cookie the page's own requests carry), and on loopback without a token, a Host and
  Origin check, so another web site open in the same browser cannot reach the war room
  (a websocket is not held back by CORS; a rebound DNS name is refused by its Host);
- our own runner: port 0 picks a free port, one line says where, SIGINT/SIGTERM stop it.

Imported only by the `web` command: the TUI never imports textual-serve or aiohttp.
"""

from __future__ import annotations

import asyncio
import hmac
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp_jinja2
from aiohttp import web
from textual_serve.server import Server, to_int

from incident_tui.domain.errors import IncidentError

PAGE = Path(__file__).with_name("web_page")
COOKIE = "incident_tui_token"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class WebServer(Server):
    """textual-serve's Server with our page, URLs from the request, and the gate."""

    def __init__(self, command: str, *, host: str, port: int, token: str | None, title: str):
        super().__init__(command, host=host, port=port, title=title, templates_path=PAGE)
        self.token = token

    async def on_startup(self, app: web.Application) -> None:
        """textual-serve prints a banner here; we say where we listen once bound."""

    @aiohttp_jinja2.template("app_index.html")
    async def handle_index(self, request: web.Request) -> dict[str, Any]:
        origin = f"{request.scheme}://{request.host}"
        socket_scheme = "wss" if request.scheme == "https" else "ws"
        return {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": f"{socket_scheme}://{request.host}/ws",
            "config": {"static": {"url": f"{origin}/static/"}},
            "application": {"name": self.title},
        }

    async def gate(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """The middleware in front of every route (see the module's docstring)."""
        if self.token is None:
            allowed = {f"{name}:{self.port}" for name in LOOPBACK_NAMES}
            refused = refuse_foreign(request, allowed)
            return refused if refused is not None else await handler(request)
        given = presented_token(request)
        if given is None or not hmac.compare_digest(given.encode(), self.token.encode()):
            return web.Response(
                status=401,
                text="incident-tui web: missing or wrong token (open the page as /?token=…)\n",
            )
        response = await handler(request)
        if request.cookies.get(COOKIE) != given and not response.prepared:
            response.set_cookie(COOKIE, given, httponly=True, samesite="Strict", path="/")
        return response


def presented_token(request: web.Request) -> str | None:
    """The token a request carries: `?token=`, a bearer header, or the page's cookie."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return request.query.get("token") or request.cookies.get(COOKIE)


def refuse_foreign(request: web.Request, allowed: set[str]) -> web.Response | None:
    """On loopback without a token: only pages from this server, by a loopback name."""
    if request.host.lower() not in allowed:
        return web.Response(status=403, text="incident-tui web: use a loopback address\n")
    origin = request.headers.get("Origin")
    if origin is not None and urlsplit(origin).netloc.lower() not in allowed:
        return web.Response(status=403, text="incident-tui web: another site's page\n")
    return None


async def _serve(server: WebServer, host: str, port: int, note: str) -> None:
    application = await server._make_app()

    @web.middleware
    async def gate(request: web.Request, handler: Handler) -> web.StreamResponse:
        return await server.gate(request, handler)

    application.middlewares.append(gate)
    runner = web.AppRunner(application, handle_signals=False, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except OSError as error:
        await runner.cleanup()
        raise IncidentError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    bound = runner.addresses[0][1]
    server.port = bound  # port 0 picked one: the gate's loopback names carry it
    shown = f"[{host}]" if ":" in host else host
    sys.stderr.write(f"incident-tui web: serving on http://{shown}:{bound}/ {note}\n")
    sys.stderr.flush()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def serve(command: str, *, host: str, port: int, token: str | None, title: str, note: str) -> int:
    """Serve `command` (a shell command line) to browsers until SIGINT/SIGTERM; exit 0."""
    server = WebServer(command, host=host, port=port, token=token, title=title)
    asyncio.run(_serve(server, host, port, note))
    sys.stderr.write("incident-tui web: stopped\n")
    return 0
