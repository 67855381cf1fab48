"""Home: every incident, active ones first, with severity, phase, commander and next deadline."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from incident_tui.text import one_line
from incident_tui.widgets.table import SizedTable

if TYPE_CHECKING:
    from incident_tui.domain import IncidentSummary

SEVERITY_STYLES = {
    1: "bold white on #c62828",
    2: "bold black on #ef6c00",
    3: "bold black on #fbc02d",
    4: "bold black on #2e7d32",
}


def severity_badge(severity: int) -> Text:
    return Text(f" SEV{severity} ", style=SEVERITY_STYLES.get(severity, "reverse"))


class IncidentListScreen(Screen[None]):
    BINDINGS = [
        Binding("r", "refresh", "Refresh", id="refresh", tooltip="Read the list again"),
        Binding("enter", "open_selected", "Open", id="open", tooltip="Open the selected incident"),
        Binding(
            "a",
            "toggle_all",
            "All/active",
            id="toggle-all",
            tooltip="Show resolved and closed incidents too, or only active ones",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.show_all = True

    def compose(self) -> ComposeResult:
        yield Static("incident-tui — incidents", id="list-title")
        table: DataTable[Text] = SizedTable(id="incidents", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static("Loading…", id="list-status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#incidents", DataTable)
        table.add_columns("Sev", "Key", "Title", "Phase", "Elapsed", "Commander", "Next deadline")
        self.action_refresh()

    def action_refresh(self) -> None:
        self.load()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.open_key(str(event.row_key.value))

    def action_open_selected(self) -> None:
        table = self.query_one("#incidents", DataTable)
        if table.row_count:
            row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
            self.open_key(str(row_key.value))

    def open_key(self, key: str) -> None:
        if key == "none":
            return
        from incident_tui.domain import parse_key
        from incident_tui.screens.incident_view import IncidentViewScreen

        self.app.push_screen(IncidentViewScreen(parse_key(key)))

    def action_toggle_all(self) -> None:
        self.show_all = not self.show_all
        self.load()

    @work(thread=True, exclusive=True, group="incident-list", exit_on_error=False)
    def load(self) -> None:
        from incident_tui.queries import list_incidents

        app = self.app
        try:
            db = app.get_database()  # type: ignore[attr-defined]
            rows = list_incidents(
                db,
                now=app.now(),
                include_closed=self.show_all,  # type: ignore[attr-defined]
                policy=app.config.policy,
            )  # type: ignore[attr-defined]
        except Exception as error:  # without the list there is nothing to show
            app.call_from_thread(app.report_error, error, fatal=True)  # type: ignore[attr-defined]
            return
        app.call_from_thread(self.show_rows, rows)

    def show_rows(self, rows: list[IncidentSummary]) -> None:
        from incident_tui.render import countdown
        from incident_tui.timeparse import format_duration

        now = self.app.now()  # type: ignore[attr-defined]
        table = self.query_one("#incidents", DataTable)
        table.clear()
        for s in rows:
            nd = s.next_deadline
            deadline = Text("")
            if nd is not None:
                left = countdown(nd.due_at, now)
                deadline = Text(
                    f"{nd.title} {left}", style="bold red" if left.startswith("overdue") else ""
                )
            table.add_row(
                severity_badge(s.severity),
                Text(s.key),
                Text(one_line(s.title, 40)),
                Text(s.phase),
                Text(format_duration(now - s.started_at)),
                Text(
                    one_line(s.commander, 20) if s.commander else "—",
                    style="" if s.commander else "bold red",
                ),
                deadline,
                key=s.key,
            )
        if not rows:
            table.add_row(
                Text(""),
                Text(""),
                Text(
                    "No incidents yet — declare one with `incident-tui declare TITLE --severity N`"
                ),
                key="none",
            )
        status = self.query_one("#list-status", Static)
        noun = "incident" if len(rows) == 1 else "incidents"
        if self.show_all:
            scope = f"{len(rows)} {noun}, active first — a: only active"
        else:
            scope = f"{len(rows)} active {noun} — a: show all"
        status.update(Text(f"{scope}  r: refresh  ctrl+q: quit"))
