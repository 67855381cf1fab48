"""The war room's entry line: each line taken in the order typed, queued, written, reported.

Enter parses the line and puts it on the write queue (the line is cleared in the same
step); the queue's thread writes one line per committed transaction and reports back,
and the report decides what the status line says: saved, refused (the line comes back),
or waiting for the database (kept and retried in order, or given back to retry). The
status line itself (`status`, `announce`) is here too. A mixin of `WarRoomScreen`: its
state (`_writes`, `_waiting`, `_reported`, `_retry`, `_refresh_whole`, the `_status_…`
flags) is set up in the screen's `__init__`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static

from incident_tui.domain.errors import IncidentError
from incident_tui.domain.records import Entry
from incident_tui.domain.text import one_line
from incident_tui.domain.vocabulary import CORE_ROLES
from incident_tui.widgets.entry_line import EntryLine

if TYPE_CHECKING:
    from incident_tui.domain.entry_syntax import Command
    from incident_tui.ops.write_queue import Pending


class WriteReported(Message, namespace="war_room_screen"):
    """A queued line was written, refused, or is waiting for the database (handled by
    `on_war_room_screen_write_reported`, as when it was `WarRoomScreen.WriteReported`)."""

    def __init__(self, outcome) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        self.outcome = outcome


class WarRoomWrites:
    """The entry line and every write the war room makes, through one queue or at once."""

    def completion_words(self) -> dict[str, Any]:
        detail = self.detail
        types = tuple(self.incident_app.config.types)
        if detail is None:
            return {"types": types}
        people = {h.holder for h in detail.holdings} | {self.user}
        people |= {e.author for e in detail.timeline[-200:]}
        return {
            # The type's roles to fill first (what `/role` is most likely for), then the rest.
            "roles": tuple(
                dict.fromkeys(
                    (*self.type_roles, *sorted({h.role for h in detail.holdings} - set(CORE_ROLES)))
                )
            ),
            "people": tuple(sorted(people)),
            "deadlines": tuple(d.name for d in self.deadlines),
            "types": types,
            "services": detail.services,
        }

    # --- the status line ---------------------------------------------------------------

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

    def announce(self, message: str) -> None:
        """Something the room must notice (a deadline passed), in red on the status line —
        unless that line is telling the scribe why their line was refused, or that lines
        are waiting for the database: that stays (the heading and the countdowns show the
        deadline red anyway)."""
        if not (self._status_about_line or self._waiting):
            self.status(message, error=True)

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
        from incident_tui.domain.entry_syntax import (
            LogEntry,
            PostUpdate,
            ShowHandoff,
            ShowHelp,
            parse_line,
        )
        from incident_tui.ops.write_queue import Pending

        if self.incident_app.read_only:
            return self._failed("read-only: this is an observer's view")
        now = self.now()
        try:
            command = parse_line(
                line, now=now, tz=self.tz, types=tuple(self.incident_app.config.types)
            )
        except IncidentError as error:
            return self._failed(str(error))
        if isinstance(command, ShowHelp):
            self.action_help()
            return None
        if isinstance(command, ShowHandoff):
            self.action_handoff()
            return None
        if isinstance(command, PostUpdate) and command.text is None:
            if self.detail is None:
                return self._failed("still reading the incident; the composer opens once read")
            self.open_composer(command.audience)
            return None
        retry, self._retry = self._retry, None
        if retry is not None and retry[0] == line:
            now = retry[1]  # it happened when first entered, not when the database came back
        if isinstance(command, LogEntry):  # its row comes with the commit: paint both then
            self.paint_hold.hold(self.app, self)
        self.writes.put(Pending(line, command, now, typed_at))
        return None

    def submit(self, command: Command) -> None:
        """A command from a key, a picker or the palette: written in turn with the lines."""
        from incident_tui.ops.write_queue import Pending

        if self.incident_app.read_only:
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

    def _write_pending(self, pending) -> tuple[str, object]:  # type: ignore[no-untyped-def]
        """In the writer's thread: one line, one committed transaction."""
        from incident_tui.ops.write_queue import run_pending

        return run_pending(
            pending,
            db=self.incident_app.get_database(),
            number=self.number,
            author=self.user,
            now=self.now(),
            open_deadlines=self.deadlines,
        )

    WriteReported = WriteReported

    def _report_write(self, outcome) -> None:  # type: ignore[no-untyped-def]
        self.post_message(self.WriteReported(outcome))  # from the writer's thread

    def on_war_room_screen_write_reported(self, event: WriteReported) -> None:
        try:
            self._reported_write(event)
        finally:
            # Whatever it said, painting goes on, once what it changed reached the screen.
            self.call_later(self.paint_hold.release)

    def _reported_write(self, event: WriteReported) -> None:
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
        if isinstance(command, LogEntry) and isinstance(outcome.result, Entry):
            # Committed: drawn as it is, with no read. Whatever else changed (another
            # writer's rows, a milestone an alert moved) the next poll finds and reads.
            self.show_own_entry(outcome.result)
            timeline = self.query_one("#timeline")
            self.paint_hold.include(self, timeline, timeline.vertical_scrollbar)
        else:
            self._refresh_soon(whole=not isinstance(command, LogEntry))
        if self._waiting and not outcome.queued:
            self._waiting = False
            if not self._status_about_line:
                self.status("saved: every line is in the database")
        elif self._status_about_line:
            # Why the line still typed was refused stays: an earlier line's "logged",
            # reported after the refusal, would replace the reason the scribe must read.
            pass
        elif isinstance(command, LogEntry) and command.at is None and command.kind == "note":
            # The entry on the timeline is the confirmation; a message would only cost a
            # repaint on every line the scribe types.
            if not self._status_error:
                self.status("")
        elif isinstance(command, SetPhase) and command.phase == "resolved":
            said = f"{outcome.message} · " if outcome.message else ""
            self.status(f"{said}Resolved: F10 opens the postmortem draft")
        else:
            self.status(outcome.message or "")

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

        if self.incident_app.read_only:
            return self._failed("read-only: this is an observer's view")
        if self.detail is None:
            return self._failed("still reading the incident; try again in a moment")
        try:
            done = commands.run(
                command,
                db=self.incident_app.get_database(),
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

    def on_key(self, event: events.Key) -> None:
        """Typing while the timeline or the countdowns have focus goes to the entry line:
        a scribe who starts typing must never type into nothing."""
        entry = self.query_one("#entry", EntryLine)
        if entry.has_focus or not event.is_printable or not event.character:
            return
        focused = self.focused
        if focused is not None and any(
            event.key in binding.key.split(",")
            for binding in focused.BINDINGS
            if isinstance(binding, Binding)
        ):
            return  # the pane's own key (z snoozes in the countdowns)
        if entry.disabled:
            if self.incident_app.read_only:  # an observer typing: say why nothing appears
                self.status("read-only: an observer's view, nothing typed is written", error=True)
            return
        event.stop()
        entry.focus()
        entry.insert_text_at_cursor(event.character)
