"""How one timeline entry is laid out: its lines at a width, text first.

A row is `time mark kind author: text`; the kind is left out for plain notes, and the
text wraps onto as many lines as it needs (up to `MAX_LINES`), each continuation line
indented under the text. `row_height` and `row_strips` agree line for line: the view's
index of lines is built from the one, the screen drawn from the other.
"""

from __future__ import annotations

from datetime import tzinfo

from rich.cells import cell_len, get_character_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from incident_tui.domain.records import Entry
from incident_tui.domain.text import one_line
from incident_tui.widgets.badges import DIM, KIND_STYLES, MARKS, clock_time

MAX_LINES = 8
"""A longer entry ends in "…" after this many lines; Enter in the timeline shows it whole."""
AUTHOR_CELLS = 16
MIN_TEXT = 12


def _time_cells(with_dates: bool) -> int:
    return 12 if with_dates else 9


def prefix_cells(with_dates: bool) -> int:
    """Time, a space, the mark (★ pinned, ↺ reconstructed) and a space."""
    return _time_cells(with_dates) + 3


def _flat(text: str, limit: int | None = None) -> str:
    # The common case needs no work: printable (no newline, tab, control or escape) and
    # no runs of spaces to fold. It runs for every entry of a 100k timeline on a resize.
    if text.isprintable() and "  " not in text:
        return text if limit is None or len(text) <= limit else one_line(text, limit)
    return one_line(text, limit)


def _head(entry: Entry) -> tuple[str, str]:
    kind = "" if entry.kind == "note" else entry.kind + " "
    return kind, _flat(entry.author, AUTHOR_CELLS) + ": "


def _body(entry: Entry, room: int) -> str:
    # Cleaned and folded here too: nothing stored reaches the terminal raw. A huge entry
    # is only looked at as far as the lines it can fill.
    return _flat(entry.text[: room * MAX_LINES + 64])


def _cut(text: str, start: int, cells: int, ascii: bool) -> int:
    """The index in `text` after `cells` cells from `start` (never splitting a character)."""
    if ascii:
        return min(len(text), start + cells)
    used = 0
    index = start
    while index < len(text):
        size = get_character_cell_size(text[index])
        if used + size > cells:
            break
        used += size
        index += 1
    return index


def wrap(text: str, width: int, limit: int = MAX_LINES) -> list[tuple[int, int]]:
    """Greedy word wrap: (start, end) of each line of `text` in `width` cells; a break at
    a space drops that space; a word longer than a line is cut. At most `limit` lines,
    the last one then marked by the caller."""
    ascii = text.isascii()
    if (len(text) if ascii else cell_len(text)) <= width:
        return [(0, len(text))]
    lines: list[tuple[int, int]] = []
    start = 0
    while start < len(text) and len(lines) < limit:
        end = _cut(text, start, width, ascii)
        if end >= len(text):
            lines.append((start, len(text)))
            return lines
        space = text.rfind(" ", start, end + 1)
        if space > start + width // 3:
            lines.append((start, space))
            start = space + 1
        else:
            lines.append((start, end))
            start = end
    if start < len(text) and lines:
        lines[-1] = (lines[-1][0], -1)  # -1: cut short here
    return lines


def _room(width: int, with_dates: bool) -> int:
    return max(MIN_TEXT, width - prefix_cells(with_dates))


def _ascii_height(text: str, width: int, limit: int) -> int:
    """`len(wrap(text, width, limit))` for ASCII text, without building the lines."""
    size = len(text)
    start = lines = 0
    while True:
        lines += 1
        if size - start <= width or lines == limit:
            return lines
        end = start + width
        space = text.rfind(" ", start, end + 1)
        start = space + 1 if space > start + width // 3 else end


def row_height(entry: Entry, width: int, with_dates: bool) -> int:
    room = _room(width, with_dates)
    kind, author = _head(entry)
    text = kind + author + _body(entry, room)
    if text.isascii():
        return _ascii_height(text, room, MAX_LINES)
    return len(wrap(text, room))


def row_strips(entry: Entry, width: int, tz: tzinfo, with_dates: bool, base: Style) -> list[Strip]:
    """The entry's lines, each exactly `width` cells, in `base` (the selection's style)."""
    room = _room(width, with_dates)
    kind, author = _head(entry)
    text = kind + author + _body(entry, room)
    kind_style = base + KIND_STYLES.get(entry.kind, Style())
    body_style = kind_style if entry.kind in ("alert", "decision") else base
    spans = [
        (0, len(kind), kind_style),
        (len(kind), len(kind) + len(author), base + DIM),
        (len(kind) + len(author), len(text), body_style),
    ]
    when = clock_time(entry.occurred_at, tz, with_date=with_dates)
    mark = "★" if entry.pinned else ("↺" if entry.reconstructed else " ")
    indent = " " * prefix_cells(with_dates)
    strips = []
    for number, (start, end) in enumerate(wrap(text, room)):
        cut_short = end == -1
        end = len(text) if cut_short else end
        if number == 0:
            segments = [
                Segment(
                    f"{when:<{_time_cells(with_dates)}} ",
                    base + DIM if entry.reconstructed else base,
                ),
                Segment(mark, base + (MARKS["pin"] if entry.pinned else DIM)),
                Segment(" ", base),
            ]
        else:
            # Its own style: a run that starts with spaces loses them in SVG renderers.
            segments = [Segment(indent, base + DIM)]
        for span_start, span_end, style in spans:
            a, b = max(start, span_start), min(end, span_end)
            if a < b:
                segments.append(Segment(text[a:b], style))
        strip = Strip(segments)
        if cut_short or strip.cell_length > width:
            strip = Strip.join([strip.crop(0, width - 1), Strip([Segment("…", base)])])
        strips.append(strip.adjust_cell_length(width, base))
    return strips
