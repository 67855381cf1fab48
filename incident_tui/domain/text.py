"""User text hygiene: no terminal control sequence ever enters or leaves the system."""

from __future__ import annotations

import re

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), DCS/SOS/PM/APC (ESC P|X|^|_ ... ST),
# other two-byte ESC sequences, and the 8-bit C1 forms of the same.
_ESCAPES = re.compile(
    r"""
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?          # CSI
  | (?:\x1b\]|\x9d).*?(?:\x07|\x1b\\|\x9c|$)   # OSC, ended by BEL or ST (or end of text)
  | (?:\x1b[PX^_]|[\x90\x98\x9e\x9f]).*?(?:\x1b\\|\x9c|$)  # DCS, SOS, PM, APC
  | \x1b[ -/]*[0-~]?                           # any other ESC sequence
    """,
    re.VERBOSE | re.DOTALL,
)
# C0 controls except \t and \n, DEL, the remaining C1 controls, and the explicit bidi
# embeddings, overrides and isolates: an unclosed U+202E reverses the rest of the
# terminal line (other columns included) and can make an entry read as something else.
# Right-to-left text itself, and the harmless LRM/RLM marks, are kept.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

MAX_TEXT = 100_000
"""Longest text accepted for an entry, update or field: a paste past this is refused."""


def clean(text: str) -> str:
    """`text` without escape sequences and control characters; newlines and tabs kept.

    A carriage return becomes a newline so pasted CRLF text keeps its lines.
    """
    if text.isprintable():  # no control, escape or bidi-override character at all (fast)
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x1b" in text or any("\x80" <= ch <= "\x9f" for ch in text):
        text = _ESCAPES.sub("", text)
    return _CONTROLS.sub("", text)


def strip_escapes(text: str) -> str:
    """`text` without its escape sequences (and any stray ESC), everything else kept in
    place: `A \x1b[31mred\x1b[0m B` → `A red B`."""
    if "\x1b" not in text and "\x9b" not in text and "\x9d" not in text:
        return text
    return _ESCAPES.sub("", text).replace("\x1b", "")


def one_line(text: str, limit: int | None = None) -> str:
    """`clean(text)` folded onto one line (for list cells, notifications, the timeline)."""
    flat = " ".join(clean(text).split())
    if limit is not None and len(flat) > limit:
        return flat[: max(0, limit - 1)] + "…"
    return flat


_SURROGATES = re.compile(r"[\ud800-\udfff]")


def without_surrogates(text: str) -> str:
    """`text` with each lone surrogate as U+FFFD: what Python makes of bytes that are not
    UTF-8 in argv (surrogateescape) and what a JSON `\\ud800` decodes to; neither can be
    stored or printed."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATES.sub("\ufffd", text)
    return text
