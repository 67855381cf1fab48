"""User text in Markdown: escaped where it stands (inline, in a table cell, as a block or
a list point), template boilerplate dropped, lengths of time said briefly."""

from __future__ import annotations

import re
from datetime import timedelta
from itertools import compress, repeat
from operator import contains, not_

from incident_tui.domain.text import clean
from incident_tui.domain.timeparse import format_duration
from incident_tui.formats.export_json import (  # noqa: F401  (the export's JSON side, re-exported)
    JSON_FORMAT,
    JSON_FORMAT_VERSION,
    iso_exact,
    record,
    timeline_entries,
    to_json,
)

# Only what would change the document's structure is escaped: an HTML tag or autolink
# (`<b>`, `<http://…>`), a table cell's pipe, and line starts Markdown reads as blocks.
# Backticks stay, so `kubectl rollout undo` is code; `~40`, `4->8`, `a_b` stay as typed.
_HTML = re.compile(r"<(?=[A-Za-z/!?])")


_BLOCK_START = re.compile(
    r"^(?:(#{1,6})(?=\s|$)|(>)|([-+*])(?=\s|$)|(\d{1,9})([.)])(?=\s|$)|(`{3,}|~{3,})"
    r"|([-=_*|:\s]+)$)"
)


def md_inline(text: object) -> str:
    """One line of user text, safe anywhere in a Markdown line (no HTML)."""
    flat = " ".join(clean(str(text or "")).split())
    return _HTML.sub("&lt;", flat) if "<" in flat else flat


def md_cell(text: object) -> str:
    """User text in a table cell: one line per line joined by <br>, pipes escaped."""
    if isinstance(text, str) and text.isprintable():  # one line, nothing to clean (fast)
        # Printable text holds no whitespace but the ASCII space: nothing to fold unless
        # spaces double or stand at an end.
        if "  " in text or text[:1] == " " or text[-1:] == " ":
            flat = " ".join(text.split())
        else:
            flat = text
        if "<" in flat:
            flat = _HTML.sub("&lt;", flat)
        return (flat.replace("|", "\\|") if "|" in flat else flat) or " "
    lines = [md_inline(line) for line in clean(str(text or "")).splitlines() if line.strip()]
    return "<br>".join(lines).replace("|", "\\|") or " "


def md_cells(texts: list[str]) -> list[str]:
    """`md_cell` of each text, 100k of them without a Python call each: most come back
    as they are (printable, no pipe, no `<`, no spaces to fold). What the texts hold is
    asked of them joined by newlines first (a printable text holds none), then, for what
    the joined text holds, of each text by a builtin; only those go through `md_cell`."""
    cells = list(texts)
    if not cells:
        return cells
    every = range(len(cells))
    apart = list(compress(every, map(not_, map(str.isprintable, cells))))
    whole = "\n".join(cells)
    for mark in ("|", "<", "  "):  # a pipe, maybe HTML, spaces to fold
        if mark in whole:
            apart += compress(every, map(contains, cells, repeat(mark)))
    if whole[:1] == " " or "\n " in whole:  # a space to drop at the start
        apart += compress(every, map(str.startswith, cells, repeat(" ")))
    if whole[-1:] == " " or " \n" in whole:  # at the end
        apart += compress(every, map(str.endswith, cells, repeat(" ")))
    if not whole or whole[:1] == "\n" or whole[-1:] == "\n" or "\n\n" in whole:  # empty
        apart += compress(every, map(not_, cells))
    for i in apart:
        cells[i] = md_cell(texts[i])
    return cells


def _line_start(line: str) -> str:
    match = _BLOCK_START.match(line)
    if not match:
        return line
    if match.group(4):  # "1." → "1\." keeps the number, loses the list
        return match.group(4) + "\\" + line[len(match.group(4)) :]
    return "\\" + line


def md_block(text: object) -> str:
    """User text as paragraphs: line breaks kept, nothing read as structure."""
    paragraphs = []
    for paragraph in re.split(r"\n\s*\n", clean(str(text or "")).strip()):
        lines = [_line_start(md_inline(line)) for line in paragraph.splitlines() if line.strip()]
        if lines:
            paragraphs.append("\\\n".join(lines))
    return "\n\n".join(paragraphs)


_EMPTY_FIELD = re.compile(r"\s*[\w ]{1,40}:\s*(?:none yet|—|-|n/a)\s*", re.IGNORECASE)


def without_boilerplate(text: object) -> str:
    """A posted update without the template's empty fields ("Last update: none yet"):
    noise in a postmortem, though the audience saw it."""
    lines = clean(str(text or "")).split("\n")
    return "\n".join(line for line in lines if not _EMPTY_FIELD.fullmatch(line)).strip()


def md_point(text: object) -> str:
    """One point of a list section, as a list item's text (its own line starts escaped)."""
    return _line_start(md_inline(text))


def duration_text(delta: timedelta | None) -> str:
    return format_duration(delta) if delta is not None else "unknown"
