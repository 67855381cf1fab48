"""Declare an incident: a modal form with validation, through the same operation as the CLI."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from incident_tui.screens.wiring import Wired
from incident_tui.widgets.badges import steady_cursors
from incident_tui.widgets.fields import Field

Declare = Callable[[dict[str, str]], int | str]
"""Declares from the form's fields; returns the new incident's number or an error line."""


class DeclareScreen(Wired, ModalScreen[int | None]):
    """Title, severity, commander, optional start time and summary. Enter in any field
    declares; a refused form stays open with the error and everything as typed."""

    BINDINGS = [
        Binding(
            "escape",
            "dismiss(None)",
            "Cancel",
            id="cancel-declare",
            tooltip="Close without declaring",
        ),
        Binding("ctrl+s", "declare", "Declare", id="declare", tooltip="Declare the incident"),
    ]

    def __init__(self, declare: Declare, commander: str, types: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.declare = declare
        self.commander = commander
        self.types = types

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="declare-form"):
            yield Label("Declare an incident", classes="dialog-title")
            yield Label("Title")
            yield Field(id="title", placeholder="What is broken, in a few words")
            yield Label("Severity (1 = complete outage … 4 = cosmetic)")
            yield Field(id="severity", placeholder="1, 2, 3 or 4", max_length=5)
            yield Label("Commander")
            yield Field(self.commander, id="commander")
            yield Label("Impact began (optional: 14:32, -20m, ISO; default now)")
            yield Field(id="started", placeholder="now")
            yield Label("Summary (optional)")
            yield Field(id="summary")
            yield Label("Services (optional, comma-separated: checkout-api, payments)")
            yield Field(id="services")
            yield Label("Labels (optional: region=eu-west-1, team=core)")
            yield Field(id="labels")
            yield Label(f"Type (optional: {', '.join(self.types) or 'none defined'})")
            yield Field(id="type", max_length=64)
            yield Static(
                Text("enter: declare   tab: next field   esc: cancel"), classes="dialog-help"
            )
            yield Static("", id="declare-error", classes="dialog-error")

    def on_mount(self) -> None:
        self.query_one("#title", Input).focus()
        steady_cursors(self)

    def fields(self) -> dict[str, str]:
        return {w.id or "": w.value for w in self.query(Input)}

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_declare()

    def action_declare(self) -> None:
        result = self.declare(self.fields())
        if isinstance(result, str):
            self.query_one("#declare-error", Static).update(Text(result))
        else:
            self.dismiss(result)
