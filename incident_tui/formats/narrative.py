"""The Markdown timeline: which entries tell the story, and their rows (time, kind, event,
actor) as the packaged template's table.

A big incident has 100k entries, so the rows are built column by column with builtins
(`map` over C functions, `itemgetter`, `compress`, one `str.format` a row): a Python
statement per row took most of a 100k-entry export. Only the entries that need a look of
their own (status and role entries, posted updates) get one.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, tzinfo
from itertools import compress, repeat
from operator import attrgetter, getitem, gt, is_, itemgetter

from incident_tui.domain.postmortem_draft import PostmortemDraft
from incident_tui.domain.records import Entry
from incident_tui.formats.export_json import timeline_entries
from incident_tui.formats.markdown_text import md_cell, md_cells, without_boilerplate

Columns = tuple[list[str], list[str], list[str], list[str]]
"""(time, kind, event, actor), one item per narrative row."""

NARRATIVE_KEYS = ("time", "kind", "event", "actor")

_BOOKKEEPING = ("Snoozed ", "✓ ", "Unticked ")
"""Status entries the full record keeps but the narrative timeline leaves out."""
_SIFTED = frozenset(("status", "role"))
"""The kinds of which only some entries are in the narrative."""

_OCCURRED, _KIND, _AUTHOR, _TEXT, _ACTOR = map(
    itemgetter, map(Entry._fields.index, ("occurred_at", "kind", "author", "text", "actor"))
)
_TZINFO = attrgetter("tzinfo")
_MINUTE, _DAY = slice(0, 16), slice(0, 10)
_CLOCKS = (slice(11, 16), slice(11, 19))
"""`HH:MM` of an isoformat stamp, or `HH:MM:SS` where rows share the minute."""


def in_narrative(entry: Entry) -> bool:
    """Whether an entry tells the story: not a snooze or a checklist tick, and of the
    role changes only the commander's."""
    if entry.kind == "status":
        return not entry.text.startswith(_BOOKKEEPING)
    if entry.kind == "role":
        return "commander" in entry.text
    return True


def _told(entries: list[Entry]) -> list[Entry]:
    """The entries in the narrative: only status and role entries are looked at."""
    kinds = list(map(_KIND, entries))
    keep = [True] * len(entries)
    for i in compress(range(len(entries)), map(_SIFTED.__contains__, kinds)):
        keep[i] = in_narrative(entries[i])
    return entries if all(keep) else list(compress(entries, keep))


def _times(draft: PostmortemDraft, entries: list[Entry], tz: tzinfo) -> list[str]:
    """Each row's time: `HH:MM`, with seconds where two rows share a minute, with the
    date when the incident spans days; each instant formatted once by `isoformat` and
    cut (`YYYY-MM-DDTHH:MM:SS…`), the rows sharing a minute counted by a Counter."""
    instants = list(map(_OCCURRED, entries))
    if tz is not UTC or not all(map(is_, map(_TZINFO, instants), repeat(UTC))):
        instants = [at.astimezone(tz) for at in instants]
    stamps = list(map(datetime.isoformat, instants))
    minutes = list(map(getitem, stamps, repeat(_MINUTE)))
    counts = Counter(minutes)
    shared = map(gt, map(counts.__getitem__, minutes), repeat(1))
    clocks = map(getitem, stamps, map(_CLOCKS.__getitem__, shared))
    zone = "Z" if tz is UTC else ""
    if draft.spans_days:
        return list(map(("{} {}" + zone).format, map(getitem, stamps, repeat(_DAY)), clocks))
    return list(map(("{}" + zone).format, clocks))


def _events(draft: PostmortemDraft, entries: list[Entry], kinds: list[str]) -> list[str]:
    """Each row's event: the entry's text, a posted update in full."""
    events = list(map(_TEXT, entries))
    updates = {(u.posted_at, u.audience): u.text for u in draft.detail.updates}
    if not updates:
        return events
    for i in compress(range(len(entries)), map("comm".__eq__, kinds)):
        entry = entries[i]
        audience = entry.text.split(" ", 1)[0].lower()
        full = updates.get((entry.occurred_at, audience))
        if full is not None:
            events[i] = f"{audience.capitalize()} update posted: {without_boilerplate(full)}"
    return events


def narrative_columns(draft: PostmortemDraft, tz: tzinfo = UTC) -> Columns:
    """The narrative's rows as four columns (time, kind, event, actor), user text as
    stored (not escaped); the actor is the entry's actor when named, else its author."""
    entries = _told(timeline_entries(draft))
    kinds = list(map(_KIND, entries))
    # `actor or author`: a pair indexed by whether the actor is named.
    pairs = zip(map(_AUTHOR, entries), map(_ACTOR, entries), strict=True)
    actors = list(map(getitem, pairs, map(bool, map(_ACTOR, entries))))
    return _times(draft, entries, tz), kinds, _events(draft, entries, kinds), actors


def narrative_rows(columns: Columns) -> list[tuple[str, str, str, str]]:
    return list(zip(*columns, strict=True))


def narrative_table(columns: Columns) -> str:
    """The narrative's table rows as the packaged template wrote them one by one
    (`| time | kind | event | actor |`, event and actor escaped as cells): the events
    escaped together (`md_cells`), each distinct actor once, one `format` a row."""
    times, kinds, events, actors = columns
    cell = {actor: md_cell(actor) for actor in set(actors)}
    row = "| {} | {} | {} | {} |\n".format
    return "".join(map(row, times, kinds, md_cells(events), map(cell.__getitem__, actors)))
