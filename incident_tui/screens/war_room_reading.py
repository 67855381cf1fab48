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
from incident_tui.widgets.state_panes import PresenceStrip, TroubleBanner, WarRoomHeading
from incident_tui.widgets.timeline_view import TimelineView

if TYPE_CHECKING:
    from incident_tui.domain.records import Entry
    from incident_tui.store.database import Database
    from incident_tui.store.incremental_reads import Marks
    from incident_tui.store.timeline_reads import IncidentRead, TimelineCursor


class WarRoomReading:
    """Reading the incident into the war room's panes, then keeping up with it."""

    def init_reading(self) -> None:
        """The reading's state, set up by the screen's `__init__`."""
        self._cursor: TimelineCursor | None = None
        self._data_version: int | None = None
        self._marks: Marks | None = None
        """The incident's marks at the last look: what the next look compares with."""
        self._own_ids: set[int] = set()
        """Our own entries drawn past the cursor as they were committed, not read."""
        self._read_at = 0.0
        self._read_trouble: str | None = None

    @work(thread=True, exclusive=True, group="war-room", exit_on_error=False)
    def load(self) -> None:
        app = self.app
        if app.database is None:  # type: ignore[attr-defined]
            self._first_look()
        from incident_tui.domain.errors import NotFound
        from incident_tui.store.incremental_reads import read_marks
        from incident_tui.store.timeline_reads import read_incident

        try:
            db = app.get_database()  # type: ignore[attr-defined]
            if not app.read_only:  # type: ignore[attr-defined]
                self.presence.say(db)  # first, so the first read shows us here too
            version = db.data_version()
            # The marks before the read (their timeline part counts nothing: the first
            # look past the cursor reads the timeline's changes once).
            marks = read_marks(db, self.number, None)
            read = read_incident(db, self.number)
        except Exception as error:
            directly = isinstance(error, NotFound) and app.open_incident == self.number  # type: ignore[attr-defined]
            app.call_from_thread(app.report_error, error, fatal=directly)  # type: ignore[attr-defined]
            if not directly:
                app.call_from_thread(self.dismiss)
            return
        app.call_from_thread(self._apply_first, read, version, marks)

    def _apply_first(self, read: IncidentRead, version: int | None, marks: Marks | None) -> None:
        self._marks = marks
        self.apply(read, version, True)

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
        self._own_ids = {i for i in self._own_ids if i > read.cursor.entry_id}
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
        self._own_ids = {i for i in self._own_ids if i > changes.cursor.entry_id}
        timeline.border_title = timeline.count_title()
        self.refresh_keys()

    def refresh_from_db(self, version: int | None | bool = False) -> None:
        """Read what changed since the last read (after our own write, or another's);
        `version` is the data_version taken before the caller looked (read here when
        not given)."""
        if self._cursor is None:
            return
        from incident_tui.store.timeline_reads import read_incident

        db = self.incident_app.get_database()
        if version is False:
            from incident_tui.store.incremental_reads import read_marks

            version = db.data_version()
            # Taken before the read: what changes after it is found by the next look.
            self._marks = read_marks(db, self.number, self._cursor)
        self.apply(read_incident(db, self.number, self._cursor), version)  # type: ignore[arg-type]

    def show_own_entry(self, entry: Entry) -> None:
        """Our own entry, just committed: drawn as the writer returned it, without a read.
        Its id is kept so the next look can tell our rows from another writer's."""
        if self.detail is None:
            return
        timeline = self.query_one("#timeline", TimelineView)
        had = bool(timeline.timeline.entries)
        timeline.merge([entry], set())
        self.detail.timeline = timeline.timeline.entries
        self._own_ids.add(entry.id)
        timeline.border_title = timeline.count_title()
        if not had:
            self.refresh_keys()  # the first entry: pin and edit become possible

    def poll(self) -> None:
        """Cheap change detection: a changed data_version (SQLite) or a wake-up of the
        change feed costs one look at the incident's marks, and only what they say
        changed is read: the timeline past the cursor, presence, or the whole incident.
        Runs when the change feed wakes us, and on the tick where the feed cannot be
        relied on."""
        if self._cursor is None:
            return
        db = self.incident_app.get_database()
        try:
            version = db.data_version()
            if version is None or version != self._data_version:
                self._catch_up(db, version)
            self._read_at = time.monotonic()
        except IncidentError as error:
            self._read_at = time.monotonic()  # retried on the next tick, not at once
            self._read_trouble = str(error)
        else:
            self._read_trouble = None
        self._show_trouble()

    def _catch_up(self, db: Database, version: int | None) -> None:
        """Read what the marks say changed since the last look (`version` was taken
        before the marks, so a commit after it is found by the next poll)."""
        from incident_tui.store.incremental_reads import read_marks, read_presence

        cursor = self._cursor
        assert cursor is not None
        marks = read_marks(db, self.number, cursor)
        seen = self._marks
        if marks is None or seen is None or marks.rest != seen.rest or self.detail is None:
            self._marks = marks
            self.refresh_from_db(version)  # the incident itself changed (or is gone)
            return
        if self._timeline_moved(marks, cursor, sqlite=db.is_sqlite):
            self.refresh_timeline()
        if marks.presence != seen.presence:  # a heartbeat, an arrival, a departure
            self.detail.presence = read_presence(db, self.number)
            self.query_one("#presence", PresenceStrip).show(self.detail, self.now())
        self._marks = marks
        self._data_version = version  # only once all of it is read: a failure retries

    def _timeline_moved(self, marks: Marks, cursor: TimelineCursor, *, sqlite: bool) -> bool:
        """Whether the timeline holds rows or edits we have not drawn. On PostgreSQL,
        whether the cursor's range (rows past it, rows of transactions that had not
        ended at the read) holds more rows than that read saw. On SQLite, where rows
        commit in id order, rows past the cursor that are all our own (drawn as they
        were committed) only move the cursor on."""
        if marks.top_revision != cursor.revision_id:
            return True
        if not sqlite:
            return cursor.known < 0 or marks.entries != cursor.known
        if not marks.entries:
            return False
        own = {i for i in self._own_ids if i > cursor.entry_id}
        if own and marks.entries == len(own) and marks.top_entry == max(own):
            from incident_tui.store.timeline_reads import TimelineCursor

            self._cursor = TimelineCursor(marks.top_entry, cursor.revision_id)
            self._own_ids.clear()
            return False
        return True

    def _show_trouble(self, _trouble: object = None) -> None:
        trouble = self.incident_app.link_trouble or self._read_trouble
        banner = self.query_one("#trouble", TroubleBanner)
        back = banner.showing and trouble is None
        banner.show(trouble)
        if back and self.detail is not None and not self.incident_app.read_only:
            self.heartbeat()  # back on the strip at once, not at the next beat
