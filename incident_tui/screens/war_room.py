"""The war room: live timeline, roles, updates and countdowns, and the scribe's entry line.

Reads go through `queries`, writes through `commands`/`ops`; this module speaks no SQL.
This module is the screen itself: its layout, keys, the drawing of what was read, and
the parts it is made of, each in a module of its own:

- `war_room_reading`: the first look, the first full read, polling and the change feed;
- `war_room_writes`: the entry line, the write queue and its reports;
- `war_room_dialogs`: pickers, the composer, and pinning, editing, deleting entries;
- `war_room_palette`: every action by name, for the command palette;
- `war_room_presence`: this screen in the presence table (the heartbeat);
- `war_room_bell`: the bell and notification when a deadline passes.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, tzinfo

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from incident_tui.domain.checklists import incident_checklists, seen_done
from incident_tui.domain.incident_types import roles_to_fill
from incident_tui.domain.records import Deadline, IncidentDetail
from incident_tui.screens.war_room_bell import OverdueBell
from incident_tui.screens.war_room_dialogs import WarRoomDialogs
from incident_tui.screens.war_room_palette import WarRoomPalette
from incident_tui.screens.war_room_presence import Presence
from incident_tui.screens.war_room_reading import WarRoomReading
from incident_tui.screens.war_room_writes import WarRoomWrites
from incident_tui.screens.wiring import Wired
from incident_tui.widgets.badges import steady_cursors
from incident_tui.widgets.checklist_pane import ChecklistPane
from incident_tui.widgets.countdowns import CountdownsPane
from incident_tui.widgets.entry_line import EntryLine
from incident_tui.widgets.paint_hold import PaintHold
from incident_tui.widgets.state_panes import (
    PresenceStrip,
    RolesPane,
    TroubleBanner,
    UpdatesPane,
    WarRoomHeading,
)
from incident_tui.widgets.timeline_view import TimelineView


class WarRoomScreen(
    WarRoomReading, WarRoomWrites, WarRoomDialogs, WarRoomPalette, Wired, Screen[None]
):
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
        Binding(
            "ctrl+g", "handoff", "Handover", id="handoff", show=False, tooltip="Handover brief"
        ),
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
        self.utc = True
        self.drafts: dict[str, str] = {}
        self._minute = -1
        self._enabled: tuple[bool | None, ...] = ()
        self.presence = Presence(self)
        self.overdue = OverdueBell(self)
        self.init_reading()  # war_room_reading
        # The status line, the entry line and the write queue (war_room_writes).
        self._status_shown = False
        self._status_error = False
        self._status_about_line = False
        self._writes = None
        self.paint_hold = PaintHold()
        """An entry line's Enter and its row, painted in one frame (widgets/paint_hold)."""
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
        configured = self.incident_app.config.display_tz
        if configured is not UTC:
            return configured
        return datetime.now().astimezone().tzinfo or UTC

    def now(self) -> datetime:
        return self.incident_app.clock.now()

    @property
    def user(self) -> str:
        return self.incident_app.user

    @property
    def policy(self):  # type: ignore[no-untyped-def]
        return self.incident_app.config.policy

    @property
    def type_roles(self) -> tuple[str, ...]:
        """The roles the incident's type asks to fill (shown vacant until held)."""
        kind = self.detail.incident_type if self.detail is not None else None
        return roles_to_fill(self.policy.types, kind)

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
        if self.incident_app.read_only:
            entry.placeholder = "read-only: an observer's view of the war room"
            entry.disabled = True
            self.query_one("#timeline", TimelineView).focus()
        else:
            entry.focus()
        steady_cursors(self)
        self.watch(self.app, "now", self.on_tick, init=False)
        self.watch(self.app, "changes", self.poll, init=False)
        self.watch(self.app, "link_trouble", self._show_trouble)  # and at once: a standing notice
        self.load()

    # --- presence ---------------------------------------------------------------------

    @work(thread=True, group="presence", exit_on_error=False)
    def heartbeat(self) -> None:
        """Tell the others this screen is still open (off the UI thread: a busy database
        must not stall typing)."""
        self.presence.say(self.incident_app.get_database())

    def on_unmount(self) -> None:
        self.paint_hold.release()
        if self._writes is not None:
            self._writes.close()  # what is queued is still written, then the thread ends
        self.presence.leave(self.incident_app.get_database)

    # --- drawing ----------------------------------------------------------------------

    def _show_state(self) -> None:
        from incident_tui.domain.policy import deadlines

        detail = self.detail
        if detail is None:
            return
        now = self.now()
        self.deadlines = deadlines(detail.facts, self.policy)
        self.query_one("#roles", RolesPane).show(detail, now, self.tz, wanted=self.type_roles)
        self.query_one("#updates", UpdatesPane).show(detail, now, self.tz)
        # The phase's checklist, then the type's (derived from the stored type on every
        # read: a type change, ours or another's, redraws them).
        checklists = incident_checklists(
            self.incident_app.config.checklists, self.policy.types, detail
        )
        self.query_one("#checklist", ChecklistPane).show(
            checklists,
            detail.ticks,
            self.tz,
            seen=[(c.name, item) for c in checklists for item in seen_done(c, detail)],
        )
        self._tick_panes(now)
        self.refresh_keys()

    def refresh_keys(self) -> None:
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
        self.overdue.ring(self.deadlines, now)

    def on_tick(self, now: datetime) -> None:
        if self.incident_app.should_poll(time.monotonic() - self._read_at):
            self.poll()
        if self.detail is None:
            return
        self._tick_panes(now)
        if now.minute != self._minute:  # "23 min ago" moves once a minute
            self._minute = now.minute
            self.query_one("#roles", RolesPane).show(
                self.detail, now, self.tz, wanted=self.type_roles
            )
            self.query_one("#updates", UpdatesPane).show(self.detail, now, self.tz)

    def on_resize(self) -> None:
        super().on_resize()
        if self.detail is not None:
            # Panes choose a compact form when narrow: redraw once their new sizes are known.
            self.call_after_refresh(self._show_state)

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
            "handoff",
        }
    )
    """What observer mode (--read-only) greys out."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.WRITE_ACTIONS and self.incident_app.read_only:
            return None
        loaded = self.detail is not None
        if action in ("pick_phase", "pick_severity", "hand_over", "compose_update", "handoff"):
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

    def action_toggle_tz(self) -> None:
        self.utc = not self.utc
        self.query_one("#timeline", TimelineView).set_timezone(self.tz)
        self._show_state()
        self.status(
            "times in UTC" if self.utc else f"times in local time ({datetime.now(self.tz):%Z})"
        )

    def action_focus_timeline(self) -> None:
        self.query_one("#timeline", TimelineView).focus()

    def action_focus_countdowns(self) -> None:
        self.query_one("#countdowns", CountdownsPane).focus()

    def action_reload(self) -> None:
        self.load()

    def action_leave(self) -> None:
        entry = self.query_one("#entry", EntryLine)
        if entry.disabled:  # an observer has nothing typed to keep
            self.incident_app.back_to_list()
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
        self.incident_app.back_to_list()
