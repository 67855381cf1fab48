"""Home: every incident, active ones first, with severity, phase, commander and next deadline;
`f` limits it to one service's incidents (the palette's search then too)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from incident_tui.domain.text import one_line
from incident_tui.screens.service_filter import ServiceFiltered, service_binding
from incident_tui.screens.wiring import guarded_work
from incident_tui.widgets.badges import severity_badge, short_duration
from incident_tui.widgets.countdowns import fitted_title
from incident_tui.widgets.state_panes import TroubleBanner
from incident_tui.widgets.table import SizedTable

if TYPE_CHECKING:
    from incident_tui.domain.records import IncidentSummary


CLOSED_SHOWN = 200
"""Resolved and closed incidents listed (the newest); search and metrics reach the rest."""


class IncidentListScreen(ServiceFiltered, Screen[None]):
    BINDINGS = [
        Binding("r", "refresh", "Refresh", id="refresh", tooltip="Read the list again"),
        Binding("enter", "open_selected", "Open", id="open", tooltip="Open the selected incident"),
        Binding("n", "declare", "Declare", id="declare-incident", tooltip="Declare a new incident"),
        Binding(
            "i",
            "action_items",
            "Action items",
            id="action-items",
            tooltip="Every incident's action items: overdue first",
        ),
        Binding("m", "metrics", "Metrics", id="metrics", tooltip="MTTD/MTTR and trends"),
        Binding(
            "/", "search", "Search", id="search", tooltip="Search every incident (also ctrl+p)"
        ),
        Binding(
            "p",
            "drill",
            "Drill",
            id="drill",
            tooltip="Practise: replay the selected incident as a drill",
        ),
        Binding(
            "a",
            "toggle_all",
            "All/active",
            id="toggle-all",
            tooltip="Show resolved and closed incidents too, or only active ones",
        ),
        service_binding("list-service-filter"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.show_all = True
        self.rows: list[IncidentSummary] = []
        self._data_version: int | None = None
        self._read_at = 0.0
        self._read_trouble: str | None = None

    def compose(self) -> ComposeResult:
        yield Static("incident-tui — incidents", id="list-title")
        yield TroubleBanner(id="trouble")
        table: DataTable[Text] = SizedTable(id="incidents", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static("Loading…", id="list-status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#incidents", DataTable)
        table.add_columns("Sev", "Key", "Title", "Phase", "Elapsed", "Commander", "Next deadline")
        self.watch(self.app, "now", self.on_tick, init=False)
        self.watch(self.app, "changes", self.poll, init=False)
        self.watch(self.app, "link_trouble", self._show_trouble)  # and at once: a standing notice

    def _show_trouble(self, _trouble: object = None) -> None:
        trouble = self.incident_app.link_trouble or self._read_trouble
        self.query_one("#trouble", TroubleBanner).show(trouble)

    def on_screen_resume(self) -> None:
        # Shown (first or again): read. Under a war room opened directly it stays unread,
        # keeping SQLAlchemy's import off the war room's first frame.
        if self.is_current:
            self.load()

    def on_tick(self, _now: object = None) -> None:
        """Look for other writers' changes where the feed cannot be relied on; otherwise
        just let time pass (the countdowns move)."""
        if not self.is_current or self.incident_app.database is None:
            return
        if self.incident_app.should_poll(time.monotonic() - self._read_at):
            self.poll()
        elif self.rows:
            self.show_rows(self.rows)

    def poll(self, _changes: object = None) -> None:
        """Reload when another writer changed the database (the feed woke us, or the tick)."""
        database = self.incident_app.database
        if not self.is_current or database is None:
            return
        try:
            version = database.data_version()
        except Exception:
            version = None  # let the reload say what is wrong
        if version is None or version != self._data_version:
            self._data_version = version
            self.load()
        elif self.rows:
            self.show_rows(self.rows)

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
        from incident_tui.domain.vocabulary import parse_key

        self.incident_app.open_incident_at(parse_key(key))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "declare" and self.incident_app.read_only:
            return None
        return True

    def action_declare(self) -> None:
        app = self.incident_app

        def declare(fields: dict[str, str]) -> int | str:
            from incident_tui import ops
            from incident_tui.domain.context import context_change
            from incident_tui.domain.errors import IncidentError
            from incident_tui.domain.timeparse import parse_past_time

            now = app.clock.now()
            try:
                started = (
                    parse_past_time(fields["started"], now=now, tz=app.config.display_tz)
                    if fields["started"].strip()
                    else None
                )
                if not fields["severity"].strip():
                    raise IncidentError("severity is empty: 1, 2, 3 or 4")
                known = tuple(app.config.types)
                change = context_change(
                    services=[s for s in fields.get("services", "").split(",") if s.strip()],
                    labels=[x.strip() for x in fields.get("labels", "").split(",") if x.strip()],
                    incident_type=fields.get("type", "").strip() or None,
                    known_types=known,
                )
                return ops.declare(
                    app.get_database(),
                    title=fields["title"],
                    severity=fields["severity"],
                    author=app.user,
                    now=now,
                    commander=fields["commander"] if fields["commander"].strip() else None,
                    started_at=started,
                    summary=fields["summary"],
                    context=change,
                    known_types=known,
                )
            except IncidentError as error:
                return str(error)

        def declared(number: int | None) -> None:
            if number is not None:
                self.open_key(f"INC-{number}")

        app.open_declare(declare, declared)

    def action_action_items(self) -> None:
        self.incident_app.open_actions()

    def action_metrics(self) -> None:
        self.incident_app.open_metrics()

    def action_drill(self) -> None:
        from incident_tui.screens.dialogs import PickScreen

        table = self.query_one("#incidents", DataTable)
        if not self.rows or table.cursor_row >= len(self.rows) or self.incident_app.read_only:
            return
        source = self.rows[table.cursor_row]

        def chosen(speed: str | None) -> None:
            if speed:
                self.incident_app.start_drill(source.number, speed)

        self.app.push_screen(
            PickScreen(
                f"Drill: replay {source.key} as a new drill incident, at",
                [
                    ("1", "real time"),
                    ("10", "10× (an hour in 6 minutes)"),
                    ("60", "60× (an hour in a minute)"),
                ],
            ),
            chosen,
        )

    def action_search(self) -> None:
        self.app.action_command_palette()

    def palette_commands(self) -> list[tuple[str, str, object]]:
        return [
            (
                "Action items across incidents",
                "Overdue first; change them in place",
                self.action_action_items,
            ),
            (
                "Metrics",
                "MTTD/MTTA/MTTM/MTTR, incidents per week, follow-through",
                self.action_metrics,
            ),
            ("Declare an incident", "A new incident and its war room", self.action_declare),
            ("Drill the selected incident…", "Replay it as a drill to practise", self.action_drill),
            (
                "Filter incidents by service…",
                "Only one service's incidents (search follows)",
                self.action_service_filter,
            ),
        ]

    def action_toggle_all(self) -> None:
        self.show_all = not self.show_all
        self.load()

    def services_changed(self) -> None:
        self.load()

    @guarded_work("incident-list")
    def load(self) -> None:
        from incident_tui.store.queries import list_incidents

        app = self.incident_app
        db = app.get_database()
        version = db.data_version()
        rows = list_incidents(
            db,
            now=app.clock.now(),
            include_closed=self.show_all,
            closed_limit=CLOSED_SHOWN,
            policy=app.config.policy,
            services=self.services,
        )
        app.call_from_thread(self.loaded, rows, version)

    def worker_failed(self, error: BaseException) -> None:
        """The list unread: leave the app if it was never read (there is nothing to
        show); otherwise keep showing it, say why it is stale, retry on the tick."""
        if self._read_at == 0.0:
            self.incident_app.report_error(error, fatal=True)
        else:
            self.unreadable(error)

    def unreadable(self, error: BaseException) -> None:
        self._read_at = time.monotonic()
        self._data_version = None
        self._read_trouble = str(error)
        self._show_trouble()

    def loaded(self, rows: list[IncidentSummary], version: int | None) -> None:
        self._data_version = version
        self._read_at = time.monotonic()
        self._read_trouble = None
        self._show_trouble()
        self.show_rows(rows)

    def show_rows(self, rows: list[IncidentSummary]) -> None:
        from incident_tui.domain.timeparse import format_duration

        now = self.incident_app.clock.now()
        self.rows = rows
        table = self.query_one("#incidents", DataTable)
        selected = table.cursor_row
        table.clear()
        for s in rows:
            nd = s.next_deadline
            deadline = Text("")
            if nd is not None:
                left = (nd.due_at - now).total_seconds()
                title = fitted_title(nd, 16)  # the column must fit beside the title at 80
                deadline = (
                    Text(f"{title} +{short_duration(left)} overdue", style="bold red")
                    if left <= 0
                    else Text(f"{title} in {short_duration(left)}")
                )
            table.add_row(
                severity_badge(s.severity),
                Text(s.key),
                Text.assemble(("DRILL ", "bold #5fd7ff"), one_line(s.title, 30))
                if s.is_drill
                else Text(one_line(s.title, 36)),
                Text(s.phase),
                Text(format_duration((s.impact_ended_at or now) - s.started_at)),
                Text(
                    one_line(s.commander, 20) if s.commander else "—",
                    style="" if s.commander else "bold red",
                ),
                deadline,
                key=s.key,
            )
        if not rows:
            if self.services:
                empty = "No incidents of this service here — f: every service"
            elif self.show_all:
                empty = "No incidents yet — press n to declare one"
            else:
                empty = "No active incidents — a: show all, n: declare one"
            table.add_row(Text(""), Text(""), Text(empty), key="none")
        table.move_cursor(row=min(selected, max(0, table.row_count - 1)), animate=False)
        status = self.query_one("#list-status", Static)
        noun = "incident" if len(rows) == 1 else "incidents"
        if self.show_all:
            finished = sum(1 for r in rows if r.phase in ("resolved", "closed"))
            newest = (
                " (the newest finished ones; / searches all)" if finished >= CLOSED_SHOWN else ""
            )
            scope = f"{len(rows)} {noun}, active first{newest} — a: only active"
        else:
            scope = f"{len(rows)} active {noun} — a: show all"
        if self.services:
            scope += f" · service: {', '.join(self.services)} — f: every service"
        status.update(Text(scope))
        self.query_one("#list-title", Static).update(
            Text(f"incident-tui — incidents{self.service_words}")
        )
