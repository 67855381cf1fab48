"""Small modal dialogs: pick one of a few choices, confirm, edit an entry.

Each is a `ModalScreen[Result | None]`: Escape dismisses with None.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from incident_tui.domain.records import Entry
from incident_tui.screens.wiring import Wired
from incident_tui.widgets.badges import steady_cursors
from incident_tui.widgets.fields import Field


class PickScreen(Wired, ModalScreen[str | None]):
    """Choose one of `choices` (value, label); Enter picks, Escape cancels."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="cancel", tooltip="Close")]

    def __init__(self, title: str, choices: list[tuple[str, str]], current: str | None = None):
        super().__init__()
        self.title_text = title
        self.choices = choices
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.title_text), classes="dialog-title")
            yield OptionList(*[Option(Text(label), id=value) for value, label in self.choices])

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        values = [value for value, _ in self.choices]
        options.highlighted = values.index(self.current) if self.current in values else 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class ConfirmScreen(Wired, ModalScreen[bool]):
    """A yes/no question: y or Enter confirms, n or Escape declines."""

    BINDINGS = [
        Binding("y,enter", "dismiss(True)", "Yes", id="confirm-yes", tooltip="Go ahead"),
        Binding("n,escape", "dismiss(False)", "No", id="confirm-no", tooltip="Leave it as it is"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.question), classes="dialog-title")
            yield Static(Text("y: yes   n / esc: no"), classes="dialog-help")


Save = Callable[[str, str], str | None]
"""Writes (text, time); returns an error line, or None when it is saved."""


class EditEntryScreen(Wired, ModalScreen[bool]):
    """Edit an entry's text and time (as typed: HH:MM, -5m, ISO). The old text is kept;
    a failed save leaves the dialog open with the error and the text as typed."""

    BINDINGS = [Binding("escape", "dismiss(False)", "Cancel", id="cancel-edit", tooltip="Keep it")]

    def __init__(self, entry: Entry, shown_time: str, save: Save) -> None:
        super().__init__()
        self.entry = entry
        self.shown_time = shown_time
        self.save = save

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(
                Text(f"Edit entry #{self.entry.id} ({self.entry.kind})"), classes="dialog-title"
            )
            yield Label("Time")
            yield Field(self.shown_time, id="edit-time")
            yield Label("Text")
            yield Field(self.entry.text, id="edit-text")
            yield Static(Text("enter: save   esc: cancel"), classes="dialog-help")
            yield Static("", id="edit-error", classes="dialog-error")

    def on_mount(self) -> None:
        self.query_one("#edit-text", Input).focus()
        steady_cursors(self)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        error = self.save(
            self.query_one("#edit-text", Input).value, self.query_one("#edit-time", Input).value
        )
        if error:
            self.query_one("#edit-error", Static).update(Text(error))
        else:
            self.dismiss(True)


FormSave = Callable[[dict[str, str]], str | None]
"""Saves a form's fields; returns an error line, or None when it is saved."""


class FormScreen(Wired, ModalScreen[bool]):
    """A few labelled one-line fields; Enter saves through `save`, which may refuse with
    a one-line error (the form stays open, as typed); Escape cancels."""

    BINDINGS = [
        Binding("escape", "dismiss(False)", "Cancel", id="cancel-form", tooltip="Close"),
    ]

    def __init__(self, title: str, fields: list[tuple[str, str, str]], save: FormSave) -> None:
        super().__init__()
        self.title_text = title
        self.fields = fields
        """(id, label, value) per field."""
        self.save = save

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.title_text), classes="dialog-title")
            for field_id, label, value in self.fields:
                yield Label(Text(label))
                yield Field(value, id=field_id)
            yield Static(Text("enter: save   tab: next field   esc: cancel"), classes="dialog-help")
            yield Static("", id="form-error", classes="dialog-error")

    def on_mount(self) -> None:
        steady_cursors(self)
        self.query(Input).first().focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        error = self.save({w.id or "": w.value for w in self.query(Input)})
        if error:
            self.query_one("#form-error", Static).update(Text(error))
        else:
            self.dismiss(True)
