"""Reading a JSON export as a stream (ijson): a million timeline entries pass through one
at a time instead of as a gigabyte of Python objects.

`scan` reads the file once for everything but the entries (the header, the rest of the
record: small; the human-facing sections, the top-level `timeline` among them, are
skipped); `entries` reads it again for the entries alone, built by ijson's C backend.
Standard input is spooled to a private temporary file first, so it can be read twice.
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import compress, tee
from operator import itemgetter, not_
from pathlib import Path
from typing import IO, Any

from incident_tui.domain.errors import IncidentError
from incident_tui.formats.progress import Progress

ENTRIES = "record.entries.item"
HEADER_KEYS = ("format", "formatVersion", "id")


class StreamFormatError(IncidentError):
    """The bytes are not JSON (or not UTF-8); the message says so, naming the source."""


@contextmanager
def opened(source: str, stdin: IO[bytes] | None = None) -> Iterator[tuple[IO[bytes], str]]:
    """(a binary file that can be read again after `seek(0)`, its name for messages)."""
    if source == "-":
        with tempfile.TemporaryFile() as spool:  # 0600, gone when closed
            shutil.copyfileobj(stdin or sys.stdin.buffer, spool, 1 << 20)
            spool.seek(0)
            yield spool, "standard input"
        return
    path = Path(source).expanduser()
    try:
        handle = open(path, "rb")  # noqa: SIM115 — closed below
    except FileNotFoundError:
        raise IncidentError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise IncidentError(f"{path} is a folder, not a file") from None
    except OSError as error:
        raise IncidentError(f"cannot read {path}: {error.strerror}") from None
    with handle:
        yield handle, str(path)


def _events(
    handle: IO[bytes], name: str, what: str, skipped: set[str] | None = None
) -> Iterator[tuple[str, str, Any]]:
    """ijson's parse events, without those whose prefix is in `skipped` (dropped at C
    speed: the caller may add to the set as it goes)."""
    import ijson

    handle.seek(0)
    reader = Progress.wrap(handle, what)
    try:
        events = ijson.parse(LoneSurrogates(reader), use_float=True)
        yield from _without(events, skipped) if skipped is not None else events
    except (ijson.JSONError, UnicodeDecodeError) as error:
        reader.done()
        raise _what_is_wrong(handle, name, error) from None
    finally:
        reader.done()


def _without(events: Iterator[tuple[str, str, Any]], skipped: set[str]) -> Iterator[Any]:
    """`events` but those whose prefix is in `skipped`, filtered by builtins alone (tee,
    map, compress): no Python code runs for a dropped event. A million entries and their
    timeline are 25 million events the scan has no use for."""
    mine, for_test = tee(events)
    wanted = map(not_, map(skipped.__contains__, map(itemgetter(0), for_test)))
    return compress(mine, wanted)


_ESCAPES = re.compile(rb"\\\\|\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
"""An escaped backslash (so the parity of backslashes stays right) or a surrogate escape."""
_LOW_HALF = re.compile(rb"\\u[dD][c-fC-F][0-9a-fA-F]{2}")
REPLACEMENT = rb"\ufffd"


def lone_surrogates_replaced(data: bytes, final: bool) -> tuple[bytes, bytes]:
    """(`data` with each JSON escape of a lone surrogate — `\\ud800` not followed by a
    low half, a low half alone — spelled `\\ufffd`; the tail to hold back until more
    bytes come, when `data` may end inside an escape or between the halves of a pair).

    yajl reads a lone surrogate escape as "?"; Python's json (the whole-file import) and
    the command line (bytes that are not UTF-8) give U+FFFD: with this, every way in
    gives U+FFFD. Pairs (an emoji) and everything else pass unchanged."""
    if b"\\" not in data:
        return data, b""
    out: list[bytes] = []
    done = 0  # data[:done] is in out
    low_half_at = -1  # where the kept low half of a pair starts
    last_end = 0
    for match in _ESCAPES.finditer(data):
        start, last_end = match.span()
        if last_end - start == 2 or start == low_half_at:  # "\\\\", or a pair's low half
            continue
        if match[0][3] in b"89abAB":  # a high half: is its low half next?
            if _LOW_HALF.match(data, last_end):
                low_half_at = last_end
                continue
            if not final and len(data) - last_end < 6:
                out.append(data[done:start])
                return b"".join(out), data[start:]
        out += (data[done:start], REPLACEMENT)
        done = last_end
    held = -1 if final else data.find(b"\\", max(last_end, len(data) - 5))
    if held == -1:
        held = len(data)
    out.append(data[done:held])
    return b"".join(out), data[held:]


class LoneSurrogates:
    """A binary reader through `lone_surrogates_replaced`."""

    def __init__(self, reader: Any) -> None:
        self._read = reader.read
        self._held = b""

    def read(self, size: int = -1) -> bytes:
        if size == 0:  # ijson asks for nothing to learn whether it gets bytes
            return b""
        while True:
            chunk = self._read(size if size > 0 else 1 << 16)
            data, self._held = lone_surrogates_replaced(self._held + chunk, final=not chunk)
            if data or not chunk:
                return data


PRECISE_LIMIT = 64 << 20
"""Files up to this size are read whole once more on a syntax error, for the standard
library's message with its line and column (yajl's has neither)."""


def _what_is_wrong(handle: IO[bytes], name: str, error: Exception) -> StreamFormatError:
    import json

    not_utf8 = StreamFormatError(f"{name} is not UTF-8 text (not a JSON export)")
    if isinstance(error, UnicodeDecodeError) or "utf" in str(error).lower():
        return not_utf8
    handle.seek(0)
    data = handle.read(PRECISE_LIMIT + 1)
    if len(data) <= PRECISE_LIMIT:
        try:
            json.loads(data.decode("utf-8"))
        except UnicodeDecodeError:
            return not_utf8
        except json.JSONDecodeError as precise:
            where = f"at line {precise.lineno}, column {precise.colno}"
            return StreamFormatError(f"{name} is not JSON ({precise.msg} {where})")
        except RecursionError:
            return StreamFormatError(f"{name} is not JSON we can read (nested too deeply)")
    first = str(error).strip().splitlines()[0] if str(error).strip() else "malformed"
    return StreamFormatError(f"{name} is not JSON ({first})")


class _Builder:
    """One JSON value built from parse events (ijson's ObjectBuilder, with its depth)."""

    def __init__(self) -> None:
        import ijson

        self._builder = ijson.ObjectBuilder()
        self.depth = 0

    def event(self, event: str, value: Any) -> bool:
        """Feed one event; True when the value is complete."""
        self._builder.event(event, value)
        if event in ("start_map", "start_array"):
            self.depth += 1
        elif event in ("end_map", "end_array"):
            self.depth -= 1
        return self.depth == 0

    @property
    def value(self) -> Any:
        return self._builder.value


def scan(handle: IO[bytes], name: str) -> tuple[Any, dict[str, Any] | None, set[str]]:
    """(the header fields of the top-level object, or the top-level value itself when it
    is not an object; the record without its entries (`"entries": []`); the top-level
    keys). The entries are only parsed past here: `entries` reads them."""
    header: dict[str, Any] = {}
    keys: set[str] = set()
    record: _Builder | None = None
    other: _Builder | None = None
    first = True
    unused: set[str] = set()  # prefixes whose every event is ignored below
    for prefix, event, value in _events(handle, name, "checking", unused):
        if first:
            first = False
            if event != "start_map":  # not an object at all: build it for the message
                other = _Builder()
        if other is not None:
            if other.event(event, value):
                return other.value, None, set()
            continue
        if prefix.startswith(ENTRIES):
            unused.add(prefix)
            continue
        if prefix.startswith("record"):
            if prefix == "record" or prefix[6:7] == ".":
                if record is None:
                    record = _Builder()
                record.event(event, value)
                continue
        if prefix == "" and event == "map_key":
            keys.add(value)
        elif prefix in HEADER_KEYS:
            header[prefix] = value if event not in ("start_map", "start_array") else []
        elif prefix:
            unused.add(prefix)
    return header, (record.value if record is not None else None), keys


def entries(handle: IO[bytes], name: str) -> Iterator[Any]:
    """The `record.entries` items, one at a time (built by ijson's C backend)."""
    import ijson

    handle.seek(0)
    reader = Progress.wrap(handle, "checking entries")
    try:
        yield from ijson.items(LoneSurrogates(reader), ENTRIES, use_float=True)
    except (ijson.JSONError, UnicodeDecodeError):  # it was read whole a moment ago
        raise StreamFormatError(f"{name} changed while it was being read") from None
    finally:
        reader.done()
