"""The timeline pane: a virtual view (Textual's Line API) that draws only the visible lines.

An entry takes as many lines as its text needs (`timeline_rows`); an index of where each
entry starts (prefix sums of the heights, extended on appends) maps a line to its entry
by bisection. It is fed by merges of new and changed entries, never reloaded, so it stays
fast at 100k entries; it follows the newest entry unless the reader has scrolled up.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from datetime import UTC, tzinfo
from itertools import accumulate

from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from incident_tui.domain.records import Entry
from incident_tui.domain.timeline import Timeline
from incident_tui.widgets.timeline_rows import row_height, row_strips


class TimelineView(ScrollView, can_focus=True):
    """Every live entry: time, mark (★ pinned, ↺ reconstructed), kind, author, text."""

    BINDINGS = [
        Binding("up", "move(-1)", "Up", id="timeline-up", show=False),
        Binding("down", "move(1)", "Down", id="timeline-down", show=False),
        Binding("pageup", "move(-10)", "Page up", id="timeline-page-up", show=False),
        Binding("pagedown", "move(10)", "Page down", id="timeline-page-down", show=False),
        Binding("home", "first", "First", id="timeline-first", show=False),
        Binding("end", "last", "Newest", id="timeline-newest", show=False),
    ]
    COMPONENT_CLASSES = {"timeline--cursor"}
    DEFAULT_CSS = """
    TimelineView {
        overflow-x: hidden;
        overflow-y: scroll;
        scrollbar-size-vertical: 1;
        border: round $primary-darken-1;
        border-title-color: $text;
    }
    TimelineView:focus {
        border: round $accent;
    }
    TimelineView > .timeline--cursor {
        background: $accent 40%;
    }
    """

    cursor: reactive[int | None] = reactive(None, always_update=True)
    """Index of the selected entry while the pane has focus; None when following."""

    class Selected(Message):
        """An entry was chosen with Enter."""

        def __init__(self, entry: Entry) -> None:
            super().__init__()
            self.entry = entry

    def __init__(self, *, id: str | None = None, tz: tzinfo = UTC) -> None:
        super().__init__(id=id)
        self.timeline = Timeline()
        self.tz = tz
        self._with_dates = False
        self._strips: LRUCache[tuple, list[Strip]] = LRUCache(1024)
        self._heights: dict[Entry, int] = {}
        """Lines per entry at `_laid_out_width` (entries are immutable tuples)."""
        # Where each row starts, in lines: 8 bytes a row (a list of ints took 36).
        self._starts: array[int] = array("q", [0])
        """The first line of each entry, then the total: len(entries) + 1 numbers."""
        self._laid_out_width = 0
        self._follow_newest = True
        """Whether new entries scroll into sight: set by where the reader scrolled to,
        never worked out again from the scroll offset (see `watch_scroll_y`)."""
        self._scrolling_to_newest = False

    # --- feeding ----------------------------------------------------------------------

    @property
    def entry_count(self) -> int:
        return len(self.timeline)

    def count_title(self) -> str:
        count = len(self.timeline)
        return f"Timeline · {count:,} {'entry' if count == 1 else 'entries'}"

    @property
    def following(self) -> bool:
        return self._follow_newest

    def show_entries(self, entries: list[Entry]) -> None:
        """Replace everything (the first read of an incident)."""
        self.timeline.reset(entries)
        self._changed(follow=True)

    def merge(self, entries: list[Entry], removed: set[int]) -> None:
        """Take new and changed entries; keep following the newest if we were."""
        if not entries and not removed:
            return
        follow = self.following
        selected = self.selected_entry
        before = len(self.timeline)
        placed = self.timeline.merge(entries, removed)
        if not placed and len(self.timeline) == before:
            return  # nothing new after all
        appended = not removed and placed == list(range(before, before + len(placed)))
        if selected is not None and self.cursor is not None:
            index = self.timeline.index_of(selected.id)
            self.cursor = index if index is not None else min(self.cursor, len(self.timeline) - 1)
        self._changed(follow=follow, appended_from=before if appended else None)

    def set_timezone(self, tz: tzinfo) -> None:
        self.tz = tz
        self._changed(follow=self.following)

    def _changed(self, *, follow: bool, appended_from: int | None = None) -> None:
        # No need to drop drawn rows: the cache key holds everything a row depends on.
        with_dates = self.timeline.spans_days(self.tz)
        if with_dates != self._with_dates:
            self._with_dates = with_dates
            self._heights.clear()  # the time column widened: every height may change
            appended_from = None
        self._lay_out(appended_from)
        self._set_virtual_height()
        if follow:
            self._follow()
        self.refresh()

    def _follow(self) -> None:
        # The pane's own size may only be known after the next layout: scroll then too.
        self._to_newest()
        self.call_after_refresh(self._to_newest)

    def _to_newest(self) -> None:
        """Scroll to the bottom as it is when this runs. A target worked out earlier
        (the length when the scroll was asked for) is stale once more entries came in
        meanwhile: under a stream of writes it scrolled the view back up, and the next
        entry then found it "not following" for good."""
        if not self._follow_newest:
            return
        self._scrolling_to_newest = True
        try:
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)
        finally:
            self._scrolling_to_newest = False

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if not self._scrolling_to_newest:
            # The reader (wheel, scrollbar, cursor) moved: follow again only at the bottom.
            self._follow_newest = new_value >= self.max_scroll_y

    # --- selecting --------------------------------------------------------------------

    @property
    def selected_entry(self) -> Entry | None:
        if self.cursor is None or not self.timeline.entries:
            return None
        return self.timeline.entries[min(self.cursor, len(self.timeline) - 1)]

    def on_focus(self) -> None:
        if self.cursor is None and self.timeline.entries:
            self.cursor = len(self.timeline) - 1

    def on_blur(self) -> None:
        self.cursor = None
        # Back at the entry line: what is typed next must be in sight.
        self._follow_newest = True
        self._follow()

    def watch_cursor(self, cursor: int | None) -> None:
        if cursor is not None:
            self.scroll_to_region_row(cursor)
        self.refresh()

    def scroll_to_region_row(self, row: int) -> None:
        """Bring entry `row` (all its lines, as far as they fit) into sight."""
        if row >= len(self._starts) - 1:
            return
        first, end = self._starts[row], self._starts[row + 1]
        top = self.scroll_y
        height = self.scrollable_content_region.height
        if first < top:
            self.scroll_to(y=first, animate=False, immediate=True)
        elif end > top + height:
            # Its last line at the bottom; an entry taller than the pane: its first at the top.
            target = end - height if end - first <= height else first
            self.scroll_to(y=target, animate=False, immediate=True)

    def reveal(self, entry_id: int) -> bool:
        """Select an entry and scroll it into sight (now, and again once the new virtual
        size has reached the scrollbars). False when it is not on the timeline."""
        index = self.timeline.index_of(entry_id)
        if index is None:
            return False
        self.cursor = index
        self.call_after_refresh(self.scroll_to_region_row, index)
        return True

    def action_move(self, delta: int) -> None:
        if not self.timeline.entries:
            return
        start = self.cursor if self.cursor is not None else len(self.timeline) - 1
        self.cursor = max(0, min(len(self.timeline) - 1, start + delta))

    def action_first(self) -> None:
        if self.timeline.entries:
            self.cursor = 0

    def action_last(self) -> None:
        if self.timeline.entries:
            self.cursor = len(self.timeline) - 1

    def key_enter(self) -> None:
        entry = self.selected_entry
        if entry is not None:
            self.post_message(self.Selected(entry))

    # --- drawing ----------------------------------------------------------------------

    def _text_width(self) -> int:
        return self.scrollable_content_region.width

    def _lay_out(self, appended_from: int | None = None) -> None:
        """The index of lines: extended for entries appended at the end, else rebuilt
        (heights are kept per entry, so a rebuild only measures what is new)."""
        width = self._text_width()
        if width != self._laid_out_width:
            self._laid_out_width = width
            self._heights.clear()
            appended_from = None
        entries = self.timeline.entries
        if width < 1:  # not laid out yet: one line each until the pane has its size
            self._laid_out_width = 0
            self._starts = array("q", range(len(entries) + 1))
            return
        heights = self._heights
        with_dates = self._with_dates
        if len(heights) > 4 * len(entries) + 1000:  # edited and removed entries pile up
            heights.clear()

        def height(entry: Entry) -> int:
            known = heights.get(entry)
            if known is None:
                known = heights[entry] = row_height(entry, width, with_dates)
            return known

        if appended_from is not None and len(self._starts) == appended_from + 1:
            total = self._starts[-1]
            for entry in entries[appended_from:]:
                total += height(entry)
                self._starts.append(total)
        else:
            self._starts = array("q", accumulate(map(height, entries), initial=0))

    def _set_virtual_height(self) -> None:
        """A new entry changes only the scrollable height. Setting `virtual_size` the
        usual way lays out the whole screen (≈20 ms here, per entry); the pane's own size
        does not depend on it, so update the reactive quietly and just the scrollbars."""
        size = Size(self.scrollable_content_region.width, self._starts[-1])
        if size != self.virtual_size:
            self.set_reactive(TimelineView.virtual_size, size)
            self._scroll_update(size)

    def forget_drawn_rows(self) -> None:
        """Draw every row again (a new theme: the cached strips hold the old colours)."""
        self._strips.clear()
        self.refresh()

    def on_resize(self) -> None:
        follow = self.following
        self._strips.clear()
        self._lay_out()
        self._set_virtual_height()
        if self.cursor is not None:  # keep the selected entry in sight
            self.call_after_refresh(self.scroll_to_region_row, self.cursor)
        elif follow:
            self._follow()

    def _row(self, entry: Entry, width: int, selected: bool) -> list[Strip]:
        """An entry's lines, built when first drawn (the benchmarks time this call)."""
        base = self.rich_style
        if selected:
            base = base + self.get_component_rich_style("timeline--cursor")
        return row_strips(entry, width, self.tz, self._with_dates, base)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        line = self.scroll_offset.y + y
        starts = self._starts
        if width != self._laid_out_width and width > 0:
            # The width changed without a resize reaching us (a scrollbar came or went).
            self._strips.clear()
            self._lay_out()
            self._set_virtual_height()
            starts = self._starts
            self.call_after_refresh(self.refresh)
        if line >= starts[-1]:
            return Strip.blank(width, self.rich_style)
        index = bisect_right(starts, line) - 1
        entry = self.timeline.entries[index]
        selected = index == self.cursor and self.has_focus
        key = (entry, width, selected, self.tz, self._with_dates)
        strips = self._strips.get(key)
        if strips is None:
            strips = self._strips[key] = self._row(entry, width, selected)
        offset = line - starts[index]
        return strips[offset] if offset < len(strips) else Strip.blank(width, self.rich_style)
