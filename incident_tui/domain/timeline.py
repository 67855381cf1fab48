"""The war room's timeline in memory: entries kept in order as they arrive, by id.

Pure: no Textual, no database. Appends are O(log n) to place plus a list insert, so a
live timeline of 100k entries takes a new entry without being rebuilt.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from datetime import datetime, tzinfo

from incident_tui.domain.records import Entry


def _order(entry: Entry) -> tuple[datetime, int]:
    return (entry.occurred_at, entry.id)


class Timeline:
    """Live entries ordered by when they happened, then by id."""

    def __init__(self, entries: Iterable[Entry] = ()) -> None:
        self.entries: list[Entry] = []
        self._by_id: dict[int, Entry] = {}
        self.reset(entries)

    def reset(self, entries: Iterable[Entry]) -> None:
        self.entries = sorted(entries, key=_order)
        self._by_id = {e.id: e for e in self.entries}

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, entry_id: int) -> Entry | None:
        return self._by_id.get(entry_id)

    def index_of(self, entry_id: int) -> int | None:
        entry = self._by_id.get(entry_id)
        if entry is None:
            return None
        return bisect_left(self.entries, _order(entry), key=_order)

    def _remove(self, entry_id: int) -> None:
        index = self.index_of(entry_id)
        if index is not None:
            del self.entries[index]
            del self._by_id[entry_id]

    def merge(self, entries: Iterable[Entry], removed: Iterable[int] = ()) -> list[int]:
        """Add new entries, replace changed ones, drop removed ids; the positions of the
        entries placed, in the order given."""
        for entry_id in removed:
            if entry_id in self._by_id:
                self._remove(entry_id)
        placed = []
        for entry in entries:
            if self._by_id.get(entry.id) == entry:
                continue  # read again, unchanged (a reader looking back)
            self._remove(entry.id)
            index = bisect_left(self.entries, _order(entry), key=_order)
            self.entries.insert(index, entry)
            self._by_id[entry.id] = entry
            placed.append(index)
        return placed

    def spans_days(self, tz: tzinfo) -> bool:
        """True when the entries do not all fall on one day in `tz`: show dates then."""
        if len(self.entries) < 2:
            return False
        first, last = self.entries[0].occurred_at, self.entries[-1].occurred_at
        return first.astimezone(tz).date() != last.astimezone(tz).date()
