"""The postmortem screen's saving as you go: each changed field written in a transaction
of its own, a moment after the last keystroke (`SAVE_AFTER`) or when the screen is left;
a refused field keeps its text and its error line. A mixin of `PostmortemScreen` (one job
per module); it reads `number`, `draft`, `status`, `_show_side` and the fields' state
(`_pending`, `_loaded`, `_refused`, `_save_timer`) from the screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.widgets import Input, TextArea

from incident_tui.domain.errors import IncidentError
from incident_tui.domain.postmortem_draft import LIST_FIELDS, POSTMORTEM_STATUSES
from incident_tui.widgets.app_access import ReachesApp

if TYPE_CHECKING:
    from textual.timer import Timer

    from incident_tui.domain.postmortem_draft import PostmortemDraft

SAVE_AFTER = 0.6
"""Seconds after the last keystroke in a field before it is saved."""


class PostmortemSaving(ReachesApp):
    number: int
    draft: PostmortemDraft | None
    _pending: dict[str, str]
    _loaded: dict[str, str]
    _refused: dict[str, str]
    _save_timer: Timer | None

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._changed(event.text_area.id or "", event.text_area.text)

    def on_input_changed(self, event: Input.Changed) -> None:
        self._changed(event.input.id or "", event.value)

    def _changed(self, field: str, value: str) -> None:
        if self.draft is None or field not in self._loaded:
            return
        if field not in self._pending and self._loaded[field] == value:
            return  # the field being filled, not typed in
        self._pending[field] = value
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(SAVE_AFTER, self.save_pending)

    def save_pending(self) -> bool:
        """Write each changed field (one transaction each); False when one failed (its
        text stays in its field, and it is tried again on the next change)."""
        if self.draft is None:
            return True
        # What the fields hold now, not only what their Changed messages said so far: a
        # priority key (Escape, F5) can run before those messages are handled.
        for name, loaded in self._loaded.items():
            widget = self.query_one(f"#{name}")
            value = widget.text if isinstance(widget, TextArea) else widget.value  # type: ignore[attr-defined]
            if value != loaded:
                self._pending[name] = value
        # Every field is tried: one refused (users affected "lots") keeps its text and its
        # error line, and does not hold back the others.
        failed = [
            field for field, value in list(self._pending.items()) if not self._save(field, value)
        ]
        for field in list(self._pending):
            if field not in failed:
                del self._pending[field]
        if failed:
            self.status(self._refused.get(failed[0], "not saved"), error=True)
            return False
        self._show_side()
        return True

    def _save(self, field: str, value: Any) -> bool:
        from incident_tui import ops

        stored: Any = value
        if field in LIST_FIELDS:
            stored = [line.strip() for line in str(value).splitlines() if line.strip()]
        try:
            ops.save_postmortem_field(
                self.incident_app.get_database(),
                key=self.number,
                field=field,
                value=stored,
                author=self.incident_app.user,
                now=self.incident_app.clock.now(),
            )
        except IncidentError as error:
            self._refused[field] = str(error)
            self.status(str(error), error=True)
            return False
        self._refused.pop(field, None)
        assert self.draft is not None
        setattr(self.draft.fields, field, stored)
        if isinstance(value, str):
            self._loaded[field] = value
        self.status(f"saved {field.replace('_', ' ')}")
        return True

    def action_back(self) -> None:
        if self.save_pending():
            self.dismiss()

    def action_cycle_status(self) -> None:
        if self.draft is None:
            return
        statuses = POSTMORTEM_STATUSES
        now = statuses[(statuses.index(self.draft.fields.status) + 1) % len(statuses)]
        if self._save("status", now):
            self._show_side()

    def action_cycle_sla(self) -> None:
        if self.draft is None:
            return
        order = [None, True, False]
        value = order[(order.index(self.draft.fields.sla_breached) + 1) % 3]
        if self._save("sla_breached", value):
            self._show_side()
