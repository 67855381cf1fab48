"""The JSON export as text: the document indented by `json.dumps`, its two big arrays
(`timeline` and `record.entries`, 100k entries each in a big incident) written as JSON
text directly, one compact object a line.

Byte for byte what `json.dumps` of those objects gives (`ensure_ascii=False`, the
default `", "` and `": "` separators): each string through the encoder's own
`encode_basestring`, the texts cleaned only where `clean` has something to do
(`isprintable` says which), each distinct kind, author and actor cleaned and encoded
once, the lines' pieces interleaved from the columns into the one `join` that makes the
document. Building 200k dicts, encoding them and replacing markers in the indented
document took most of a 100k-entry export.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from itertools import chain, compress, repeat
from json.encoder import encode_basestring  # the C encoder with ensure_ascii=False
from operator import getitem, itemgetter, ne, not_
from typing import Any, NamedTuple

from incident_tui.domain.postmortem_draft import PostmortemDraft
from incident_tui.domain.records import Entry
from incident_tui.domain.text import clean
from incident_tui.formats.export_json import iso_exact, record, stamps, timeline_entries, to_json

_OCCURRED, _RECORDED, _KIND, _AUTHOR, _TEXT, _PINNED, _ACTOR = map(
    itemgetter,
    map(
        Entry._fields.index,
        ("occurred_at", "recorded_at", "kind", "author", "text", "pinned", "actor"),
    ),
)
_SECONDS, _OFFSET_CUT = slice(0, 19), slice(0, -6)
"""`YYYY-MM-DDTHH:MM:SS` of an isoformat stamp; the stamp without its `+00:00`."""
_BOOLEANS = {True: "true", False: "false"}


class _Columns(NamedTuple):
    """A list of entries as the columns both arrays are written from."""

    stamps: list[str]
    """`occurred_at` in UTC, as `isoformat` gives it."""
    kinds: list[str]
    """As JSON strings."""
    authors: list[str]
    actors: list[str]
    texts: list[str]
    """Cleaned, as JSON strings."""


def _cleaned(texts: list[str]) -> list[str]:
    """`clean` of each text, called only on those it would change (not printable)."""
    for i in compress(range(len(texts)), map(not_, map(str.isprintable, texts))):
        texts[i] = clean(texts[i])
    return texts


def _columns(entries: list[Entry]) -> _Columns:
    kinds = list(map(_KIND, entries))
    encoded = {kind: encode_basestring(kind) for kind in set(kinds)}
    return _Columns(
        stamps(entries),
        list(map(encoded.__getitem__, kinds)),
        list(map(_AUTHOR, entries)),
        list(map(_ACTOR, entries)),
        list(map(encode_basestring, _cleaned(list(map(_TEXT, entries))))),
    )


def _names(columns: _Columns) -> dict[str, str]:
    """Each distinct author and actor, cleaned, as a JSON string."""
    return {name: encode_basestring(clean(name)) for name in {*columns.authors, *columns.actors}}


def _events(columns: _Columns, names: dict[str, str], sep: str) -> Iterator[str]:
    """The model's timeline, the pieces of one object a line (`sep` before each): the
    time to the second, the actor when named (else the author)."""
    by = map(getitem, zip(columns.authors, columns.actors, strict=True), map(bool, columns.actors))
    return chain.from_iterable(
        zip(
            repeat(sep + '{"time": "'),
            map(getitem, columns.stamps, repeat(_SECONDS)),
            repeat('Z", "event": '),
            columns.texts,
            repeat(', "actor": '),
            map(names.__getitem__, by),
            repeat(', "kind": '),
            columns.kinds,
            repeat(', "author": '),
            map(names.__getitem__, columns.authors),
            repeat("}"),
        )
    )


def _entries(
    entries: list[Entry], columns: _Columns, names: dict[str, str], sep: str
) -> Iterator[str]:
    """The record's entries, the pieces of one object a line (`sep` before each); an
    entry recorded when it happened (most are) gives its one stamp to both instants, an
    entry naming no actor has no `actor`."""
    occurred = list(map(getitem, columns.stamps, repeat(_OFFSET_CUT)))
    recorded = list(occurred)
    later = map(ne, map(_RECORDED, entries), map(_OCCURRED, entries))
    for i in compress(range(len(entries)), later):
        recorded[i] = str(iso_exact(entries[i].recorded_at))[:-1]
    actor = {name: f', "actor": {names[name]}' if name else "" for name in set(columns.actors)}
    return chain.from_iterable(
        zip(
            repeat(sep + '{"occurredAt": "'),
            occurred,
            repeat('Z", "recordedAt": "'),
            recorded,
            repeat('Z", "kind": '),
            columns.kinds,
            repeat(', "author": '),
            map(names.__getitem__, columns.authors),
            repeat(', "text": '),
            columns.texts,
            repeat(', "pinned": '),
            map(_BOOLEANS.__getitem__, map(_PINNED, entries)),
            map(actor.__getitem__, columns.actors),
            repeat("}"),
        )
    )


def _array(parts: list[str], pieces: Iterator[str], indent: str) -> None:
    """Append to `parts` a JSON array at `indent` whose items are `pieces`, each item
    beginning with `,` + newline + indent (`[]` when there are none)."""
    start = len(parts)
    parts.append("[")
    parts += pieces
    if len(parts) == start + 1:
        parts[start] = "[]"
    else:
        parts[start + 1] = parts[start + 1][1:]  # no comma before the first item
        parts.append("\n" + indent + "]")


def json_text(draft: PostmortemDraft) -> str:
    """The JSON export: `to_json` with the record, indented by two, each of the two big
    arrays one compact object a line."""
    doc: dict[str, Any] = {**to_json(draft, with_timeline=False)}
    doc["record"] = record(draft, with_entries=False)
    timeline_marker, entries_marker = (f'"{name}-{secrets.token_hex(8)}"' for name in "te")
    doc["timeline"] = json.loads(timeline_marker)
    doc["record"]["entries"] = json.loads(entries_marker)
    # An indent sends json.dumps to its pure-Python encoder: only the small rest goes there.
    text = json.dumps(doc, ensure_ascii=False, indent=2)
    head, _, rest = text.partition(timeline_marker)
    middle, _, tail = rest.partition(entries_marker)

    timeline = draft.detail.timeline
    columns = _columns(timeline)
    names = _names(columns)
    shown = timeline_entries(draft)
    # The key events when some are pinned (a few of the timeline's entries, their names
    # among its names), else the whole timeline, its columns shared with the record.
    events = _events(columns if shown is timeline else _columns(shown), names, ",\n    ")
    parts = [head]
    _array(parts, events, "  ")
    parts.append(middle)
    _array(parts, _entries(timeline, columns, names, ",\n      "), "    ")
    parts += (tail, "\n")
    return "".join(parts)
