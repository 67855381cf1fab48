"""The scribe in a real terminal: `incident-tui open` in tmux, keys as fast as tmux sends.

Pilot tests do not go through the terminal's input parser and deliver keys one at a
time; here bursts, pastes and a kill -9 go through everything a user's keys do. Each
line must be stored exactly once, as typed, in the order typed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from tests.terminal import Terminal, app_command, have_tmux, stored_texts, wait_until

pytestmark = pytest.mark.skipif(not have_tmux(), reason="needs tmux (.ci/run installs it)")

TITLE = "Checkout returns 502 for card payments"


@pytest.fixture
def declared(db_path):
    done = subprocess.run(
        app_command(db_path, "declare", TITLE, "--severity", "2", "--commander", "mira"),
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "INC-1"
    return db_path


@pytest.fixture
def war_room(declared):
    terminal = Terminal(app_command(declared, "open", "INC-1"))
    try:
        terminal.wait_for_text(TITLE, "the war room")
        yield terminal
    finally:
        terminal.close()


def wait_for_stored(db_path, like: str, count: int, terminal: Terminal) -> list[str]:
    wait_until(
        lambda: len(stored_texts(db_path, like)) >= count,
        f"{count} entries like {like!r} (have {len(stored_texts(db_path, like))})",
        terminal.screen,
    )
    return stored_texts(db_path, like)


def test_a_hundred_lines_in_one_burst_are_stored_once_each_in_order(declared, war_room):
    lines = [f"burst {i:03d}: checked pod checkout-{i} logs" for i in range(100)]
    war_room.type_lines(lines)
    assert wait_for_stored(declared, "burst %", 100, war_room) == lines
    war_room.wait_for_text("burst 099:", "the last line drawn")
    assert stored_texts(declared, "burst %") == lines  # nothing more came after


def test_lines_typed_while_another_process_holds_the_write_lock(declared, war_room):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            f"c = sqlite3.connect({str(declared)!r}, isolation_level=None)\n"
            "c.execute('BEGIN IMMEDIATE')\n"
            "print('locked', flush=True)\n"
            "time.sleep(2)\n"
            "c.execute('COMMIT')\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        lines = [f"locked {i:02d}: still waiting on the card processor" for i in range(20)]
        war_room.type_lines(lines)
        assert holder.wait() == 0
        assert wait_for_stored(declared, "locked %", 20, war_room) == lines
    finally:
        holder.kill()


def test_a_bracketed_paste_with_colour_codes_arrives_as_pasted(declared, war_room):
    war_room.press("-l", "pasted: ")
    war_room.paste("A \x1b[31mred\x1b[0m B")
    war_room.press("-l", " end")
    war_room.press("Enter")
    assert wait_for_stored(declared, "pasted:%", 1, war_room) == ["pasted: A red B end"]


def test_every_line_drawn_before_a_kill_9_is_stored_once(declared, war_room):
    lines = [f"before the crash {i:02d}" for i in range(20)]
    war_room.type_lines(lines)
    war_room.wait_for_text(lines[-1], "the last line drawn")
    os.kill(war_room.pid, signal.SIGKILL)
    assert stored_texts(declared, "before the crash %") == lines
    # And on restart nothing is written twice.
    again = Terminal(app_command(declared, "open", "INC-1"))
    try:
        again.wait_for_text(lines[-1], "the war room again")
        assert stored_texts(declared, "before the crash %") == lines
    finally:
        again.close()


def test_lines_typed_as_the_war_room_opens_are_stored_in_order(declared):
    terminal = Terminal(app_command(declared, "open", "INC-1"))
    try:
        # As soon as anything is drawn: the incident is not read yet.
        wait_until(lambda: terminal.screen().strip() != "", "a first frame")
        lines = [f"type-ahead {i:02d}" for i in range(20)]
        terminal.type_lines(lines)
        assert wait_for_stored(declared, "type-ahead %", 20, terminal) == lines
    finally:
        terminal.close()


@pytest.mark.parametrize("size", [(80, 24)])
def test_a_burst_at_80_by_24(declared, size):
    terminal = Terminal(app_command(declared, "open", "INC-1"), width=size[0], height=size[1])
    try:
        terminal.wait_for_text("INC-1", "the war room")
        lines = [f"narrow {i:02d} " + "x" * 70 for i in range(30)]
        terminal.type_lines(lines)
        assert wait_for_stored(declared, "narrow %", 30, terminal) == lines
    finally:
        terminal.close()


def test_the_postmortem_takes_a_burst_a_paste_and_its_export_keys(declared, war_room, tmp_path):
    import sqlite3

    war_room.press("F10")
    war_room.wait_for_text("Postmortem", "the postmortem screen")
    war_room.wait_for_text("time to detect", "the draft read")
    target = tmp_path / "draft.md"
    war_room.press("-l", "Card payments failed in the EU for 40 minutes")
    war_room.press("Tab")
    war_room.press("-l", "12500")
    war_room.press("Tab", "Tab")
    war_room.press("-l", "root: ")
    war_room.paste("A \x1b[31mred\x1b[0m B")
    # F5 (export Markdown) and the path typed at once, as a fast typist would.
    war_room.press("F5")
    war_room.press("-l", str(target))
    war_room.press("Enter")
    wait_until(target.exists, f"{target} written", war_room.screen)
    with sqlite3.connect(declared) as connection:
        row = connection.execute(
            "select summary, users_affected, root_cause from postmortem"
        ).fetchone()
    assert row == ("Card payments failed in the EU for 40 minutes", "12500", "root: A red B")
    text = target.read_text()
    assert "Card payments failed in the EU for 40 minutes" in text and "root: A red B" in text


def test_lines_typed_before_the_app_has_the_terminal_are_stored(declared):
    """Typed before the app put the terminal in raw mode, each Enter reaches it as the
    line discipline's newline (ctrl+j), not a carriage return: still one entry a line."""
    terminal = Terminal(app_command(declared, "open", "INC-1"))
    try:
        lines = [f"before raw mode {i:02d}" for i in range(20)]
        terminal.type_lines(lines)  # at once: the app has not started yet
        assert wait_for_stored(declared, "before raw mode %", 20, terminal) == lines
    finally:
        terminal.close()
