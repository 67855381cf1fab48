"""One incident, read-only: what `show` prints, in a scrollable screen (the war room's stand-in)."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import ScrollableContainer
from textual.screen import Screen
from textual.widgets import Footer, Static


class IncidentViewScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back", tooltip="Back to the incident list"),
        Binding(
            "r", "refresh", "Refresh", id="refresh-incident", tooltip="Read the incident again"
        ),
    ]

    def __init__(self, number: int) -> None:
        super().__init__()
        self.number = number

    def compose(self) -> ComposeResult:
        yield Static(Text(f"INC-{self.number}"), id="view-title")
        with ScrollableContainer(id="view-body"):
            yield Static(Text("Loading…"), id="view-text")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    def action_refresh(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="incident-view", exit_on_error=False)
    def load(self) -> None:
        from incident_tui.errors import NotFound
        from incident_tui.queries import incident_detail
        from incident_tui.render import detail_lines

        app = self.app
        try:
            detail = incident_detail(app.get_database(), self.number)  # type: ignore[attr-defined]
        except Exception as error:
            # `open INC-99`: nothing to show, so the command ends with the error line.
            opened_directly = isinstance(error, NotFound) and app.open_incident == self.number  # type: ignore[attr-defined]
            app.call_from_thread(app.report_error, error, fatal=opened_directly)  # type: ignore[attr-defined]
            if not opened_directly:
                app.call_from_thread(self.dismiss)
            return
        lines = detail_lines(
            detail,
            now=app.now(),
            tz=app.config.display_tz,  # type: ignore[attr-defined]
            policy=app.config.policy,
        )  # type: ignore[attr-defined]
        title = Text(lines[0], no_wrap=True, overflow="ellipsis")
        app.call_from_thread(self.show, title, Text("\n".join(lines[1:]), no_wrap=True))

    def show(self, title: Text, body: Text) -> None:
        self.query_one("#view-title", Static).update(title)
        self.query_one("#view-text", Static).update(body)
