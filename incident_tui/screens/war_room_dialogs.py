"""The war room's dialog flows: pickers (phase, severity, snooze, checklist, role history),
the composer, the help, the postmortem, and pinning, editing and deleting an entry.

Each flow opens a dialog and, with what it gives back, submits a command in turn with
the typed lines (`submit`), runs one at once (`perform`, `_write`), and hands the
keyboard back where it was. A mixin of `WarRoomScreen`.
"""

from __future__ import annotations

from textual.binding import Binding

from incident_tui.domain.errors import ConflictError, IncidentError
from incident_tui.domain.text import clean, one_line
from incident_tui.domain.vocabulary import PHASES, SYSTEM_KINDS
from incident_tui.widgets.badges import clock_time
from incident_tui.widgets.checklist_pane import ChecklistPane
from incident_tui.widgets.countdowns import CountdownsPane
from incident_tui.widgets.entry_line import EntryLine
from incident_tui.widgets.timeline_view import TimelineView


class WarRoomDialogs:
    """The dialogs the war room opens, and what it does with their answers."""

    def action_help(self) -> None:
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
        self.incident_app.open_help(keys)

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

    def action_compose_update(self, audience: str | None = None) -> None:
        if self.detail is None:
            return
        if audience is None:
            # The audience whose update is due soonest.
            due = [d for d in self.deadlines if d.name.startswith("update:")]
            audience = due[0].name.split(":", 1)[1] if due else "internal"
        self.open_composer(audience)

    def action_handoff(self) -> None:
        """The commander's handover brief: edited, logged as an entry, copied; the
        commander role handed over first when a name is given."""
        from incident_tui.domain.entry_syntax import HandOverRole, LogEntry
        from incident_tui.domain.handoff import brief

        if self.detail is None:
            self._failed("still reading the incident; the brief is drafted once read")
            return
        detail = self.detail
        text = brief(detail, now=self.now(), tz=self.tz, policy=self.policy)

        def hand(text: str, name: str) -> str | None:
            if name and detail.roles.get("commander") != name:
                error = self.perform(HandOverRole("commander", name))
                if error:
                    return error
            return self.perform(LogEntry(text))

        self.incident_app.open_handoff(detail.key, text, detail.roles.get("commander"), hand)

    def open_composer(self, audience: str) -> None:
        from incident_tui.domain.entry_syntax import PostUpdate

        if self.detail is None:
            return

        def post(audience: str, text: str) -> str | None:
            return self.perform(PostUpdate(audience, text))

        self.incident_app.open_composer(
            self.detail,
            audience,
            now=self.now(),
            tz=self.tz,
            policy=self.policy,
            post=post,
            drafts=self.drafts,
        )

    def _target_entry(self, *, editable: bool = False):  # type: ignore[no-untyped-def]
        """The entry a key acts on: the one selected in the timeline; from the entry line,
        the last one logged (for an edit: the last one this user typed, never a record
        the system wrote)."""
        timeline = self.query_one("#timeline", TimelineView)
        if timeline.selected_entry is not None:
            return timeline.selected_entry
        entries = timeline.timeline.entries
        if editable:  # checked for the footer on every key: the user read once
            user = self.user
            entries = [e for e in entries[-500:] if e.author == user]
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
            result = call(self.incident_app.get_database(), self.now())
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

    def action_postmortem(self) -> None:
        self.incident_app.open_postmortem(self.number, self._back_to_typing)

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
        rows = pane.rows

        def chosen(index: str | None) -> None:
            self._back_to_typing()
            if index is not None:
                which, item = rows[int(index)]
                pane.post_message(pane.Toggled(which, item, not pane.ticked(which, item)))

        done = sum(1 for which, item in rows if pane.ticked(which, item))
        titles = " + ".join(c.title for c in pane.checklists)
        self.app.push_screen(
            PickScreen(
                f"{titles} · {done}/{len(rows)} (enter ticks or unticks)",
                [
                    (str(index), f"{'☑' if pane.ticked(which, item) else '☐'} {item}")
                    for index, (which, item) in enumerate(rows)
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
