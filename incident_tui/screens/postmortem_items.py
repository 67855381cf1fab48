"""The postmortem screen's lists and exports: five whys, action items and key events
edited through small forms, and the draft written to a file or the clipboard. A mixin
of `PostmortemScreen` (one job per module); it reads `number`, `draft`, `status`,
`save_pending` and `load` from the screen.
"""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING

from textual import events
from textual.widgets import OptionList

from incident_tui.domain.errors import IncidentError
from incident_tui.widgets.app_access import ReachesApp

if TYPE_CHECKING:
    from incident_tui.domain.postmortem_draft import PostmortemDraft


class PostmortemItems(ReachesApp):
    number: int
    draft: PostmortemDraft | None

    # --- five whys, action items, key events ------------------------------------------

    def _changed_lists(self, message: str) -> None:
        self.status(message)
        self.load()

    def action_add_why(self, position: int | None = None) -> None:
        from incident_tui import ops
        from incident_tui.screens.dialogs import FormScreen

        if self.draft is None:
            return
        why = self.draft.whys[position - 1] if position else None

        def save(fields: dict[str, str]) -> str | None:
            try:
                ops.save_why(
                    self.incident_app.get_database(),
                    key=self.number,
                    question=fields["question"],
                    answer=fields["answer"],
                    position=position,
                    author=self.incident_app.user,
                    now=self.incident_app.clock.now(),
                )
            except IncidentError as error:
                return str(error)
            self._changed_lists("why saved")
            return None

        number = position or len(self.draft.whys) + 1
        self.app.push_screen(
            FormScreen(
                f"Why #{number}",
                [
                    ("question", "Question", why.question if why else "Why …?"),
                    ("answer", "Answer", why.answer if why else ""),
                ],
                save,
            )
        )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        list_id = event.option_list.id
        if list_id == "whys" and self.draft and self.draft.whys:
            self.action_add_why(event.option_index + 1)
        elif list_id == "actions" and event.option.id:
            self.action_add_action(int(event.option.id))
        elif list_id == "key-events" and event.option.id:
            self._toggle_key_event(int(event.option.id))

    def _toggle_key_event(self, entry_id: int) -> None:
        from incident_tui import ops

        try:
            entry = ops.pin_entry(
                self.incident_app.get_database(),
                key=self.number,
                entry_id=entry_id,
                author=self.incident_app.user,
                now=self.incident_app.clock.now(),
            )
        except IncidentError as error:
            self.status(str(error), error=True)
            return
        self._changed_lists(f"#{entry.id} {'is' if entry.pinned else 'is no longer'} a key event")

    def on_key(self, event: events.Key) -> None:
        whys = self.query_one("#whys", OptionList)
        if not whys.has_focus or self.draft is None or not self.draft.whys:
            return
        position = (whys.highlighted or 0) + 1
        if event.key in ("ctrl+up", "ctrl+down"):
            event.stop()
            self._why_op("move", position, -1 if event.key == "ctrl+up" else 1)
        elif event.key == "delete":
            event.stop()
            self._why_op("delete", position, 0)

    def _why_op(self, op: str, position: int, offset: int) -> None:
        from incident_tui import ops

        app = self.incident_app
        db, user, now = app.get_database(), app.user, app.clock.now()
        try:
            if op == "move":
                target = ops.move_why(
                    db, key=self.number, position=position, offset=offset, author=user, now=now
                )
                self.query_one("#whys", OptionList).highlighted = target - 1
            else:
                ops.delete_why(db, key=self.number, position=position, author=user, now=now)
        except IncidentError as error:
            self.status(str(error), error=True)
            return
        self._changed_lists("five whys reordered" if op == "move" else f"why #{position} removed")

    def action_add_action(self, action_id: int | None = None) -> None:
        from incident_tui import ops
        from incident_tui.domain.timeparse import parse_date
        from incident_tui.screens.dialogs import FormScreen

        if self.draft is None:
            return
        item = next((a for a in self.draft.actions if a.id == action_id), None)

        def save(fields: dict[str, str]) -> str | None:
            app = self.incident_app
            db, user, now = app.get_database(), app.user, app.clock.now()
            try:
                due = parse_date(fields["due"], today=now.date()) if fields["due"].strip() else None
                values = {
                    "owner": fields["owner"].strip() or None,
                    "due_date": due,
                    "priority": fields["priority"].strip() or "P2",
                    "type": fields["type"].strip() or None,
                    "ticket": fields["ticket"].strip() or None,
                }
                if item is None:
                    ops.add_action(
                        db,
                        key=self.number,
                        description=fields["description"],
                        author=user,
                        now=now,
                        **values,
                    )
                else:
                    ops.update_action(
                        db,
                        action_id=item.id,
                        author=user,
                        now=now,
                        description=fields["description"],
                        status=fields["status"] or "open",
                        **values,
                    )
            except IncidentError as error:
                return str(error)
            self._changed_lists("action item saved")
            return None

        def value(name: str, default: str = "") -> str:
            found = getattr(item, name, None) if item else None
            return str(found) if found else default

        self.app.push_screen(
            FormScreen(
                f"Action item #{item.id}" if item else "New action item",
                [
                    ("description", "Description", value("description")),
                    ("owner", "Owner", value("owner")),
                    ("due", "Due (YYYY-MM-DD, +7d, tomorrow)", value("due_date")),
                    ("priority", "Priority (P0, P1, P2)", value("priority", "P2")),
                    ("type", "Type (prevent, detect, mitigate)", value("type")),
                    ("status", "Status (open, in-progress, done)", value("status", "open")),
                    ("ticket", "Ticket (e.g. OPS-123)", value("ticket")),
                ],
                save,
            )
        )

    # --- export -------------------------------------------------------------------------

    def _rendered(self, fmt: str) -> str | None:
        from incident_tui.formats import export
        from incident_tui.store.postmortem_reads import postmortem_draft

        if not self.save_pending():
            return None
        try:
            draft = postmortem_draft(
                self.incident_app.get_database(),
                self.number,
                now=self.incident_app.clock.now(),
                policy=self.incident_app.config.policy,
            )
            return export.render(draft, fmt, tz=UTC)
        except IncidentError as error:
            self.status(str(error), error=True)
            return None

    def action_copy_markdown(self) -> None:
        text = self._rendered("markdown")
        if text is not None:
            self.app.copy_to_clipboard(text)
            self.status(f"copied the Markdown draft ({len(text):,} characters) to the clipboard")

    def action_export(self, fmt: str) -> None:
        from pathlib import Path

        from incident_tui.formats import export
        from incident_tui.screens.dialogs import ConfirmScreen, FormScreen

        suffix = "md" if fmt == "markdown" else "json"

        def write(path: Path, force: bool) -> str | None:
            text = self._rendered(fmt)
            if text is None:
                return "not exported: see the error below"
            try:
                written = export.write_atomically(path, text, force=force)
            except IncidentError as error:
                return str(error)
            self.status(f"wrote {written}")
            return None

        def save(fields: dict[str, str]) -> str | None:
            path = Path(fields["path"].strip()).expanduser()
            if not fields["path"].strip():
                return "give a file name"
            if path.exists() and not path.is_dir():

                def confirmed(yes: bool | None) -> None:
                    if yes:
                        error = write(path, True)
                        if error:
                            self.status(error, error=True)

                # After this form closes: ask before overwriting.
                self.app.call_later(
                    self.app.push_screen, ConfirmScreen(f"{path} exists. Overwrite it?"), confirmed
                )
                return None
            return write(path, False)

        self.app.push_screen(
            FormScreen(
                f"Export the {fmt} draft",
                [("path", "File", f"INC-{self.number}-postmortem.{suffix}")],
                save,
            )
        )
