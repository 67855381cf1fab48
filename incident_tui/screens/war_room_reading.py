"""The war room's reading: the first look, the first full read, and what changed since.

The first read of the incident runs in a worker (a 100k-entry timeline takes ~0.4 s);
after that, each wake-up of the change feed (or each app tick where the feed cannot be
relied on) asks the database whether anything changed (SQLite's `data_version`, a few
µs) and reads only what is new. A mixin of `WarRoomScreen`: the state it reads and
writes (`detail`, `_cursor`, `_data_version`, `_read_at`, `_read_trouble`) is set up
in the screen's `__init__`.
"""

from __future__ import annotations

import gc
import threading
import time
from typing import TYPE_CHECKING

from textual import work

from incident_tui.domain.errors import IncidentError
from incident_tui.domain.presence import PRESENCE_HEARTBEAT
from incident_tui.widgets.state_panes import TroubleBanner, WarRoomHeading
from incident_tui.widgets.timeline_view import TimelineView

if TYPE_CHECKING:
    from incident_tui.store.timeline_reads import IncidentRead


class WarRoomReading:
    """Reading the incident into the war room's panes, then keeping up with it."""

    @work(thread=True, exclusive=True, group="war-room", exit_on_error=False)
    def load(self) -> None:
        app = self.app
        if app.database is None:  # type: ignore[attr-defined]
            self._first_look()
        from incident_tui.domain.errors import NotFound
        from incident_tui.store.timeline_reads import read_incident

        try:
            db = app.get_database()  # type: ignore[attr-defined]
            if not app.read_only:  # type: ignore[attr-defined]
                self.presence.say(db)  # first, so the first read shows us here too
            version = db.data_version()
            read = read_incident(db, self.number)
        except Exception as error:
            directly = isinstance(error, NotFound) and app.open_incident == self.number  # type: ignore[attr-defined]
            app.call_from_thread(app.report_error, error, fatal=directly)  # type: ignore[attr-defined]
            if not directly:
                app.call_from_thread(self.dismiss)
            return
        app.call_from_thread(self.apply, read, version, True)

    FIRST_LOOK_ROWS = 200
    """Entries shown before the full read: more than any terminal is tall."""

    def _first_look(self) -> None:
        """The newest entries at once, read with sqlite3 before SQLAlchemy is imported."""
        from incident_tui.store.first_look import first_look

        try:
            look = first_look(self.incident_app.db_target, self.number, self.FIRST_LOOK_ROWS)
        except Exception:  # only a head start: the full read reports any real problem
            return
        if look is not None:
            painted = threading.Event()
            self.app.call_from_thread(self._show_first_look, look, painted)
            # Importing SQLAlchemy next holds the interpreter in long stretches: let the
            # frame with these entries reach the terminal first.
            painted.wait(timeout=1.0)

    def _show_first_look(self, look, painted: threading.Event) -> None:  # type: ignore[no-untyped-def]
        if self.detail is None:
            self.query_one("#timeline", TimelineView).show_entries(look.timeline)
            self.query_one("#heading", WarRoomHeading).show(
                look, self.now(), self.tz, number=self.number
            )
        self.call_after_refresh(painted.set)

    def apply(self, read: IncidentRead, version: int | None, whole: bool = False) -> None:
        """Show what was read: everything the first time, then only what changed."""
        timeline = self.query_one("#timeline", TimelineView)
        if whole:
            timeline.show_entries(read.detail.timeline)
            # A long timeline is hundreds of thousands of objects that live as long as the
            # screen: out of the cyclic collector's sight, its full passes stop costing
            # 50-100 ms in the middle of someone's Enter.
            gc.freeze()
            if self.focus_entry is not None:
                self.call_after_refresh(self._select_entry, self.focus_entry)
            # A wake-up that came while this first read ran found nothing to compare
            # with: look once more now, cheaply (what changed since the read began).
            self.call_later(self.poll)
            if not self.incident_app.read_only:
                self.set_interval(
                    PRESENCE_HEARTBEAT.total_seconds(), self.heartbeat, name="presence"
                )
        else:
            timeline.merge(read.detail.timeline, read.removed)
        read.detail.timeline = timeline.timeline.entries
        self.detail = read.detail
        self._cursor = read.cursor
        self._data_version = version
        self._read_at = time.monotonic()
        timeline.border_title = timeline.count_title()
        self._show_state()
        if whole and not self.incident_app.read_only:
            self.writes.start()  # lines typed while the war room opened go now, in order

    def _select_entry(self, entry_id: int) -> None:
        timeline = self.query_one("#timeline", TimelineView)
        timeline.focus()
        if not timeline.reveal(entry_id):
            self.status(f"entry #{entry_id} is no longer on the timeline", error=True)

    def refresh_timeline(self) -> None:
        """After one's own entry, read only the timeline's changes (the scribe's hot
        path). The data_version seen is left as it was, so the next tick still reads
        anything else another writer changed meanwhile."""
        if self._cursor is None or self.detail is None:
            return
        from incident_tui.store.timeline_reads import read_timeline_changes

        changes = read_timeline_changes(self.incident_app.get_database(), self.number, self._cursor)
        timeline = self.query_one("#timeline", TimelineView)
        timeline.merge(changes.entries, changes.removed)
        self.detail.timeline = timeline.timeline.entries
        self._cursor = changes.cursor
        timeline.border_title = timeline.count_title()

    def refresh_from_db(self) -> None:
        """Read what changed since the last read (after our own write, or another's)."""
        if self._cursor is None:
            return
        from incident_tui.store.timeline_reads import read_incident

        db = self.incident_app.get_database()
        version = db.data_version()
        self.apply(read_incident(db, self.number, self._cursor), version)

    def poll(self) -> None:
        """Cheap change detection: only a changed data_version costs a read. Runs when
        the change feed wakes us, and on the tick where the feed cannot be relied on."""
        if self._cursor is None:
            return
        db = self.incident_app.get_database()
        try:
            version = db.data_version()
            if version is None or version != self._data_version:
                self.refresh_from_db()
        except IncidentError as error:
            self._read_at = time.monotonic()  # retried on the next tick, not at once
            self._read_trouble = str(error)
        else:
            self._read_trouble = None
        self._show_trouble()

    def _show_trouble(self, _trouble: object = None) -> None:
        trouble = self.incident_app.link_trouble or self._read_trouble
        banner = self.query_one("#trouble", TroubleBanner)
        back = banner.showing and trouble is None
        banner.show(trouble)
        if back and self.detail is not None and not self.incident_app.read_only:
            self.heartbeat()  # back on the strip at once, not at the next beat
