"""A real browser for the tests: Debian's headless chromium, driven over the DevTools
protocol (CDP) with aiohttp's websocket client (aiohttp comes with the `web` extra).

What the page's terminal shows is drawn on a canvas (xterm.js with its WebGL or canvas
renderer), so the DOM holds no text. What the browser itself received does: CDP's
`Network.webSocketFrameReceived` reports every frame the page's websocket got, which is
the served app's terminal output. `screen_text()` is those bytes without escape
sequences; a screenshot is what a person sees.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import aiohttp

from tests.conftest import patience

ESCAPES = re.compile(
    rb"\x1b(?:\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[()][0-9A-Za-z]|.)"
)


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Browser:
    """One headless chromium with one page; `async with Browser(profile) as page: …`."""

    def __init__(self, profile: Path, width: int = 1280, height: int = 900, mobile: bool = False):
        self.profile = profile
        self.size = (width, height, mobile)
        self.process: subprocess.Popen | None = None
        self.received = bytearray()
        self.sockets_opened: list[str] = []
        self._session: aiohttp.ClientSession | None = None
        self._ws: Any = None
        self._next_id = 0
        self._answers: dict[int, asyncio.Future] = {}
        self._reader: asyncio.Task | None = None

    async def __aenter__(self) -> Browser:
        binary = chromium()
        assert binary is not None
        self.process = subprocess.Popen(
            [
                binary,
                "--headless",
                "--no-sandbox",  # root in a container
                "--disable-gpu",
                "--no-first-run",
                "--remote-debugging-port=0",
                f"--user-data-dir={self.profile}",
                f"--window-size={self.size[0]},{self.size[1]}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stderr is not None
        port = None
        for _ in patience():
            line = self.process.stderr.readline()
            if not line and self.process.poll() is not None:
                raise AssertionError("chromium exited before it listened")
            if "DevTools listening on ws://" in line:
                port = int(line.split("ws://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
                break
        assert port is not None, "chromium never said where DevTools listens"
        page_url = self._page_socket(port)
        self._session = aiohttp.ClientSession()
        self._ws = await self._session.ws_connect(page_url, max_msg_size=0)
        self._reader = asyncio.create_task(self._read())
        await self.call("Network.enable")
        await self.call("Page.enable")
        width, height, mobile = self.size
        await self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
        )
        return self

    def _page_socket(self, port: int) -> str:
        for _ in patience():
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
                pages = [t for t in json.load(r) if t.get("type") == "page"]
            if pages:
                return pages[0]["webSocketDebuggerUrl"]
            time.sleep(0.05)
        raise AssertionError("chromium has no page")

    async def __aexit__(self, *exc: object) -> None:
        if self._reader is not None:
            self._reader.cancel()
        if self._ws is not None:
            await self._ws.close()
        if self._session is not None:
            await self._session.close()
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    async def _read(self) -> None:
        async for message in self._ws:
            data = json.loads(message.data)
            if "id" in data:
                future = self._answers.pop(data["id"], None)
                if future is not None and not future.done():
                    future.set_result(data)
            elif data.get("method") == "Network.webSocketCreated":
                self.sockets_opened.append(data["params"]["url"])
            elif data.get("method") == "Network.webSocketFrameReceived":
                frame = data["params"]["response"]
                if frame["opcode"] == 2:  # binary: the app's terminal output
                    self.received += base64.b64decode(frame["payloadData"])

    async def call(self, method: str, params: dict | None = None) -> dict:
        self._next_id += 1
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self._answers[self._next_id] = future
        await self._ws.send_str(
            json.dumps({"id": self._next_id, "method": method, "params": params or {}})
        )
        answer = await asyncio.wait_for(future, timeout=60)
        if "error" in answer:
            raise AssertionError(f"{method}: {answer['error']}")
        return answer.get("result", {})

    async def open(self, url: str) -> None:
        await self.call("Page.navigate", {"url": url})

    def screen_text(self, since: int = 0) -> str:
        """What the app drew since byte `since`, escape sequences taken out."""
        return ESCAPES.sub(b"", bytes(self.received[since:])).decode("utf-8", "replace")

    async def until(self, condition: Any, what: str) -> None:
        for _ in patience():
            if condition():
                return
            await asyncio.sleep(0.1)
        raise AssertionError(
            f"never happened: {what}; the page showed, last: {self.screen_text()[-2000:]!r}"
        )

    async def type(self, text: str) -> None:
        """Keys into the page's terminal, as a person types them (then Enter)."""
        await self.call(
            "Runtime.evaluate",
            {"expression": "document.querySelector('.xterm-helper-textarea').focus()"},
        )
        await self.call("Input.insertText", {"text": text})
        for kind in ("keyDown", "keyUp"):
            await self.call(
                "Input.dispatchKeyEvent",
                {
                    "type": kind,
                    "key": "Enter",
                    "code": "Enter",
                    "windowsVirtualKeyCode": 13,
                    **({"text": "\r"} if kind == "keyDown" else {}),
                },
            )

    async def screenshot(self, path: Path) -> Path:
        shot = await self.call("Page.captureScreenshot", {"format": "png"})
        path.write_bytes(base64.b64decode(shot["data"]))
        return path
