"""Action items across every incident: what is overdue, whose, how urgent; change status,
owner or due date in place (each change goes to its incident's timeline). `f` limits
them to one service's incidents.

Reads through `reports.action_items`, writes through `ops.update_action`; no SQL here.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from incident_tui.domain.errors import IncidentError
from incident_tui.domain.text import one_line
from incident_tui.domain.vocabulary import ACTION_STATUSES, PRIORITIES
from incident_tui.screens.service_filter import ServiceFiltered, service_binding
from incident_tui.screens.wiring import guarded_work
from incident_tui.widgets.table import SizedTable

if TYPE_CHECKING:
    from incident_tui.domain.records import ActionRow

STATUS_FILTERS: tuple[str | None, ...] = ("not done", *ACTION_STATUSES, None)
"""What `s` cycles through; None shows every item."""
PRIORITY_STYLE = {"P0": "bold red", "P1": "bold yellow", "P2": ""}
SHOWN = 500
"""The most urgent items listed; filters (or `incident-tui actions`) reach the rest."""


class ActionsScreen(ServiceFiltered, Screen[None]):
    BINDINGS = [
        Binding("enter", "edit", "Change", id="edit-action", tooltip="Status, owner, due date"),
        Binding("d", "done", "Done", id="mark-done", tooltip="Mark the selected item done"),
        Binding("v", "toggle_overdue", "Overdue", id="only-overdue", tooltip="Only overdue"),
        Binding("s", "cycle_status", "Status", id="status-filter", tooltip="Filter by status"),
        Binding("p", "cycle_priority", "Priority", id="priority-filter", tooltip="By priority"),
        Binding("o", "filter_owner", "Owner", id="owner-filter", tooltip="Filter by owner"),
        service_binding("actions-service-filter"),
        Binding("g", "open_incident", "Incident", id="open-incident", tooltip="Open its war room"),
        Binding("escape", "back", "Back", id="back-to-list", tooltip="Back to the incident list"),
    ]

    def __init__(self, *, owner: str | None = None, overdue: bool = False) -> None:
        super().__init__()
        self.owner = owner
        self.overdue = overdue
        self.status_filter: str | None = "not done"
        self.priority: str | None = None
        self.rows: list[ActionRow] = []

    def compose(self) -> ComposeResult:
        yield Static("Action items across incidents", id="actions-title")
        yield SizedTable(id="actions", cursor_type="row", zebra_stripes=True)
        yield Static("", id="actions-status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#actions", DataTable)
        table.add_columns("Incident", "#", "Pri", "Status", "Owner", "Due", "Action item")
        self.watch(self.app, "changes", self._changed, init=False)
        self.load()

    def _changed(self, _changes: object = None) -> None:
        if self.is_current:
            self.load()

    @property
    def today(self) -> date:
        app = self.incident_app
        return app.clock.now().astimezone(app.config.display_tz).date()

    @guarded_work("actions")
    def load(self) -> None:
        from incident_tui.store.reports import action_items

        app = self.incident_app
        status = self.status_filter if self.status_filter != "not done" else None
        rows = action_items(
            app.get_database(),
            today=self.today,
            owner=self.owner,
            status=status,
            priority=self.priority,
            overdue=self.overdue,
            include_done=self.status_filter != "not done",
            limit=SHOWN,
            services=self.services,
        )
        app.call_from_thread(self.show_rows, rows)

    def show_rows(self, rows: list[ActionRow]) -> None:
        self.rows = rows
        today = self.today
        table = self.query_one("#actions", DataTable)
        selected = table.cursor_row
        table.clear()
        for row in rows:
            a = row.action
            late = row.overdue(today)
            due = Text("—", style="dim")
            if a.due_date is not None:
                due = Text(a.due_date.isoformat())
                if late:
                    due = Text(
                        f"{a.due_date.isoformat()} +{(today - a.due_date).days}d", "bold red"
                    )
            table.add_row(
                Text(row.key, style="bold red" if late else ""),
                Text(str(a.id)),
                Text(a.priority, style=PRIORITY_STYLE.get(a.priority, "")),
                Text(a.status, style="green" if a.status == "done" else ""),
                Text(one_line(a.owner, 16) if a.owner else "no owner", "" if a.owner else "red"),
                due,
                Text(one_line(a.description, 70), style="bold red" if late else ""),
                key=str(a.id),
            )
        if not rows:
            table.add_row(*[Text("")] * 6, Text("No action items match"), key="none")
        table.move_cursor(row=min(selected, max(0, table.row_count - 1)), animate=False)
        overdue = sum(1 for r in rows if r.overdue(today))
        filters = [
            f"status: {self.status_filter or 'any'}",
            f"priority: {self.priority or 'any'}",
            f"owner: {self.owner or 'anyone'}",
        ]
        if self.services:
            filters.append(f"service: {', '.join(self.services)}")
        if self.overdue:
            filters.append("overdue only")
        noun = "item" if len(rows) == 1 else "items"
        count = f"the {SHOWN} most urgent items" if len(rows) >= SHOWN else f"{len(rows)} {noun}"
        self.query_one("#actions-status", Static).update(
            Text(f"{count}, {overdue} overdue · " + " · ".join(filters))
        )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def _selected(self) -> ActionRow | None:
        table = self.query_one("#actions", DataTable)
        if not self.rows or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row]

    # --- filters -------------------------------------------------------------------------

    def action_toggle_overdue(self) -> None:
        self.overdue = not self.overdue
        self.load()

    def services_changed(self) -> None:
        self.query_one("#actions-title", Static).update(
            Text(f"Action items across incidents{self.service_words}")
        )
        self.load()

    def action_cycle_status(self) -> None:
        index = STATUS_FILTERS.index(self.status_filter)
        self.status_filter = STATUS_FILTERS[(index + 1) % len(STATUS_FILTERS)]
        self.load()

    def action_cycle_priority(self) -> None:
        choices: tuple[str | None, ...] = (*PRIORITIES, None)
        self.priority = choices[(choices.index(self.priority) + 1) % len(choices)]
        self.load()

    def action_filter_owner(self) -> None:
        from incident_tui.screens.dialogs import FormScreen

        def save(values: dict[str, str]) -> str | None:
            self.owner = values["owner"].strip() or None
            self.load()
            return None

        self.app.push_screen(
            FormScreen(
                "Only the items of (empty: everyone)", [("owner", "Owner", self.owner or "")], save
            )
        )

    # --- changes -------------------------------------------------------------------------

    def _update(self, row: ActionRow, **changes: object) -> str | None:
        from incident_tui import ops

        app = self.incident_app
        if app.read_only:
            return "read-only: this is an observer's view"
        try:
            ops.update_action(
                app.get_database(),
                action_id=row.action.id,
                author=app.user,
                now=app.clock.now(),
                **changes,
            )
        except IncidentError as error:
            return str(error)
        self.load()
        return None

    def action_done(self) -> None:
        row = self._selected()
        if row is None or row.action.status == "done":
            return
        error = self._update(row, status="done")
        self.notify(
            error or f"#{row.action.id} done (logged in {row.key})",
            severity="error" if error else "information",
            markup=False,
        )

    def action_edit(self) -> None:
        from incident_tui.domain.timeparse import parse_date
        from incident_tui.screens.dialogs import FormScreen

        row = self._selected()
        if row is None:
            return
        a = row.action

        def save(values: dict[str, str]) -> str | None:
            changes: dict[str, object] = {}
            status = values["status"].strip().lower()
            if status != a.status:
                changes["status"] = status
            owner = values["owner"].strip() or None
            if owner != a.owner:
                changes["owner"] = owner
            due_text = values["due"].strip()
            try:
                due = parse_date(due_text, today=self.today) if due_text else None
            except IncidentError as error:
                return str(error)
            if due != a.due_date:
                changes["due_date"] = due
            if not changes:
                return None
            return self._update(row, **changes)

        self.app.push_screen(
            FormScreen(
                f"{row.key} action item #{a.id}: {one_line(a.description, 50)}",
                [
                    ("status", "Status (open, in-progress, done)", a.status),
                    ("owner", "Owner (empty: none)", a.owner or ""),
                    (
                        "due",
                        "Due (YYYY-MM-DD, +7d, tomorrow; empty: none)",
                        a.due_date.isoformat() if a.due_date else "",
                    ),
                ],
                save,
            )
        )

    def action_open_incident(self) -> None:
        row = self._selected()
        if row is not None:
            self.incident_app.open_incident_at(row.number)

    def action_back(self) -> None:
        self.incident_app.back_to_list()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "done") and self.incident_app.read_only:
            return None
        return True

    def palette_commands(self) -> list[tuple[str, str, Any]]:
        return [
            ("Only overdue action items", "Toggle the overdue filter", self.action_toggle_overdue),
            ("Filter action items by owner…", "Show one person's items", self.action_filter_owner),
            (
                "Filter action items by service…",
                "Only one service's incidents",
                self.action_service_filter,
            ),
        ]
