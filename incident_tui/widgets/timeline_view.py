"""The timeline pane: a virtual view (Textual's Line API) that draws only the visible rows.

It is fed by merges of new and changed entries, never reloaded, so it stays fast at 100k
entries; it follows the newest entry unless the reader has scrolled up.
"""

from __future__ import annotations

from datetime import UTC, tzinfo

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from incident_tui.domain import Entry
from incident_tui.text import one_line
from incident_tui.timeline import Timeline
from incident_tui.widgets.look import DIM, KIND_STYLES, PIN, clock_time

AUTHOR_WIDTH = 10
KIND_WIDTH = 8


class TimelineView(ScrollView, can_focus=True):
    """Every live entry: time, marks (★ pinned, ↺ reconstructed), kind, author, text."""

    BINDINGS = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("pageup", "move(-10)", "Page up", show=False),
        Binding("pagedown", "move(10)", "Page down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Newest", show=False),
    ]
    COMPONENT_CLASSES = {"timeline--cursor"}
    DEFAULT_CSS = """
    TimelineView { overflow-x: hidden; scrollbar-size-vertical: 1; }
    TimelineView > .timeline--cursor { background: $accent 40%; }
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
        self._strips: LRUCache[tuple, Strip] = LRUCache(2048)
        self._follow_newest = True
        """Whether new entries scroll into sight: set by where the reader scrolled to,
        never worked out again from the scroll offset (see `watch_scroll_y`)."""
        self._scrolling_to_newest = False

    # --- feeding ----------------------------------------------------------------------

    @property
    def entry_count(self) -> int:
        return len(self.timeline)

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
        if selected is not None and self.cursor is not None:
            index = self.timeline.index_of(selected.id)
            self.cursor = index if index is not None else min(self.cursor, len(self.timeline) - 1)
        self._changed(follow=follow)

    def set_timezone(self, tz: tzinfo) -> None:
        self.tz = tz
        self._changed(follow=self.following)

    def _changed(self, *, follow: bool) -> None:
        # No need to drop drawn rows: the cache key holds everything a row depends on.
        self._with_dates = self.timeline.spans_days(self.tz)
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
        top = self.scroll_y
        height = self.scrollable_content_region.height
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False, immediate=True)

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

    def _set_virtual_height(self) -> None:
        """A new entry changes only the scrollable height. Setting `virtual_size` the
        usual way lays out the whole screen (≈20 ms here, per entry); the pane's own size
        does not depend on it, so update the reactive quietly and just the scrollbars."""
        size = Size(self.scrollable_content_region.width, len(self.timeline))
        if size != self.virtual_size:
            self.set_reactive(TimelineView.virtual_size, size)
            self._scroll_update(size)

    def on_resize(self) -> None:
        follow = self.following
        self._strips.clear()
        self._set_virtual_height()
        if self.cursor is not None:  # keep the selected entry in sight
            self.call_after_refresh(self.scroll_to_region_row, self.cursor)
        elif follow:
            self._follow()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = self.scroll_offset.y + y
        if index >= len(self.timeline):
            return Strip.blank(width, self.rich_style)
        entry = self.timeline.entries[index]
        selected = index == self.cursor and self.has_focus
        key = (entry, width, selected, self.tz, self._with_dates)
        strip = self._strips.get(key)
        if strip is None:
            strip = self._row(entry, width, selected)
            self._strips[key] = strip
        return strip

    def _row(self, entry: Entry, width: int, selected: bool) -> Strip:
        base = self.rich_style
        if selected:
            base = base + self.get_component_rich_style("timeline--cursor")
        kind_style = base + KIND_STYLES.get(entry.kind, Style())
        when = clock_time(entry.occurred_at, self.tz, with_date=self._with_dates)
        author = one_line(entry.author, AUTHOR_WIDTH).ljust(AUTHOR_WIDTH)
        # The text is cleaned and folded here too: nothing stored reaches the terminal raw.
        body = one_line(entry.text[: width * 4])
        segments = [
            Segment(f"{when} ", base + DIM if entry.reconstructed else base),
            Segment("★" if entry.pinned else " ", base + PIN),
            Segment("↺" if entry.reconstructed else " ", base + DIM),
            Segment(f" {entry.kind:<{KIND_WIDTH}} ", kind_style),
            Segment(f"{author} ", base + DIM),
            Segment(body, kind_style if entry.kind in ("alert", "decision") else base),
        ]
        strip = Strip(segments)
        if strip.cell_length > width:  # cut text says so
            return Strip.join([strip.crop(0, width - 1), Strip([Segment("…", base)])])
        return strip.adjust_cell_length(width, base)
