"""`incident-tui web`: the war room in a real browser (Debian's headless chromium), the
observer default, `--allow-writes`, the token off loopback, and the TUI without
textual-serve."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import CliRunner, table_dump

pytest.importorskip("textual_serve", reason="the web extra (textual-serve) is not installed")

TITLE = "Checkout latency spike in eu-west"
NEWEST = "p99 back under 300ms after the rollback"
SETTLED = {"alice", "vacant", "acknowledge"}
"""Words of the roles and countdowns panes, read after the timeline: the screen is whole."""


class Web:
    """A running `incident-tui web`: its URL and what it logged."""

    def __init__(self, process: subprocess.Popen, url: str, lines: list[str]) -> None:
        self.process = process
        self.url = url
        self.lines = lines

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, str, dict]:
        request = urllib.request.Request(self.url + path.lstrip("/"), headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, answer.read().decode(errors="replace"), dict(answer.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace"), dict(error.headers)

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=60)


@pytest.fixture
def incident(cli: CliRunner) -> str:
    """A SEV1 on the wall clock: the served app runs on the real clock (the panes fill in
    as they do for a person), so the entries are logged on it too."""
    key = cli("declare", TITLE, "--severity", "1", "--commander", "alice", now=None).stdout
    key = key.strip()
    assert (
        cli(
            "log", key, "rolled back payments-api to v41", "--at", "-10m", "--as", "bob", now=None
        ).returncode
        == 0
    )
    assert (
        cli(
            "log", key, NEWEST, "--at", "-2m", "--kind", "finding", "--as", "carol", now=None
        ).returncode
        == 0
    )
    return key


@pytest.fixture
def web(db_path: Path, private_home: Path) -> Iterator[Callable[..., Web]]:
    started: list[Web] = []

    def start(*args: str) -> Web:
        env = dict(os.environ, INCIDENT_TUI_DB=str(db_path))
        process = subprocess.Popen(
            [sys.executable, "-m", "incident_tui", "web", "--listen", "127.0.0.1:0", *args],
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
            start_new_session=True,  # its session processes go with it
        )
        assert process.stderr is not None
        first = process.stderr.readline()
        assert "incident-tui web: serving on http://127.0.0.1:" in first, first
        lines: list[str] = []
        threading.Thread(target=lambda: lines.extend(process.stderr), daemon=True).start()  # type: ignore[arg-type]
        served = Web(process, first.split("serving on ")[1].split()[0], lines)
        started.append(served)
        return served

    yield start
    for served in started:
        if served.process.poll() is None:
            os.killpg(served.process.pid, signal.SIGKILL)
            served.process.wait()


@pytest.fixture
def browser_profile(tmp_path: Path) -> Path:
    from tests.browser import chromium

    if chromium() is None:
        pytest.skip("no chromium (Debian's package: apt-get install chromium)")
    return tmp_path / "chromium-profile"


async def test_a_browser_follows_the_war_room_read_only(
    web, incident: str, db_path: Path, browser_profile: Path, tmp_path: Path
) -> None:
    """Proof that a browser opened the page and the app ran and showed the incident:
    chromium (headless, real) loads the page, whose JavaScript opens the websocket,
    which makes textual-serve start `incident-tui open KEY` under Textual's web driver;
    the bytes that app draws reach the page's terminal. The page draws them on a
    canvas, so the DOM has no text: the assertion reads the frames the browser's own
    websocket received (CDP's Network.webSocketFrameReceived), i.e. what the terminal
    in the page was given to draw, until the title and the newest entry are there. The
    screenshot is for looking. Then keys typed into the page (as a person types, via
    CDP's Input domain) are refused on screen and change no row of the database."""
    from tests.browser import Browser

    before = table_dump(db_path)
    served = web(incident)
    async with Browser(browser_profile, 1280, 900) as page:
        await page.open(served.url)
        await page.until(
            lambda: TITLE in page.screen_text() and NEWEST in page.screen_text(),
            "the war room's title and newest entry in the browser",
        )
        assert any(
            url.startswith(served.url.replace("http:", "ws:") + "ws?width=")
            for url in page.sockets_opened
        )
        await page.until(lambda: SETTLED <= set(page.screen_text().split()), "every pane read")
        shot = await page.screenshot(tmp_path / "web-desktop.png")
        mark = len(page.received)
        await page.type("hello from the browser")
        await page.until(
            lambda: "nothing typed is written" in page.screen_text(mark),
            "the refusal of a write in observer mode",
        )
        await page.screenshot(tmp_path / "web-desktop-refused.png")
    assert shot.stat().st_size > 10_000
    assert table_dump(db_path) == before  # not an entry, not even a presence row
    assert served.stop() == 0


async def test_a_phone_sees_the_war_room(
    web, incident: str, browser_profile: Path, tmp_path: Path
) -> None:
    """At a phone's width (390×844) the page picks a font small enough for the app's
    60 columns (65 at 390 px), so the war room shows rather than the "too small" cover.
    Lines wrap at that width: the check is on words that fit one line."""
    from tests.browser import Browser

    served = web(incident)
    async with Browser(browser_profile, 390, 844, mobile=True) as page:
        await page.open(served.url)
        await page.until(
            lambda: (
                "Checkout latency spike" in page.screen_text() and NEWEST[:20] in page.screen_text()
            ),
            "the war room at a phone's width",
        )
        await page.until(lambda: SETTLED <= set(page.screen_text().split()), "every pane read")
        assert "too small" not in page.screen_text()
        await page.screenshot(tmp_path / "web-phone.png")
    assert served.stop() == 0


async def test_allow_writes_is_a_full_war_room(
    web, incident: str, db_path: Path, browser_profile: Path
) -> None:
    """With --allow-writes, a line typed into the page's entry line is a timeline entry."""
    from tests.browser import Browser

    served = web(incident, "--allow-writes", "--as", "dana")
    async with Browser(browser_profile) as page:
        await page.open(served.url)
        await page.until(lambda: NEWEST in page.screen_text(), "the war room")
        await page.type("hello from the browser")

        def logged() -> bool:
            rows = table_dump(db_path)["timeline_entry"]
            return any("hello from the browser" in map(str, row) for row in rows)

        await page.until(logged, "the typed line in the database")
    assert served.stop() == 0


def test_the_token_guards_page_socket_and_files(web, incident: str, tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("s3cret-token\n")
    served = web("--token-file", str(token))
    assert served.get("/")[0] == 401
    assert served.get("/static/js/textual.js")[0] == 401
    assert served.get("/ws")[0] == 401
    assert served.get("/?token=wrong")[0] == 401
    status, page, headers = served.get("/?token=s3cret-token")
    assert status == 200 and "textual.js" in page
    assert "incident_tui_token=s3cret-token" in headers["Set-Cookie"]
    assert "HttpOnly" in headers["Set-Cookie"] and "SameSite=Strict" in headers["Set-Cookie"]
    assert served.get("/", {"Authorization": "Bearer s3cret-token"})[0] == 200
    assert (
        served.get("/static/js/textual.js", {"Cookie": "incident_tui_token=s3cret-token"})[0] == 200
    )
    assert served.stop() == 0


def test_loopback_refuses_other_sites_and_names(web, incident: str) -> None:
    """Without a token, only loopback names and this server's own pages get in: a web
    site open in the same browser cannot open the websocket (no CORS for websockets),
    nor can a DNS name rebound to 127.0.0.1 read the page."""
    served = web()
    port = served.url.rsplit(":", 1)[1].strip("/")
    assert served.get("/")[0] == 200
    assert served.get("/", {"Host": f"localhost:{port}"})[0] == 200
    assert served.get("/", {"Host": f"evil.example:{port}"})[0] == 403
    assert served.get("/ws", {"Origin": "https://evil.example"})[0] == 403
    status, page, _ = served.get("/")
    assert "fonts.googleapis.com" not in page  # no network: the bundled font is declared
    assert "RobotoMono-VariableFont_wght.ttf" in page
    assert served.get("/static/fonts/RobotoMono-VariableFont_wght.ttf")[0] == 200
    assert served.stop() == 0


def test_off_loopback_needs_a_token(cli: CliRunner) -> None:
    result = cli("web", "--listen", "0.0.0.0:0")
    assert result.returncode == 2
    assert result.stderr == (
        "incident-tui: error: --listen 0.0.0.0:0: an address other than loopback needs "
        "--token-file\n"
    )


def test_an_unknown_key_fails_before_listening(cli: CliRunner) -> None:
    result = cli("web", "INC-9", "--listen", "127.0.0.1:0")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "INC-9" in result.stderr


def test_without_textual_serve_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], db_path: Path
) -> None:
    from incident_tui.cli import main

    monkeypatch.delitem(sys.modules, "incident_tui.cli.web_server", raising=False)
    monkeypatch.setitem(sys.modules, "textual_serve", None)
    monkeypatch.setitem(sys.modules, "textual_serve.server", None)
    assert main(["--db", str(db_path), "web"]) == 1
    assert capsys.readouterr().err == (
        "incident-tui: error: the web command needs textual-serve: "
        "pip install 'incident-tui[web]'\n"
    )


def test_the_tui_never_imports_textual_serve() -> None:
    code = (
        "import sys, incident_tui.app, incident_tui.cli; from incident_tui.cli import table; "
        "bad = [m for m in ('textual_serve', 'aiohttp') if m in sys.modules]; "
        "sys.exit(f'imported: {bad}' if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_observer_switch_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """$INCIDENT_TUI_READ_ONLY=1 (what `web` gives its sessions) opens the app as an
    observer, on the list as well as in a war room."""
    import incident_tui.app
    from incident_tui.cli import main

    seen: list[bool] = []

    class Recorded:
        fatal_error = None

        def __init__(self, **options: object) -> None:
            seen.append(bool(options["read_only"]))

        def run(self) -> None:
            pass

    monkeypatch.setattr(incident_tui.app, "IncidentApp", Recorded)
    monkeypatch.setenv("INCIDENT_TUI_READ_ONLY", "1")
    assert main([]) == 0
    monkeypatch.delenv("INCIDENT_TUI_READ_ONLY")
    assert main([]) == 0
    assert seen == [True, False]
