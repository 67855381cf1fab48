"""The real app in a real terminal: tmux, on a private server socket per test.

Keys go in through tmux (`send-keys`, `paste-buffer -p`) and so through the terminal's
input parser, as a user's do; what counts is read back from the SQLite file. Waits poll
the database or the screen with a generous deadline: never a fixed pause.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

PATIENCE_S = 90.0
"""How long a wait may take on a loaded machine before the test says what never came."""


def have_tmux() -> bool:
    return shutil.which("tmux") is not None


class Terminal:
    """One tmux session running one command, `width`×`height`."""

    def __init__(self, command: list[str], *, width: int = 120, height: int = 36) -> None:
        # A server of its own (`tmux -L`): the pid keeps xdist workers' names apart and
        # the random part tests of one process; none of them reaches the user's tmux.
        self.socket = f"itui-{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self.session = "t"
        env = {
            name: os.environ[name]
            for name in (
                "HOME",
                "XDG_DATA_HOME",
                "XDG_CONFIG_HOME",
                "USER",
                "LOGNAME",
                "PATH",
                "PYTHONPATH",
            )
            if name in os.environ
        }
        env["TERM"] = "xterm-256color"
        assigns = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        # env -i: nothing of the test process (COLUMNS, LINES from pytest) reaches the app.
        shell = f"exec env -i {assigns} {shlex.join(command)}"
        self._tmux(
            "new-session", "-d", "-s", self.session, "-x", str(width), "-y", str(height), shell
        )
        self._tmux("set-option", "-t", self.session, "remain-on-exit", "on")

    def _tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=True
        )
        return done.stdout

    @property
    def pid(self) -> int:
        return int(self._tmux("display-message", "-p", "-t", self.session, "#{pane_pid}"))

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", self.session)

    def type_lines(self, lines: list[str]) -> None:
        """Every line and its Enter with no pause: 100 lines per tmux command (tmux
        refuses a much longer one), one command right after the other."""
        for start in range(0, len(lines), 100):
            args: list[str] = []
            for line in lines[start : start + 100]:
                args += ["send-keys", "-t", self.session, "-l", line, ";"]
                args += ["send-keys", "-t", self.session, "Enter", ";"]
            self._tmux(*args[:-1])

    def paste(self, text: str) -> None:
        """A bracketed paste (the app asked for bracketed paste mode)."""
        self._tmux("set-buffer", "-b", "p", text)
        self._tmux("paste-buffer", "-p", "-d", "-b", "p", "-t", self.session)

    def press(self, *keys: str) -> None:
        self._tmux("send-keys", "-t", self.session, *keys)

    def wait_for_text(self, text: str, what: str | None = None) -> None:
        wait_until(lambda: text in self.screen(), what or f"{text!r} on screen", self.screen)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def wait_until(
    condition: Callable[[], bool], what: str, show: Callable[[], str] | None = None
) -> None:
    deadline = time.monotonic() + PATIENCE_S
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"never happened: {what}" + (f"\n{show()}" if show else ""))


def app_command(db_path: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "incident_tui", "--db", str(db_path), *args]


def stored_texts(db_path: Path, like: str) -> list[str]:
    """Texts of live entries matching `like`, in timeline order."""
    with sqlite3.connect(db_path) as connection:
        return [
            row[0]
            for row in connection.execute(
                "select text from timeline_entry where text like ? and deleted_at is null "
                "order by occurred_at, id",
                (like,),
            )
        ]
