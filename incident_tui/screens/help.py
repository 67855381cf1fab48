"""Help: every key of the screen underneath and every slash command of the entry line."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from incident_tui.domain.entry_syntax import SLASH_COMMANDS
from incident_tui.screens.wiring import Wired

ENTRY_LINE_KEYS = (
    ("enter", "log the line: plain text is a note; a leading 14:32 or -5m backdates it"),
    ("tab", "complete a slash command, phase, audience, role or name"),
    ("↑ ↓", "recall earlier lines"),
    ("//text", "log a note that starts with a slash"),
)
TIMELINE_MARKS = (
    ("★", "pinned: a key event for the postmortem"),
    ("↺", "reconstructed: recorded more than 10 minutes after it happened"),
)


class HelpScreen(Wired, ModalScreen[None]):
    BINDINGS = [
        Binding("escape,f1,q", "dismiss(None)", "Close", id="close-help", tooltip="Close help")
    ]

    def __init__(self, keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self.keys = keys

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help", classes="dialog"):
            yield Static(self._content())

    def _content(self) -> Table:
        table = Table.grid(padding=(0, 2), expand=True)
        table.add_column(style="bold", no_wrap=True, max_width=40)
        table.add_column(ratio=1)

        def section(title: str) -> None:
            table.add_row(Text(""), Text(""))
            table.add_row(Text(title, style="bold underline"), Text(""))

        section("Keys")
        for key, description in self.keys:
            table.add_row(Text(key), Text(description))
        section("Entry line")
        for key, description in ENTRY_LINE_KEYS:
            table.add_row(Text(key), Text(description))
        section("Slash commands")
        for command in SLASH_COMMANDS:
            table.add_row(Text(command.usage), Text(command.help))
        section("Timeline marks")
        for mark, description in TIMELINE_MARKS:
            table.add_row(Text(mark), Text(description))
        table.add_row(Text(""), Text("esc: close", style="dim"))
        return table
