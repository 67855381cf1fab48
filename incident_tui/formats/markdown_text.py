"""User text in Markdown: escaped where it stands (inline, in a table cell, as a block or
a list point), template boilerplate dropped, lengths of time said briefly."""

from __future__ import annotations

import re
from datetime import timedelta
from itertools import compress
from operator import not_

from incident_tui.domain.text import clean
from incident_tui.domain.timeparse import format_duration
from incident_tui.formats.export_json import (  # noqa: F401  (the export's JSON side, re-exported)
    JSON_FORMAT,
    JSON_FORMAT_VERSION,
    iso_exact,
    record,
    schema,
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


_PLACEHOLDER = "."
"""Stands in the joined text for a cell escaped on its own (printable, no space, no
pipe, no `<`: untouched by the joined text's escaping)."""


_FOLDED = ("  ", " \n", "\n ", "\n\n")
"""In the joined cells: some cell has spaces to fold, or is empty."""


def _folds(cell: str) -> bool:
    return cell[0] == " " or cell[-1] == " " or "  " in cell


def md_cells(texts: list[str]) -> list[str]:
    """`md_cell` of each text, 100k of them in one pass: the printable texts (the common
    case) hold no newline, so joined by newlines they are escaped as one string (pipes
    by one `replace`, HTML by one `sub`: neither reaches across a newline) and split
    back; a text with other whitespace or spaces to fold is escaped on its own."""
    if not texts:
        return []
    plain = list(map(str.isprintable, texts))
    apart = list(compress(range(len(texts)), map(not_, plain)))
    joined = list(texts)
    for i in apart:
        joined[i] = _PLACEHOLDER
    whole = "\n".join(joined)
    if "|" in whole:
        whole = whole.replace("|", "\\|")
    if "<" in whole:
        whole = _HTML.sub("&lt;", whole)
    cells = whole.split("\n")
    ends = whole[:1] + whole[-1:]
    if any(map(whole.__contains__, _FOLDED)) or not whole or " " in ends or "\n" in ends:
        # Some cell is empty or has spaces to fold: find which (rare, Python per cell).
        apart += [i for i, cell in enumerate(cells) if not cell or _folds(cell)]
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
