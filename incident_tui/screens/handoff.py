"""The commander's handover: the brief drafted from the incident's state, edited here,
logged as one timeline entry and copied to the clipboard (OSC 52); the commander role can
be handed over in the same step."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, Static, TextArea

from incident_tui.screens.wiring import Wired
from incident_tui.widgets.badges import steady_cursors
from incident_tui.widgets.fields import TextField

Hand = Callable[[str, str], str | None]
"""Logs the brief and hands the commander role to a name ('' keeps it); returns an error
line, or None once committed."""


class HandoffScreen(Wired, ModalScreen[bool]):
    DEFAULT_CSS = """
    HandoffScreen { align: center middle; }
    HandoffScreen #handoff {
        width: 96%; height: 94%; border: thick $primary; background: $surface; padding: 0 1;
    }
    HandoffScreen #brief { height: 1fr; }
    HandoffScreen #next-row { height: 1; margin-top: 1; }
    HandoffScreen #next-label { width: auto; padding-right: 1; }
    HandoffScreen #next-commander { border: none; height: 1; padding: 0; width: 1fr; }
    HandoffScreen #handoff-status { color: $text-muted; height: 1; }
    HandoffScreen #handoff-status.-error { color: $error; text-style: bold; }
    """

    BINDINGS = [
        Binding(
            "ctrl+s",
            "hand_over",
            "Log & copy",
            id="log-handoff",
            tooltip="Log the brief as an entry, copy it, and hand the role over if named",
        ),
        Binding("f2", "copy", "Copy", id="copy-handoff", tooltip="Copy the brief (OSC 52)"),
        Binding("escape", "cancel", "Cancel", id="cancel-handoff", tooltip="Close, log nothing"),
    ]

    def __init__(self, key: str, brief: str, commander: str | None, hand: Hand) -> None:
        super().__init__()
        self.key = key
        self.brief = brief
        self.commander = commander
        self.hand = hand

    def compose(self) -> ComposeResult:
        with Vertical(id="handoff"):
            yield Label(Text(f"Handover brief — {self.key}"), classes="dialog-title")
            yield TextField(self.brief, id="brief", soft_wrap=True)
            with Horizontal(id="next-row"):
                now = f" (now {self.commander})" if self.commander else ""
                yield Label(Text(f"Hand commander to{now}:"), id="next-label")
                yield Input(placeholder="name, or leave empty", id="next-commander")
            yield Static(id="handoff-status")
        yield Footer()

    def on_mount(self) -> None:
        steady_cursors(self)
        self.query_one("#brief", TextArea).focus()
        self._status("edit the brief · ctrl+s logs it and copies it · f2 copies only")

    @property
    def text(self) -> str:
        return self.query_one("#brief", TextArea).text.strip()

    def _status(self, message: str, *, error: bool = False) -> None:
        status = self.query_one("#handoff-status", Static)
        status.set_class(error, "-error")
        status.update(Text(message))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_hand_over()

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.text)
        self._status(f"copied the brief ({len(self.text)} characters) to the clipboard")

    def action_hand_over(self) -> None:
        if not self.text:
            self._status("the brief is empty: nothing to hand over", error=True)
            return
        name = self.query_one("#next-commander", Input).value.strip()
        error = self.hand(self.text, name)
        if error:
            self._status(error, error=True)
            return
        self.app.copy_to_clipboard(self.text)
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
