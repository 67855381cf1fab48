"""The status-update composer: a draft from the phase's template, the entries since the
last update to that audience beside it, post, and copy in three forms (OSC 52)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, RadioButton, RadioSet, Static, TextArea

from incident_tui.domain import status_drafts as comms
from incident_tui.domain.errors import IncidentError
from incident_tui.domain.policy import Policy
from incident_tui.domain.records import IncidentDetail
from incident_tui.domain.text import one_line
from incident_tui.domain.vocabulary import AUDIENCES
from incident_tui.screens.wiring import Wired
from incident_tui.widgets.badges import KIND_STYLES, clock_time, steady_cursors
from incident_tui.widgets.fields import TextField
from incident_tui.widgets.state_panes import AUDIENCE_TITLES

Post = Callable[[str, str], str | None]
"""Posts (audience, text); returns an error line, or None once it is committed."""


class ComposerScreen(Wired, ModalScreen[bool]):
    # Its look; its size and the panes' arrangement (the draft alone at 80×24) are in
    # styles/app.tcss.
    DEFAULT_CSS = """
    ComposerScreen #composer { border: thick $primary; background: $surface; padding: 0 1; }
    ComposerScreen #since { border: round $primary-darken-1; }
    ComposerScreen #composer-status { color: $text-muted; }
    ComposerScreen #composer-status.-error { color: $error; text-style: bold; }
    """

    BINDINGS = [
        Binding(
            "ctrl+s",
            "post",
            "Post",
            id="post-update",
            tooltip="Record the update; its countdown restarts",
        ),
        Binding(
            "f2",
            "copy('full')",
            "Copy full",
            id="copy-full",
            tooltip="Copy the whole update (OSC 52)",
        ),
        Binding(
            "f3",
            "copy('status_page')",
            "Copy status page",
            id="copy-status-page",
            tooltip="Copy without internal lines (for the public status page)",
        ),
        Binding(
            "f4", "copy('sms')", "Copy SMS", id="copy-sms", tooltip="Copy a 160-character SMS form"
        ),
        Binding("escape", "cancel", "Cancel", id="cancel-update", tooltip="Close without posting"),
    ]

    def __init__(
        self,
        detail: IncidentDetail,
        audience: str,
        *,
        now: datetime,
        tz: tzinfo,
        policy: Policy,
        post: Post,
        text: str | None = None,
        drafts: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.detail = detail
        self.audience = audience
        self.now, self.tz, self.policy = now, tz, policy
        self.post = post
        self.drafts = drafts if drafts is not None else {}
        """Audience → unposted text, kept when the composer is closed without posting."""
        self._draft = self._template(audience)
        self._initial = text if text is not None else self.drafts.get(audience, self._draft)

    def _label(self, audience: str) -> Text:
        # The chosen audience reads differently without colour too (a mark and capitals).
        title = AUDIENCE_TITLES[audience]
        return Text(f"▶ {title.upper()}" if audience == self.audience else f"  {title}")

    def _template(self, audience: str) -> str:
        return comms.draft(self.detail, audience, now=self.now, tz=self.tz, policy=self.policy)

    def compose(self) -> ComposeResult:
        with Vertical(id="composer"):
            yield Label(
                Text(
                    f"Status update — {self.detail.key} ({comms.template_name(self.detail.phase)}"
                    " template)"
                ),
                classes="dialog-title",
            )
            with RadioSet(id="audience"):
                for audience in AUDIENCES:
                    yield RadioButton(
                        self._label(audience), value=audience == self.audience, name=audience
                    )
            with Horizontal(id="composer-body"):
                yield TextField(self._initial, id="update-text", soft_wrap=True)
                with VerticalScroll(id="since"):
                    yield Static(id="since-entries")
            yield Static(id="composer-status")
        yield Footer()

    def on_mount(self) -> None:
        self._show_since()
        steady_cursors(self)
        self.query_one("#update-text", TextArea).focus()

    @property
    def text(self) -> str:
        return self.query_one("#update-text", TextArea).text

    def _show_since(self) -> None:
        entries = comms.entries_since_last_update(self.detail, self.audience)
        since = self.query_one("#since", VerticalScroll)
        since.border_title = (
            f"Since the last {AUDIENCE_TITLES[self.audience]} update ({len(entries)})"
        )
        lines = Text()
        for entry in entries[-200:]:
            lines.append(f"{clock_time(entry.occurred_at, self.tz, seconds=False)} ")
            lines.append(f"{entry.kind:<8} ", style=KIND_STYLES.get(entry.kind))
            lines.append(one_line(entry.text, 300) + "\n")
        if not entries:
            lines.append("nothing new", style="dim")
        self.query_one("#since-entries", Static).update(lines)
        sms = comms.sms_form(
            self.detail,
            self.text,
            now=self.now,
            tz=self.tz,
            policy=self.policy,
            audience=self.audience,
        )
        if comms.asks_for_public_words(self.detail, self.audience):
            # The first one to the public: its words are asked for, then remembered.
            self._status(
                "First status-page update: say what customers notice on the Affected: line"
                " (plain words, no internal names); it is remembered for the next ones"
            )
            return
        self._status(f"to {AUDIENCE_TITLES[self.audience]} · SMS form {len(sms)}/{comms.SMS_LIMIT}")

    def _status(self, message: str, *, error: bool = False) -> None:
        status = self.query_one("#composer-status", Static)
        status.set_class(error, "-error")
        status.update(Text(message))

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        audience = event.pressed.name or self.audience
        area = self.query_one("#update-text", TextArea)
        if area.text == self._draft:
            # Untouched draft: refill for the new audience; edited text stays as typed.
            self._draft = self._template(audience)
            area.load_text(self._draft)
        self.audience = audience
        for button in self.query(RadioButton):
            button.label = self._label(button.name or "")
        self._show_since()

    def action_post(self) -> None:
        try:
            text = comms.text_to_post(self.text, self.audience)
        except IncidentError as error:
            self._status(str(error), error=True)
            return
        error = self.post(self.audience, text)
        if error:
            self._status(error, error=True)
        else:
            self.drafts.pop(self.audience, None)
            self.dismiss(True)

    def forms(self) -> dict[str, str]:
        text = self.text
        return {
            "full": comms.full_form(self.detail, text),
            "status_page": comms.status_page_form(text),
            "sms": comms.sms_form(
                self.detail,
                text,
                now=self.now,
                tz=self.tz,
                policy=self.policy,
                audience=self.audience,
            ),
        }

    def action_copy(self, form: str) -> None:
        text = self.forms()[form]
        self.app.copy_to_clipboard(text)
        names = {"full": "full text", "status_page": "status-page form", "sms": "SMS form"}
        self._status(f"copied the {names[form]} ({len(text)} characters) to the clipboard")

    def action_cancel(self) -> None:
        if self.text.strip() and self.text != self._draft:
            self.drafts[self.audience] = self.text
        self.dismiss(False)
