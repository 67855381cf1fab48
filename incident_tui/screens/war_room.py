"""The war room: live timeline, roles, updates and countdowns, and the scribe's entry line.

Reads go through `queries`, writes through `commands`/`ops`; this module speaks no SQL.
The first read of the incident runs in a worker (a 100k-entry timeline takes ~0.4 s);
after that, each app tick asks the database whether anything changed (SQLite's
`data_version`, a few µs) and reads only what is new.
"""

from __future__ import annotations

import gc
import socket
import threading
import time
import uuid
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from incident_tui.domain.checklists import current_checklist, seen_done
from incident_tui.domain.errors import ConflictError, IncidentError
from incident_tui.domain.presence import PRESENCE_HEARTBEAT
from incident_tui.domain.records import Deadline, IncidentDetail
from incident_tui.domain.text import clean, one_line
from incident_tui.domain.vocabulary import AUDIENCES, CORE_ROLES, PHASES, SYSTEM_KINDS, incident_key
from incident_tui.screens.too_small import SizeGuarded
from incident_tui.widgets.badges import clock_time, steady_cursors
from incident_tui.widgets.checklist_pane import ChecklistPane
from incident_tui.widgets.countdowns import CountdownsPane
from incident_tui.widgets.entry_line import EntryLine
from incident_tui.widgets.state_panes import (
    PresenceStrip,
    RolesPane,
    TroubleBanner,
    UpdatesPane,
    WarRoomHeading,
)
from incident_tui.widgets.timeline_view import TimelineView

if TYPE_CHECKING:
    from incident_tui.domain.entry_syntax import Command
    from incident_tui.ops.write_queue import Pending
    from incident_tui.store.queries import IncidentRead, TimelineCursor


class WarRoomScreen(SizeGuarded, Screen[None]):
    """One incident, live. Keys reachable from the entry line are F-keys or ctrl+…"""

    BINDINGS = [
        Binding("f1", "help", "Help", id="help", tooltip="Keys and slash commands"),
        Binding("f2", "pick_phase", "Phase", id="phase", tooltip="Move the incident to a phase"),
        Binding(
            "f3",
            "pick_severity",
            "Sev",
            id="severity",
            tooltip="Change the severity; cadences follow at once",
        ),
        Binding("f4", "hand_over", "Role", id="role", tooltip="Hand a role over (/role ROLE NAME)"),
        Binding("f5", "compose_update", "Update", id="update", tooltip="Write a status update"),
        Binding(
            "f6",
            "toggle_tz",
            "UTC/local",
            id="toggle-tz",
            show=False,
            tooltip="Show times in UTC or local time",
        ),
        Binding(
            "f7", "pin", "Pin", id="pin", tooltip="Pin the selected (or last) entry as a key event"
        ),
        Binding(
            "f8",
            "edit_entry",
            "Edit",
            id="edit-entry",
            tooltip="Edit the selected entry (from the entry line: your last one); history kept",
        ),
        Binding(
            "f9",
            "delete_entry",
            "Delete",
            id="delete-entry",
            show=False,
            tooltip="Delete the selected entry (kept as a mark)",
        ),
        Binding(
            "f10",
            "postmortem",
            "PM",
            id="postmortem",
            tooltip="Write the blameless postmortem draft and export it",
        ),
        Binding(
            "ctrl+t",
            "focus_timeline",
            "Timeline",
            id="focus-timeline",
            show=False,
            tooltip="Move into the timeline to pick an entry",
        ),
        Binding(
            "ctrl+o",
            "focus_countdowns",
            "Countdowns",
            id="focus-countdowns",
            show=False,
            tooltip="Move into the countdowns to snooze one",
        ),
        Binding(
            "ctrl+l",
            "focus_checklist",
            "Checklist",
            id="focus-checklist",
            show=False,
            tooltip="Move into the checklist to tick an item (logged)",
        ),
        # The app's quit key, left out of this footer: its room goes to the F-keys.
        Binding("ctrl+q", "app.quit", "Quit", id="quit", show=False, tooltip="Leave incident-tui"),
        Binding(
            "ctrl+r", "reload", "Reload", id="reload", show=False, tooltip="Read the incident again"
        ),
        Binding(
            "escape",
            "leave",
            "Back",
            id="back",
            show=False,
            tooltip="Back to the entry line, then to the incident list",
        ),
    ]

    def __init__(self, number: int, *, focus_entry: int | None = None) -> None:
        super().__init__()
        self.number = number
        self.focus_entry = focus_entry
        """An entry to open at (a search hit): selected in the timeline once read."""
        self.detail: IncidentDetail | None = None
        self.deadlines: list[Deadline] = []
        self._cursor: TimelineCursor | None = None
        self._data_version: int | None = None
        self._announced: set[tuple[str, datetime]] = set()
        self._minute = -1
        self.utc = True
        self.drafts: dict[str, str] = {}
        self._enabled: tuple[bool | None, ...] = ()
        self._status_shown = False
        self._status_error = False
        self._status_about_line = False
        self._read_at = 0.0
        self._read_trouble: str | None = None
        self.session_id = uuid.uuid4().hex
        """This screen, in the presence table."""
        self._present = False
        self._writes = None
        self._waiting = False
        """The status line says lines are waiting for the database."""
        self._reported = 0
        self._retry: tuple[str, datetime] | None = None
        """A line given back after a failed write, and when it was first entered."""
        self._refresh_whole: bool | None = None
        """A read after our own writes is due: of everything (True) or the timeline."""

    # --- the app around us -------------------------------------------------------------

    @property
    def tz(self) -> tzinfo:
        if self.utc:
            return UTC
        configured = self.app.config.display_tz  # type: ignore[attr-defined]
        if configured is not UTC:
            return configured
        return datetime.now().astimezone().tzinfo or UTC

    def now(self) -> datetime:
        return self.app.clock.now()  # type: ignore[attr-defined]

    @property
    def user(self) -> str:
        return self.app.user  # type: ignore[attr-defined]

    @property
    def policy(self):  # type: ignore[no-untyped-def]
        return self.app.config.policy  # type: ignore[attr-defined]

    # --- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield WarRoomHeading(id="heading")
        yield TroubleBanner(id="trouble")
        with Horizontal(id="panes"):
            yield TimelineView(id="timeline")
            with Vertical(id="side"):
                yield CountdownsPane(id="countdowns")
                yield RolesPane(id="roles")
                yield ChecklistPane(id="checklist")
                yield UpdatesPane(id="updates")
        with Horizontal(id="status-row"):
            yield Static(id="entry-status")
            yield PresenceStrip(id="presence")
        yield EntryLine(
            id="entry",
            placeholder="Type what happened, Enter logs it · 14:32 … backdates · /help",
            known=self.completion_words,
            take=self.take_line,
        )
        yield Footer(compact=True)  # the most-used keys fit at 80 columns; F1 lists all

    def on_mount(self) -> None:
        self.query_one("#timeline").border_title = "Timeline"
        self.query_one("#countdowns").border_title = "Countdowns"
        self.query_one("#roles").border_title = "Roles"
        self.query_one("#updates").border_title = "Status updates"
        self.query_one("#heading", WarRoomHeading).show(
            None, self.now(), self.tz, number=self.number
        )
        entry = self.query_one("#entry", EntryLine)
        if self.app.read_only:  # type: ignore[attr-defined]
            entry.placeholder = "read-only: an observer's view of the war room"
            entry.disabled = True
            self.query_one("#timeline", TimelineView).focus()
        else:
            entry.focus()
        steady_cursors(self)
        self.watch(self.app, "now", self.on_tick, init=False)
        self.watch(self.app, "changes", self.poll, init=False)
        self.watch(self.app, "link_trouble", self._show_trouble, init=False)
        self.load()

    # --- reading ----------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="war-room", exit_on_error=False)
    def load(self) -> None:
        app = self.app
        if app.database is None:  # type: ignore[attr-defined]
            self._first_look()
        from incident_tui.domain.errors import NotFound
        from incident_tui.store.queries import read_incident  # SQLAlchemy: after the first look

        try:
            db = app.get_database()  # type: ignore[attr-defined]
            if not app.read_only:  # type: ignore[attr-defined]
                self._say_present(db)  # first, so the first read shows us here too
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
            look = first_look(self.app.db_target, self.number, self.FIRST_LOOK_ROWS)  # type: ignore[attr-defined]
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
            if not self.app.read_only:  # type: ignore[attr-defined]
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
        if whole and not self.app.read_only:  # type: ignore[attr-defined]
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
        from incident_tui.store.queries import read_timeline_changes

        changes = read_timeline_changes(self.app.get_database(), self.number, self._cursor)  # type: ignore[attr-defined]
        timeline = self.query_one("#timeline", TimelineView)
        timeline.merge(changes.entries, changes.removed)
        self.detail.timeline = timeline.timeline.entries
        self._cursor = changes.cursor
        timeline.border_title = timeline.count_title()

    def refresh_from_db(self) -> None:
        """Read what changed since the last read (after our own write, or another's)."""
        if self._cursor is None:
            return
        from incident_tui.store.queries import read_incident

        db = self.app.get_database()  # type: ignore[attr-defined]
        version = db.data_version()
        self.apply(read_incident(db, self.number, self._cursor), version)

    def poll(self) -> None:
        """Cheap change detection: only a changed data_version costs a read. Runs when
        the change feed wakes us, and on the tick where the feed cannot be relied on."""
        if self._cursor is None:
            return
        db = self.app.get_database()  # type: ignore[attr-defined]
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

    @work(thread=True, group="presence", exit_on_error=False)
    def heartbeat(self) -> None:
        """Tell the others this screen is still open (off the UI thread: a busy database
        must not stall typing)."""
        self._say_present(self.app.get_database())  # type: ignore[attr-defined]

    def _say_present(self, db) -> None:  # type: ignore[no-untyped-def]
        from incident_tui.ops import mark_present

        try:
            mark_present(
                db,
                session_id=self.session_id,
                key=self.number,
                name=self.user,
                host=socket.gethostname(),
                now=self.app.clock.now(),  # type: ignore[attr-defined]
            )
            self._present = True
        except Exception:  # presence is a courtesy: the banner reports real trouble
            pass

    def on_unmount(self) -> None:
        if self._writes is not None:
            self._writes.close()  # what is queued is still written, then the thread ends
        if self._present:
            from incident_tui.ops import leave

            try:
                leave(self.app.get_database(), session_id=self.session_id)  # type: ignore[attr-defined]
            except Exception:  # gone anyway once it is not heard from
                pass

    def _show_trouble(self, _trouble: object = None) -> None:
        trouble = self.app.link_trouble or self._read_trouble  # type: ignore[attr-defined]
        banner = self.query_one("#trouble", TroubleBanner)
        back = banner.showing and trouble is None
        banner.show(trouble)
        if back and self.detail is not None and not self.app.read_only:  # type: ignore[attr-defined]
            self.heartbeat()  # back on the strip at once, not at the next beat

    # --- drawing ----------------------------------------------------------------------

    def _show_state(self) -> None:
        from incident_tui.domain.policy import deadlines

        detail = self.detail
        if detail is None:
            return
        now = self.now()
        self.deadlines = deadlines(detail.facts, self.policy)
        self.query_one("#roles", RolesPane).show(detail, now, self.tz)
        self.query_one("#updates", UpdatesPane).show(detail, now, self.tz)
        checklist = current_checklist(self.app.config.checklists, detail.severity, detail.phase)  # type: ignore[attr-defined]
        self.query_one("#checklist", ChecklistPane).show(
            checklist,
            detail.ticks,
            self.tz,
            seen=seen_done(checklist, detail) if checklist is not None else (),
        )
        self._tick_panes(now)
        # Redrawing the footer costs more than the rest of an entry: only when it changes.
        enabled = tuple(
            self.check_action(b.action, ()) for b in self.BINDINGS if isinstance(b, Binding)
        )
        if enabled != self._enabled:
            self._enabled = enabled
            self.refresh_bindings()

    def _tick_panes(self, now: datetime) -> None:
        detail = self.detail
        self.query_one("#heading", WarRoomHeading).show(
            detail,
            now,
            self.tz,
            number=self.number,
            next_deadline=self.deadlines[0] if self.deadlines else None,
        )
        self.query_one("#countdowns", CountdownsPane).show(self.deadlines, now, self.tz)
        self.query_one("#presence", PresenceStrip).show(detail, now)
        self._announce_overdue(now)

    def on_tick(self, now: datetime) -> None:
        if self.app.should_poll(time.monotonic() - self._read_at):  # type: ignore[attr-defined]
            self.poll()
        if self.detail is None:
            return
        self._tick_panes(now)
        if now.minute != self._minute:  # "23 min ago" moves once a minute
            self._minute = now.minute
            self.query_one("#roles", RolesPane).show(self.detail, now, self.tz)
            self.query_one("#updates", UpdatesPane).show(self.detail, now, self.tz)

    def _announce_overdue(self, now: datetime) -> None:
        """At zero: the bell rings once and a notification names what is overdue."""
        newly = [
            d
            for d in self.deadlines
            if d.due_at <= now and (d.name, d.due_at) not in self._announced
        ]
        if not newly:
            return
        for deadline in newly:
            self._announced.add((deadline.name, deadline.due_at))
        self.app.bell()
        names = ", ".join(d.title for d in newly)
        self.notify(
            f"Overdue: {names}",
            title=incident_key(self.number),
            severity="error",
            markup=False,
            timeout=10,
        )

    def on_resize(self) -> None:
        super().on_resize()
        if self.detail is not None:
            # Panes choose a compact form when narrow: redraw once their new sizes are known.
            self.call_after_refresh(self._show_state)

    # --- the entry line ---------------------------------------------------------------

    def completion_words(self) -> dict[str, Any]:
        detail = self.detail
        if detail is None:
            return {}
        people = {h.holder for h in detail.holdings} | {self.user}
        people |= {e.author for e in detail.timeline[-200:]}
        return {
            "roles": tuple(sorted({h.role for h in detail.holdings} - set(CORE_ROLES))),
            "people": tuple(sorted(people)),
            "deadlines": tuple(d.name for d in self.deadlines),
        }

    def status(self, message: str, *, error: bool = False, about_line: bool = False) -> None:
        """One line under the timeline; an error `about_line` (the text in the entry line)
        goes once that text leaves the line, any other stays until the next message."""
        line = self.query_one("#entry-status", Static)
        if not message and not self._status_shown:
            return
        self._status_shown = bool(message)
        self._status_error = error and bool(message)
        self._status_about_line = self._status_error and about_line
        line.set_class(error, "-error")
        line.update(Text(one_line(message, 400), no_wrap=True, overflow="ellipsis"), layout=False)

    def on_input_changed(self, event: EntryLine.Changed) -> None:
        # An error speaks of the line as it was; once the line is cleared it is stale.
        # The line as it is now: a change message can arrive after later keys were typed.
        if event.input.id == "entry" and not event.input.value and self._status_about_line:
            self.status("")

    def on_entry_line_choices(self, event: EntryLine.Choices) -> None:
        if event.choices:
            self.status("  ".join(event.choices[:20]))

    def take_line(self, line: str, typed_at: float) -> str | None:
        """The entry line's Enter, in the order typed: parse the line and queue its write
        (the line is cleared in the same step). Returns why not when the line stays."""
        from incident_tui.domain.entry_syntax import PostUpdate, ShowHelp, parse_line
        from incident_tui.ops.write_queue import Pending

        if self.app.read_only:  # type: ignore[attr-defined]
            return self._failed("read-only: this is an observer's view")
        now = self.now()
        try:
            command = parse_line(line, now=now, tz=self.tz)
        except IncidentError as error:
            return self._failed(str(error))
        if isinstance(command, ShowHelp):
            self.action_help()
            return None
        if isinstance(command, PostUpdate) and command.text is None:
            if self.detail is None:
                return self._failed("still reading the incident; the composer opens once read")
            self.open_composer(command.audience)
            return None
        retry, self._retry = self._retry, None
        if retry is not None and retry[0] == line:
            now = retry[1]  # it happened when first entered, not when the database came back
        self.writes.put(Pending(line, command, now, typed_at))
        return None

    def submit(self, command: Command) -> None:
        """A command from a key, a picker or the palette: written in turn with the lines."""
        from incident_tui.ops.write_queue import Pending

        if self.app.read_only:  # type: ignore[attr-defined]
            self._failed("read-only: this is an observer's view")
            return
        self.writes.put(Pending("", command, self.now(), 0.0))

    @property
    def writes(self):  # type: ignore[no-untyped-def]
        """The queue of lines taken and not yet written (its thread starts once the
        incident is read, so lines typed while the war room opens wait their turn)."""
        if self._writes is None:
            from incident_tui.ops.write_queue import WriteQueue

            self._writes = WriteQueue(self._write_pending, self._report_write)
        return self._writes

    def _write_pending(self, pending) -> str:  # type: ignore[no-untyped-def]
        """In the writer's thread: one line, one committed transaction."""
        from incident_tui.ops import dispatch as commands

        return commands.run(
            pending.command,  # type: ignore[arg-type]
            db=self.app.get_database(),  # type: ignore[attr-defined]
            number=self.number,
            author=self.user,
            now=self.now(),
            entered_at=pending.entered_at,
            open_deadlines=self.deadlines,
        ).message

    class WriteReported(Message):
        """A queued line was written, refused, or is waiting for the database."""

        def __init__(self, outcome) -> None:  # type: ignore[no-untyped-def]
            super().__init__()
            self.outcome = outcome

    def _report_write(self, outcome) -> None:  # type: ignore[no-untyped-def]
        self.post_message(self.WriteReported(outcome))  # from the writer's thread

    def on_war_room_screen_write_reported(self, event: WarRoomScreen.WriteReported) -> None:
        from incident_tui.domain.entry_syntax import LogEntry, SetPhase

        outcome = event.outcome
        pending = outcome.pending
        command = pending.command
        entry = self.query_one("#entry", EntryLine)
        if outcome.waiting:
            lines = f"{outcome.queued} line{'s' if outcome.queued != 1 else ''}"
            self._waiting = True
            self.status(
                f"not saved yet, kept and retried in order ({lines}): {outcome.error}",
                error=True,
            )
            return
        if outcome.returned:  # the database failed it, nothing behind it
            given = bool(pending.line) and entry.can_take_back(pending.typed_at)
            self.writes.taken(given)
            if given:  # Enter retries it, at the time it was first entered
                self._reported += 1
                entry.take_back(pending.line, requeue=lambda: self._requeue(pending))
                self._retry = (pending.line, pending.entered_at)
                self.status(outcome.error or "", error=True, about_line=True)
            else:  # typed on meanwhile: it stays first in the queue and is retried
                self._waiting = True
                self.status(f"not saved yet, kept and retried: {outcome.error}", error=True)
            return
        self._reported += 1
        if outcome.error is not None:  # refused for what it says
            self._waiting = False
            if pending.line and entry.can_take_back(pending.typed_at):
                entry.take_back(pending.line)
                self.status(outcome.error, error=True, about_line=True)
            elif pending.line:
                entry.remember(pending.line)
                self.status(
                    f"{outcome.error} · not logged: {one_line(pending.line, 60)} (↑ finds it)",
                    error=True,
                )
            else:
                self.status(outcome.error, error=True)
            return
        self._refresh_soon(whole=not isinstance(command, LogEntry))
        if self._waiting and not outcome.queued:
            self._waiting = False
            self.status("saved: every line is in the database")
        elif isinstance(command, LogEntry) and command.at is None and command.kind == "note":
            # The entry on the timeline is the confirmation; a message would only cost a
            # repaint on every line the scribe types.
            if not self._status_error:
                self.status("")
        else:
            self.status(outcome.message or "")
        if isinstance(command, SetPhase) and command.phase == "resolved":
            self.notify("Resolved. F10 opens the postmortem draft.", markup=False, timeout=8)

    def _requeue(self, pending: Pending) -> None:
        """A line given back for the database's sake, with the scribe typing on at once:
        back first in the queue (as entered), written in turn before the lines after it."""
        self._retry = None
        self.writes.put(pending, first=True)
        self._waiting = True
        self.status(f"not saved yet, kept and retried in order: {one_line(pending.line, 60)}")

    @property
    def writes_settled(self) -> bool:
        """Every line taken is written or refused, reported and drawn (for tests)."""
        return (
            len(self.writes) == 0
            and self._reported == self.writes.finished
            and self._refresh_whole is None
        )

    def _refresh_soon(self, *, whole: bool) -> None:
        """Read what the writes changed once the reports queued now are handled: a burst
        of lines costs one read, not one each."""
        first = self._refresh_whole is None
        self._refresh_whole = whole or bool(self._refresh_whole)
        if first:
            self.call_later(self._refresh_after_writes)

    def _refresh_after_writes(self) -> None:
        whole, self._refresh_whole = self._refresh_whole, None
        try:
            if whole:
                self.refresh_from_db()
            else:
                self.refresh_timeline()
        except IncidentError as error:
            self.status(str(error), error=True)

    def on_entry_line_set_aside(self, event: EntryLine.SetAside) -> None:
        self.status(
            f"not logged: {one_line(event.text, 60)} (↑ finds it) · typed ahead after an error",
            error=True,
        )

    def on_entry_line_refused(self, event: EntryLine.Refused) -> None:
        self.status(event.reason, error=True)

    def perform(self, command: Command) -> str | None:
        """Run a command now (one committed transaction), then show what changed; for a
        dialog that stays open when it fails. The error goes to the status line too, and
        is returned. None when it is done."""
        from incident_tui.ops import dispatch as commands

        if self.app.read_only:  # type: ignore[attr-defined]
            return self._failed("read-only: this is an observer's view")
        if self.detail is None:
            return self._failed("still reading the incident; try again in a moment")
        try:
            done = commands.run(
                command,
                db=self.app.get_database(),  # type: ignore[attr-defined]
                number=self.number,
                author=self.user,
                now=self.now(),
                open_deadlines=self.deadlines,
            )
        except IncidentError as error:
            return self._failed(str(error))
        except Exception as error:  # never a traceback, never a lost line
            return self._failed(f"internal error: {type(error).__name__}: {error}")
        self.refresh_from_db()
        self.status(done.message)
        return None

    def _failed(self, message: str) -> str:
        self.status(message, error=True, about_line=True)
        return message

    # --- the commander's actions ------------------------------------------------------

    WRITE_ACTIONS = frozenset(
        {
            "pick_phase",
            "pick_severity",
            "hand_over",
            "compose_update",
            "pin",
            "edit_entry",
            "delete_entry",
            "postmortem",
            "focus_countdowns",
            "focus_checklist",
        }
    )
    """What observer mode (--read-only) greys out."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.WRITE_ACTIONS and self.app.read_only:  # type: ignore[attr-defined]
            return None
        loaded = self.detail is not None
        if action in ("pick_phase", "pick_severity", "hand_over", "compose_update"):
            return True if loaded else None
        if action in ("pin", "focus_timeline"):
            return True if loaded and self.detail.timeline else None  # type: ignore[union-attr]
        if action in ("edit_entry", "delete_entry"):
            if not loaded:
                return None
            target = (
                self._target_entry(editable=True)
                if action == "edit_entry"
                else self.query_one("#timeline", TimelineView).selected_entry
            )
            return True if target is not None else None  # a system record: the key says why
        if action == "focus_countdowns":
            return True if self.deadlines else None
        return True

    def action_help(self) -> None:
        from incident_tui.screens.help import HelpScreen

        keys = [
            (b.key.replace(",", " / "), b.tooltip or b.description)
            for b in self.BINDINGS
            if isinstance(b, Binding)
        ]
        keys += [("ctrl+p", "command palette: every action by name")]
        keys += [
            ("↑ ↓ enter", "in the timeline: move, show the whole entry"),
            ("z", "in the countdowns: snooze the selected one"),
            ("d", "in the countdowns: dismiss the selected timer (logged)"),
        ]
        self.app.push_screen(HelpScreen(keys))

    def action_pick_phase(self) -> None:
        from incident_tui.domain.entry_syntax import SetPhase
        from incident_tui.screens.dialogs import PickScreen

        if self.detail is None:
            return
        choices = [(p, p + ("  (now)" if p == self.detail.phase else "")) for p in PHASES]

        def chosen(phase: str | None) -> None:
            if phase:
                self.submit(SetPhase(phase))

        self.app.push_screen(PickScreen("Move to phase", choices, self.detail.phase), chosen)

    def action_pick_severity(self) -> None:
        from incident_tui.domain.entry_syntax import SetSeverity
        from incident_tui.screens.dialogs import PickScreen

        if self.detail is None:
            return
        meanings = {
            1: "complete outage, data loss, security breach",
            2: "major feature down, many users",
            3: "feature degraded, workaround exists",
            4: "cosmetic, minimal impact",
        }
        choices = [
            (str(s), f"SEV{s}  {meaning}" + ("  (now)" if s == self.detail.severity else ""))
            for s, meaning in meanings.items()
        ]

        def chosen(value: str | None) -> None:
            if value:
                self.submit(SetSeverity(int(value)))

        self.app.push_screen(
            PickScreen("Change severity", choices, str(self.detail.severity)), chosen
        )

    def start_command(self, name: str) -> None:
        """From the palette: a slash command waiting in the entry line for its words."""
        entry = self.query_one("#entry", EntryLine)
        if entry.value.strip():
            self.status("the entry line holds text: log it or clear it first (ctrl+u)", error=True)
        else:
            entry.value = f"/{name} "
            entry.cursor_position = len(entry.value)
        entry.focus()

    def action_hand_over(self) -> None:
        entry = self.query_one("#entry", EntryLine)
        if entry.value.strip() and not entry.value.startswith("/role"):
            self.status("the entry line holds text: log it or clear it first (ctrl+u)", error=True)
            entry.focus()
            return
        entry.value = "/role "
        entry.cursor_position = len(entry.value)
        entry.focus()
        self.status("/role ROLE NAME — tab completes: " + "  ".join(CORE_ROLES))

    def action_compose_update(self, audience: str | None = None) -> None:
        if self.detail is None:
            return
        if audience is None:
            # The audience whose update is due soonest.
            due = [d for d in self.deadlines if d.name.startswith("update:")]
            audience = due[0].name.split(":", 1)[1] if due else "internal"
        self.open_composer(audience)

    def open_composer(self, audience: str) -> None:
        from incident_tui.domain.entry_syntax import PostUpdate
        from incident_tui.screens.composer import ComposerScreen

        if self.detail is None:
            return

        def post(audience: str, text: str) -> str | None:
            return self.perform(PostUpdate(audience, text))

        self.app.push_screen(
            ComposerScreen(
                self.detail,
                audience,
                now=self.now(),
                tz=self.tz,
                policy=self.policy,
                post=post,
                drafts=self.drafts,
            )
        )

    def action_toggle_tz(self) -> None:
        self.utc = not self.utc
        self.query_one("#timeline", TimelineView).set_timezone(self.tz)
        self._show_state()
        self.status(
            "times in UTC" if self.utc else f"times in local time ({datetime.now(self.tz):%Z})"
        )

    def _target_entry(self, *, editable: bool = False):  # type: ignore[no-untyped-def]
        """The entry a key acts on: the one selected in the timeline; from the entry line,
        the last one logged (for an edit: the last one this user typed, never a record
        the system wrote)."""
        timeline = self.query_one("#timeline", TimelineView)
        if timeline.selected_entry is not None:
            return timeline.selected_entry
        entries = timeline.timeline.entries
        if editable:
            entries = [e for e in entries[-500:] if e.author == self.user]
            entries = [e for e in entries if e.kind not in SYSTEM_KINDS]
        return max(entries, key=lambda e: (e.recorded_at, e.id)) if entries else None

    def _back_from_dialog(self, from_timeline: bool) -> None:
        """The keyboard goes back where it was: the timeline keeps its selection (moved to
        a neighbour when that entry was deleted), so the next F8/F9 acts on it."""
        if from_timeline:
            self.query_one("#timeline", TimelineView).focus()
        else:
            self._back_to_typing()

    def action_pin(self) -> None:
        from incident_tui import ops

        entry = self._target_entry()
        if entry is None:
            return
        self._write(
            lambda db, now: ops.pin_entry(
                db, key=self.number, entry_id=entry.id, author=self.user, now=now
            ),
            lambda result: f"{'pinned' if result.pinned else 'unpinned'} #{result.id}",
        )

    def _write(self, call, describe) -> str | None:  # type: ignore[no-untyped-def]
        """One operation from a key: committed, re-read, reported; an error is one line
        (returned too; None when done)."""
        try:
            result = call(self.app.get_database(), self.now())  # type: ignore[attr-defined]
        except IncidentError as error:
            return self._failed(str(error))
        self.refresh_from_db()
        self.status(describe(result))
        return None

    def action_edit_entry(self) -> None:
        from incident_tui import ops
        from incident_tui.domain.timeparse import parse_past_time
        from incident_tui.screens.dialogs import EditEntryScreen

        from_timeline = self.query_one("#timeline", TimelineView).selected_entry is not None
        entry = self._target_entry(editable=True)
        if entry is None:
            self.status("nothing of yours to edit: select an entry (ctrl+t, ↑ ↓)", error=True)
            return
        if entry.kind in SYSTEM_KINDS:
            self.status(
                f"#{entry.id} is a {entry.kind} record the system wrote: not editable (F7 pins it)",
                error=True,
            )
            return

        shown = entry.occurred_at.astimezone(self.tz).strftime("%Y-%m-%dT%H:%M:%S")
        expected = [entry.version]

        def save(text: str, when: str) -> str | None:
            # The time as shown drops fractions of a second: only a changed time moves it.
            try:
                at = (
                    parse_past_time(when.strip().removesuffix("Z"), now=self.now(), tz=self.tz)
                    if when.strip() and when.strip() != shown
                    else None
                )
            except IncidentError as error:
                return str(error)

            def edit(db, now):  # type: ignore[no-untyped-def]
                try:
                    return ops.edit_entry(
                        db,
                        key=self.number,
                        entry_id=entry.id,
                        text=text if text != entry.text else None,
                        occurred_at=at,
                        author=self.user,
                        now=now,
                        expected_version=expected[0],
                    )
                except ConflictError as conflict:
                    # Shown their version, the editor decides: Enter again puts theirs in
                    # the history and saves this one; Esc keeps theirs.
                    expected[0] = conflict.version
                    raise ConflictError(
                        f"{conflict} · Enter saves yours over it (theirs stays in the "
                        "history), Esc keeps theirs"
                    ) from None

            return self._write(
                edit, lambda result: f"entry #{result.id} edited (the previous text is kept)"
            )

        self.app.push_screen(
            EditEntryScreen(entry, shown, save),
            lambda _result: self._back_from_dialog(from_timeline),
        )

    def action_delete_entry(self) -> None:
        from incident_tui import ops
        from incident_tui.screens.dialogs import ConfirmScreen

        entry = self.query_one("#timeline", TimelineView).selected_entry
        if entry is None:
            self.status("select the entry to delete first: ctrl+t, then ↑ ↓", error=True)
            return
        if entry.kind in SYSTEM_KINDS:
            self.status(
                f"#{entry.id} is a {entry.kind} record the system wrote: it stays (F7 pins it)",
                error=True,
            )
            return

        def confirmed(yes: bool | None) -> None:
            self._back_from_dialog(True)
            if yes:
                self._write(
                    lambda db, now: ops.delete_entry(
                        db,
                        key=self.number,
                        entry_id=entry.id,
                        author=self.user,
                        now=now,
                        expected_version=entry.version,
                    ),
                    lambda _: f"entry #{entry.id} deleted (kept in the history)",
                )

        self.app.push_screen(
            ConfirmScreen(f"Delete entry #{entry.id}: {one_line(entry.text, 80)}?"), confirmed
        )

    def _back_to_typing(self, _result: object = None) -> None:
        """After a dialog, the keyboard belongs to the entry line again."""
        self.query_one("#entry", EntryLine).focus()

    def on_key(self, event: events.Key) -> None:
        """Typing while the timeline or the countdowns have focus goes to the entry line:
        a scribe who starts typing must never type into nothing."""
        entry = self.query_one("#entry", EntryLine)
        if entry.disabled or entry.has_focus or not event.is_printable or not event.character:
            return
        focused = self.focused
        if focused is not None and any(
            event.key in binding.key.split(",")
            for binding in focused.BINDINGS
            if isinstance(binding, Binding)
        ):
            return  # the pane's own key (z snoozes in the countdowns)
        event.stop()
        entry.focus()
        entry.insert_text_at_cursor(event.character)

    def action_postmortem(self) -> None:
        from incident_tui.screens.postmortem import PostmortemScreen

        self.app.push_screen(PostmortemScreen(self.number), self._back_to_typing)

    def action_focus_timeline(self) -> None:
        self.query_one("#timeline", TimelineView).focus()

    def action_focus_countdowns(self) -> None:
        self.query_one("#countdowns", CountdownsPane).focus()

    def action_focus_checklist(self) -> None:
        from incident_tui.screens.dialogs import PickScreen

        pane = self.query_one("#checklist", ChecklistPane)
        checklist = pane.checklist
        if checklist is None:
            self.status("no checklist for this severity and phase")
            return
        if pane.styles.display != "none":
            pane.focus()
            return
        # Narrow: the pane does not fit, so the list comes up as a dialog.

        def chosen(item: str | None) -> None:
            self._back_to_typing()
            if item is not None:
                pane.post_message(pane.Toggled(checklist, item, item not in pane.ticks))

        done = sum(1 for item in checklist.items if item in pane.ticks)
        self.app.push_screen(
            PickScreen(
                f"{checklist.title} · {done}/{len(checklist.items)} (enter ticks or unticks)",
                [
                    (item, f"{'☑' if item in pane.ticks else '☐'} {item}")
                    for item in checklist.items
                ],
            ),
            chosen,
        )

    def on_checklist_pane_toggled(self, event: ChecklistPane.Toggled) -> None:
        from incident_tui import ops

        self._write(
            lambda db, now: ops.tick_checklist(
                db,
                key=self.number,
                checklist=event.checklist.name,
                title=event.checklist.title,
                item=event.item,
                author=self.user,
                now=now,
                done=event.done,
            ),
            lambda text: text,
        )

    def action_reload(self) -> None:
        self.load()

    def action_leave(self) -> None:
        entry = self.query_one("#entry", EntryLine)
        if entry.disabled:  # an observer has nothing typed to keep
            self.app.back_to_list()  # type: ignore[attr-defined]
            return
        if not entry.has_focus:
            entry.focus()
            return
        if entry.value.strip():
            self.status(
                "the entry line holds text: log it (enter) or clear it (ctrl+u) before leaving",
                error=True,
            )
            return
        self.app.back_to_list()  # type: ignore[attr-defined]

    def on_countdowns_pane_snooze_requested(self, event: CountdownsPane.SnoozeRequested) -> None:
        from incident_tui.domain.entry_syntax import Snooze
        from incident_tui.screens.dialogs import PickScreen

        deadline = event.deadline

        def chosen(minutes: str | None) -> None:
            self._back_to_typing()
            if minutes:
                self.submit(Snooze(deadline.name, int(minutes)))

        self.app.push_screen(
            PickScreen(
                f"Snooze {deadline.title}",
                [("5", "5 minutes"), ("10", "10 minutes"), ("15", "15 minutes")],
            ),
            chosen,
        )

    def action_role_history(self) -> None:
        """Every holding of every role, from when to when (the Roles pane shows only the
        current holder and the one before)."""
        from incident_tui.screens.dialogs import PickScreen

        if self.detail is None:
            return
        rows = []
        for index, holding in enumerate(
            sorted(self.detail.holdings, key=lambda h: (h.role, h.started_at))
        ):
            until = (
                clock_time(holding.ended_at, self.tz, seconds=False)
                if holding.ended_at is not None
                else "now"
            )
            rows.append(
                (
                    str(index),
                    f"{one_line(holding.role, 20):<12} {one_line(holding.holder, 20):<14} "
                    f"{clock_time(holding.started_at, self.tz, seconds=False)} – {until}",
                )
            )
        self.app.push_screen(
            PickScreen("Role history (esc closes)", rows or [("-", "no roles held yet")]),
            self._back_to_typing,
        )

    def on_countdowns_pane_timer_done(self, event: CountdownsPane.TimerDone) -> None:
        from incident_tui.domain.entry_syntax import StopTimer

        self.perform(StopTimer(event.label))

    def on_timeline_view_selected(self, event: TimelineView.Selected) -> None:
        entry = event.entry
        self.notify(
            f"#{entry.id} {entry.kind} by {one_line(entry.author)} at "
            f"{clock_time(entry.occurred_at, self.tz)} "
            f"(recorded {clock_time(entry.recorded_at, self.tz)}):\n{clean(entry.text[:2000])}",
            markup=False,
            timeout=15,
        )

    # --- the command palette ------------------------------------------------------------

    def palette_commands(self) -> list[tuple[str, str, Any]]:
        """Every action by name, for the command palette (observers: only the views)."""
        if self.app.read_only:  # type: ignore[attr-defined]
            return [
                ("Toggle UTC / local time", "how times are shown", self.action_toggle_tz),
                ("Go to the timeline", "read any entry whole", self.action_focus_timeline),
                ("Reload the incident", "read everything again", self.action_reload),
                ("Help", "keys and slash commands", self.action_help),
            ]
        commands: list[tuple[str, str, Any]] = [
            ("Change phase…", "move the incident to a phase", self.action_pick_phase),
            (
                "Change severity…",
                "cadences and countdowns follow at once",
                self.action_pick_severity,
            ),
            ("Hand over a role…", "/role ROLE NAME", self.action_hand_over),
            ("Role history", "every holder of every role, with times", self.action_role_history),
            ("Pin the selected (or last) entry", "mark it as a key event", self.action_pin),
            (
                "Edit the selected (or last) entry",
                "the previous text is kept",
                self.action_edit_entry,
            ),
            ("Delete the selected entry", "asks first; kept as a mark", self.action_delete_entry),
            (
                "Go to the timeline",
                "select an entry to pin, edit or delete",
                self.action_focus_timeline,
            ),
            ("Reload the incident", "read everything again", self.action_reload),
            ("Back to the incident list", "from an empty entry line", self.action_leave),
            ("Toggle UTC / local time", "how times are shown", self.action_toggle_tz),
            ("Snooze a countdown…", "5, 10 or 15 minutes, logged", self.action_focus_countdowns),
            (
                "Tick a checklist item…",
                "The phase's checklist; logged",
                self.action_focus_checklist,
            ),
            ("Help", "keys and slash commands", self.action_help),
            (
                "Postmortem",
                "write the blameless draft, see metrics and lint, export",
                self.action_postmortem,
            ),
        ]
        from incident_tui.domain.entry_syntax import SLASH_COMMANDS

        for slash in SLASH_COMMANDS:
            commands.append(
                (slash.usage, slash.help, lambda name=slash.name: self.start_command(name))
            )
        for audience in AUDIENCES:
            commands.append(
                (
                    f"Status update: {audience}",
                    "open the composer",
                    lambda a=audience: self.open_composer(a),
                )
            )
        from incident_tui.domain.entry_syntax import SetPhase, SetSeverity

        for phase in PHASES:
            commands.append(
                (f"Phase → {phase}", "change phase", lambda p=phase: self.submit(SetPhase(p)))
            )
        for sev in (1, 2, 3, 4):
            commands.append(
                (
                    f"Severity → SEV{sev}",
                    "change severity",
                    lambda s=sev: self.submit(SetSeverity(s)),
                )
            )
        return commands
