"""The postmortem: write the blameless draft from what the war room recorded, see the
metrics and the lint beside it, export it. Every change is saved as you go, one
transaction per change (text fields a moment after you stop typing, or when you leave).

Keys: the footer's keys are priority bindings none of the text widgets take (TextArea
keeps F6/F7 for select line/all), so they work with a field focused. The screen opens
in the summary; Tab moves field to field. Changes made elsewhere (another terminal, the
CLI) show within a tick, except in a field being typed in.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from incident_tui.domain.errors import IncidentError
from incident_tui.domain.postmortem_draft import (
    LIST_FIELDS,
    LIST_SECTIONS,
    TEXT_SECTIONS,
    PostmortemDraft,
)
from incident_tui.domain.text import one_line
from incident_tui.screens.postmortem_items import PostmortemItems
from incident_tui.screens.postmortem_saving import PostmortemSaving
from incident_tui.screens.wiring import Wired, guarded_work
from incident_tui.widgets.badges import steady_cursors
from incident_tui.widgets.fields import Field, PointsArea, TextField

KEY_EVENT_KINDS = ("alert", "finding", "decision", "action", "status")
KEY_EVENT_CHOICES = 300
"""Entries offered as key events: the pinned ones and the latest of these kinds."""


class PostmortemScreen(PostmortemItems, PostmortemSaving, Wired, Screen[None]):
    # The form's and panes' look; how they are arranged (and at 80×24) is in styles/app.tcss.
    DEFAULT_CSS = """
    PostmortemScreen #pm-heading { background: $panel; text-style: bold; }
    PostmortemScreen #pm-form { padding: 0 1; }
    PostmortemScreen #pm-form Label { margin-top: 1; text-style: bold; }
    PostmortemScreen #pm-form TextArea { height: 5; }
    PostmortemScreen #pm-form Input { height: 1; border: none; background: $boost; padding: 0 1; }
    PostmortemScreen #pm-form Input:focus { background: $primary 30%; }
    PostmortemScreen .pm-pair { height: 1; }
    PostmortemScreen .pm-pair Input { width: 1fr; margin-right: 1; }
    PostmortemScreen #pm-form OptionList { height: auto; max-height: 8; }
    PostmortemScreen #pm-metrics, PostmortemScreen #pm-lint {
        border: round $primary-darken-1;
        padding: 0 1;
    }
    PostmortemScreen #pm-lint { overflow-y: auto; }
    PostmortemScreen #pm-status { padding: 0 1; color: $text-muted; }
    PostmortemScreen #pm-status.-error { color: $error; text-style: bold; }
    """

    # The fields are Field/TextField: their keys run in order and none of the footer's
    # keys is taken by them (TextArea's own F6/F7 are left out).
    BINDINGS = [
        Binding(
            "escape",
            "back",
            "Back",
            id="pm-back",
            tooltip="Save and go back to the war room",
        ),
        Binding(
            "f2",
            "cycle_status",
            "Status",
            id="pm-status",
            tooltip="draft → in-review → published",
        ),
        Binding(
            "f3",
            "cycle_sla",
            "SLA",
            id="pm-sla",
            tooltip="SLA breached: computed, yes, no",
        ),
        Binding(
            "f4",
            "add_why",
            "+Why",
            id="pm-add-why",
            tooltip="Add a question/answer pair",
        ),
        Binding(
            "ctrl+n",
            "add_action",
            "+Action",
            id="pm-add-action",
            tooltip="Add an action item",
        ),
        Binding(
            "f5",
            "export('markdown')",
            ".md",
            id="pm-export-md",
            tooltip="Write the Markdown draft to a file",
        ),
        Binding(
            "f8",
            "export('json')",
            ".json",
            id="pm-export-json",
            tooltip="Write the JSON draft to a file",
        ),
        Binding(
            "f9",
            "copy_markdown",
            "Copy",
            id="pm-copy",
            tooltip="Copy the Markdown draft to the clipboard (OSC 52)",
        ),
    ]

    def __init__(self, number: int) -> None:
        super().__init__()
        self.number = number
        self.draft: PostmortemDraft | None = None
        self._pending: dict[str, str] = {}
        self._loaded: dict[str, str] = {}
        """What each field showed when filled, so filling it is not taken for typing."""
        self._save_timer: Timer | None = None
        self._data_version: int | None = None
        self._refused: dict[str, str] = {}
        """Field → why its last save was refused (shown again after the others saved)."""
        self._read_at = 0.0

    # --- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(Text(f" Postmortem — INC-{self.number}  loading…"), id="pm-heading")
        with Horizontal(id="pm-body"):
            with VerticalScroll(id="pm-form"):
                yield Label("Summary")
                yield TextField(id="summary")
                yield Label("Impact: users affected (a number) · revenue impact")
                with Horizontal(classes="pm-pair"):
                    yield Field(id="users_affected", placeholder="e.g. 12500 or ~12,500")
                    yield Field(id="revenue_impact", placeholder="e.g. €12k in lost orders")
                yield Label("Root cause")
                yield TextField(id="root_cause")
                for name, heading in LIST_SECTIONS:
                    yield Label(f"{heading} — one point per line · ctrl+↑/↓ moves a point")
                    yield PointsArea(id=name)
                yield Label("Lessons learned")
                yield TextField(id="lessons_learned")
                yield Label("Five whys — enter edits · ctrl+↑/↓ moves · delete removes · F4 adds")
                yield OptionList(id="whys")
                yield Label("Action items — enter edits · ctrl+n adds")
                yield OptionList(id="actions")
                yield Label("Key events — enter marks or unmarks (pinned entries)")
                yield OptionList(id="key-events")
                yield Label("Authors (comma-separated; empty: the role holders)")
                yield Field(id="authors")
            with Vertical(id="pm-side"):
                yield Static(id="pm-metrics")
                yield Static(id="pm-lint")
        yield Static(id="pm-status")
        yield Footer(show_command_palette=False)  # room for every key at 80 columns

    def on_mount(self) -> None:
        steady_cursors(self)
        self.query_one("#pm-metrics").border_title = "Metrics"
        self.query_one("#pm-lint").border_title = "Lint"
        self.query_one("#summary", TextArea).focus()  # where the author types first
        self.watch(self.app, "changes", self._poll, init=False)
        self.watch(self.app, "now", self._on_tick, init=False)
        self.load()

    def _on_tick(self, _now: object = None) -> None:
        import time

        if self.incident_app.should_poll(time.monotonic() - self._read_at):
            self._poll()

    def _poll(self, _changes: object = None) -> None:
        """Reread the draft when another writer changed the database (a cheap
        data_version check first)."""
        import time

        if self.draft is None or not self.is_current:
            return
        self._read_at = time.monotonic()
        try:
            version = self.incident_app.get_database().data_version()
        except IncidentError:
            return
        if version is None or version != self._data_version:
            self._data_version = version
            self.load()

    # --- reading ----------------------------------------------------------------------

    @guarded_work("postmortem")
    def load(self) -> None:
        from incident_tui.store.postmortem_reads import postmortem_draft

        app = self.incident_app
        draft = postmortem_draft(
            app.get_database(), self.number, now=app.clock.now(), policy=app.config.policy
        )
        app.call_from_thread(self.show, draft)

    def show(self, draft: PostmortemDraft) -> None:
        first = self.draft is None
        self.draft = draft
        for name, _ in TEXT_SECTIONS + LIST_SECTIONS:
            value = getattr(draft.fields, name)
            if name in LIST_FIELDS:
                value = "\n".join(value)
            elif name == "summary":
                value = value or draft.detail.summary
            self._fill(self.query_one(f"#{name}", TextArea), name, value, first)
        for name in ("users_affected", "revenue_impact", "authors"):
            self._fill(self.query_one(f"#{name}", Input), name, getattr(draft.fields, name), first)
        self._show_lists()
        self._show_side()

    def _fill(self, widget: TextArea | Input, name: str, value: str, first: bool) -> None:
        """Show the stored `value`; never over what is being typed there. Text typed
        before the draft was read (type-ahead) is kept after the stored text and saved."""
        shown = widget.text if isinstance(widget, TextArea) else widget.value
        if first:
            typed = shown.strip()
            value = (
                f"{value}\n{typed}".strip()
                if typed and isinstance(widget, TextArea)
                else (f"{value} {typed}".strip() if typed else value)
            )
            self._loaded[name] = "" if typed else value
        elif name in self._pending or widget.has_focus or self._loaded.get(name) == value:
            return
        else:
            self._loaded[name] = value
        if shown != value:
            if isinstance(widget, TextArea):
                widget.load_text(value)
                widget.move_cursor(widget.document.end)
            else:
                widget.value = value

    def _show_lists(self) -> None:
        draft = self.draft
        assert draft is not None
        whys = self.query_one("#whys", OptionList)
        keep = whys.highlighted
        whys.clear_options()
        for why in draft.whys:
            whys.add_option(
                Option(
                    Text(f"{why.position}. {one_line(why.question, 80)} → ").append(
                        one_line(why.answer or "…", 80)
                    )
                )
            )
        if not draft.whys:
            whys.add_option(Option(Text("none yet — F4 adds one"), disabled=True))
        whys.highlighted = min(keep or 0, max(0, len(draft.whys) - 1)) if draft.whys else None

        actions = self.query_one("#actions", OptionList)
        actions.clear_options()
        for a in draft.actions:
            due = a.due_date.isoformat() if a.due_date else "no due date"
            actions.add_option(
                Option(
                    Text(
                        f"#{a.id} [{a.status}] {a.priority} {a.type or '—'} · "
                        f"{one_line(a.owner or 'no owner', 20)} · {due} · "
                        f"{one_line(a.description, 60)}"
                    ),
                    id=str(a.id),
                )
            )
        if not draft.actions:
            actions.add_option(Option(Text("none yet — ctrl+n adds one"), disabled=True))

        events = self.query_one("#key-events", OptionList)
        keep = events.highlighted
        events.clear_options()
        timeline = draft.detail.timeline
        offered = [e for e in timeline if e.pinned or e.kind in KEY_EVENT_KINDS][
            -KEY_EVENT_CHOICES:
        ]
        for entry in offered:
            mark = "★" if entry.pinned else "·"
            events.add_option(
                Option(
                    Text(
                        f"{mark} {entry.occurred_at:%H:%M}Z {entry.kind:<8} "
                        f"{one_line(entry.text, 90)}"
                    ),
                    id=str(entry.id),
                )
            )
        if keep is not None and offered:
            events.highlighted = min(keep, len(offered) - 1)

    def _show_side(self) -> None:
        from incident_tui.domain.blameless_lint import lint
        from incident_tui.formats.markdown_text import duration_text

        draft = self.draft
        assert draft is not None
        m = draft.metrics
        sla = {True: "yes", False: "no", None: "unknown"}[draft.sla_breached]
        how = "set by hand" if draft.fields.sla_breached is not None else "from the policy"
        lines = Text()
        for label, value in (
            ("time to detect", duration_text(m.time_to_detect)),
            ("to acknowledge", duration_text(m.time_to_acknowledge)),
            ("to mitigate", duration_text(m.time_to_mitigate)),
            ("to resolve", duration_text(m.time_to_resolve)),
            ("impact lasted", duration_text(m.impact_duration)),
            ("SLA breached", f"{sla} ({how})"),
        ):
            lines.append(f"{label:<15}", style="bold")
            lines.append(f"{value}\n")
        for cadence in m.cadence:
            lines.append(f"{cadence.audience:<15}", style="bold")
            lines.append(cadence.describe() + "\n")
        lines.append(f"{'reconstructed':<15}", style="bold")
        lines.append(
            f"{m.reconstructed} entries"
            + (
                f", latest {duration_text(m.reconstructed_worst)} after"
                if m.reconstructed_worst
                else ""
            )
        )
        self.query_one("#pm-metrics", Static).update(lines)

        findings = lint(draft)
        text = Text()
        for finding in findings:
            text.append(f"{finding.where}: ", style="bold")
            text.append(f"{one_line(finding.message, 300)}\n")
            if finding.suggestion:
                text.append(f"  → {one_line(finding.suggestion, 300)}\n", style="dim")
        if not findings:
            text.append("nothing to point out", style="green")
        lint_pane = self.query_one("#pm-lint", Static)
        lint_pane.border_title = f"Lint · {len(findings)}"
        lint_pane.update(text)
        self.query_one("#pm-heading", Static).update(
            Text(
                f" Postmortem — {draft.detail.key}  {one_line(draft.detail.title, 60)}"
                f"  · {draft.fields.status}"
            )
        )

    def status(self, message: str, *, error: bool = False) -> None:
        line = self.query_one("#pm-status", Static)
        line.set_class(error, "-error")
        line.update(Text(one_line(message, 300)), layout=False)
