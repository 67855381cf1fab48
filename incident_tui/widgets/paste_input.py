"""Pastes as pasted: the terminal's input parser, shielded from escape codes in a paste.

Textual's XTermParser (textual/_xterm_parser.py, `XTermParser.parse`) reads an ESC inside
a bracketed paste as the start of a key sequence: the characters of that sequence leave
the paste and are sent as key presses (ESC as "^") *before* the Paste event, which keeps
only the text before the first ESC. A pasted `A \\x1b[31mred\\x1b[0m B` reached the entry
line as `^[31mred^[0m BA`. No upstream issue was found (searched November 2026); until
there is a fix, this parser removes escape sequences from the paste's content in place
before Textual's parser sees it, so the paste reaches the widget whole and in order.

It also caps what a paste hands on to just past `MAX_TEXT`: a 2 MB paste is refused by
the widget at once instead of being parsed character by character for seconds.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual._xterm_parser import XTermParser
from textual.message import Message

from incident_tui.domain.text import MAX_TEXT, strip_escapes

PASTE_START = "\x1b[200~"
PASTE_END = "\x1b[201~"
PASTE_LIMIT = MAX_TEXT + 1
"""Characters of a paste handed on: one past the limit, so the widget can refuse it."""


class PasteSafeParser(XTermParser):
    """XTermParser that receives each bracketed paste already free of escape codes."""

    def __init__(self, debug: bool = False) -> None:
        super().__init__(debug)
        self._in_paste = False
        self._tail = ""  # the last characters passed on, to find a start marker split in two
        self._chunks: list[str] = []  # the paste so far (up to PASTE_LIMIT characters)
        self._kept = 0
        self._scan = ""  # the end of the paste so far, to find an end marker split in two

    def feed(self, data: str) -> Iterable[Message]:
        if not data:  # end of input
            yield from super().feed(data)
            return
        for part in self._shield(data):
            if part:
                yield from super().feed(part)

    def _shield(self, data: str) -> list[str]:
        parts: list[str] = []
        while data:
            if not self._in_paste:
                seen = self._tail + data
                found = seen.find(PASTE_START)
                if found < 0:
                    parts.append(data)
                    self._tail = seen[-(len(PASTE_START) - 1) :]
                    return parts
                split = found + len(PASTE_START) - len(self._tail)
                parts.append(data[:split])
                data = data[split:]
                self._in_paste, self._tail = True, ""
                self._chunks, self._kept, self._scan = [], 0, ""
                continue
            seen = self._scan + data
            found = seen.find(PASTE_END)
            if found < 0:
                self._keep(data)
                self._scan = seen[-(len(PASTE_END) - 1) :]
                return parts
            end = found - len(self._scan)  # where the marker starts in `data` (may be < 0)
            if end >= 0:
                self._keep(data[:end])
            else:  # part of the marker was kept with the previous chunk: take it back
                self._unkeep(-end)
            pasted = strip_escapes("".join(self._chunks))[:PASTE_LIMIT]
            parts.append(pasted + PASTE_END)
            data = data[found + len(PASTE_END) - len(self._scan) :]
            self._in_paste, self._chunks, self._kept, self._scan = False, [], 0, ""
        return parts

    def _keep(self, text: str) -> None:
        # Escape codes take room too: keep a margin over the limit before stripping them.
        room = 2 * PASTE_LIMIT - self._kept
        if room > 0 and text:
            self._chunks.append(text[:room])
            self._kept += min(len(text), room)

    def _unkeep(self, count: int) -> None:
        joined = "".join(self._chunks)
        self._chunks = [joined[:-count]]
        self._kept = len(self._chunks[0])


def install() -> None:
    """Make Textual's Linux/macOS driver read the terminal through PasteSafeParser."""
    from textual.drivers import linux_driver

    linux_driver.XTermParser = PasteSafeParser  # type: ignore[misc]
