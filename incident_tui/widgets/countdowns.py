"""The countdowns pane: every open deadline, warning at 2 minutes, counting up once overdue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from rich.text import Text
from textual.binding import Binding
from textual.message import Message

from incident_tui.domain.records import Deadline
from incident_tui.domain.text import one_line
from incident_tui.widgets.app_access import ReachesApp
from incident_tui.widgets.badges import DIM, OVERDUE, WARNING, clock_time, short_duration
from incident_tui.widgets.fit import fit_rows, room_for_lines
from incident_tui.widgets.state_panes import SidePane
from incident_tui.widgets.timeline_rows import wrap

WARN_BEFORE = timedelta(minutes=2)
SHORT_TITLES = {
    "escalate": "escalate to mgmt",
    "update:external": "status page",
    "update:executive": "executives",
    "update:internal": "internal",
    "acknowledge": "acknowledge",
    "resolve": "resolve",
    "postmortem": "postmortem",
}
"""When the title does not fit on one line: the words that matter, shorter."""


def fitted_title(deadline: Deadline, room: int) -> str:
    """The deadline's title, or its short form when the title would not fit in `room`."""
    title = one_line(deadline.title, 200)
    if len(title) <= room:
        return title
    if deadline.name.startswith("timer:"):
        return "timer " + title.removeprefix("timer: ")
    return SHORT_TITLES.get(deadline.name, title)


def countdown_state(deadline: Deadline, now: datetime) -> str:
    """`ok`, `warning` (2 minutes or less left) or `overdue`."""
    left = deadline.due_at - now
    if left <= timedelta(0):
        return "overdue"
    if left <= WARN_BEFORE:
        return "warning"
    return "ok"


class CountdownsPane(ReachesApp, SidePane, can_focus=True):
    """Deadlines, earliest first. Focus it and press z to snooze the selected one."""

    BINDINGS = [
        Binding("up", "move(-1)", "Up", id="countdowns-up", show=False),
        Binding("down", "move(1)", "Down", id="countdowns-down", show=False),
        Binding(
            "z",
            "snooze",
            "Snooze",
            id="snooze",
            show=False,  # in the pane's own border while it has focus: the footer stays whole
            tooltip="Push the selected countdown back 5, 10 or 15 minutes (logged)",
        ),
        Binding(
            "d",
            "timer_done",
            "Timer done",
            id="timer-done",
            show=False,
            tooltip="Dismiss the selected timer, rung or not (logged; /timer done LABEL)",
        ),
    ]

    class SnoozeRequested(Message):
        def __init__(self, deadline: Deadline) -> None:
            super().__init__()
            self.deadline = deadline

    class TimerDone(Message):
        """The selected timer is to be dismissed (`label` without the `timer:`)."""

        def __init__(self, label: str) -> None:
            super().__init__()
            self.label = label

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Text("…"), id=id)
        self.deadlines: list[Deadline] = []
        self.now: datetime | None = None
        self.tz: tzinfo = UTC
        self.cursor = 0

    def show(self, deadlines: list[Deadline], now: datetime, tz: tzinfo) -> None:
        self.deadlines, self.now, self.tz = deadlines, now, tz
        self.cursor = min(self.cursor, max(0, len(deadlines) - 1))
        self.show_text(self._content())

    def _content(self) -> Text:
        if not self.deadlines or self.now is None:
            return Text("no open deadlines", style=DIM)
        # Short of lines (80×24): long labels wrap onto fewer lines first, so more
        # countdowns show; then the earliest whole, and "+N more" (ctrl+o shows them).
        room = room_for_lines(self)
        for limit in (3, 2, 1):
            rows = self._rows(limit)
            if room is None or sum(r.plain.count("\n") + 1 for r in rows) <= room:
                break
        cursor = self.cursor if self.has_focus else 0
        return fit_rows(rows, room, keep=cursor, hint="ctrl+o")

    def _rows(self, limit: int) -> list[Text]:
        """One row per deadline; a long title wraps onto up to `limit` lines."""
        assert self.now is not None
        rows: list[Text] = []
        width = max(16, self.content_region.width or 40)
        with_clock = width >= 40  # narrow: the countdown alone, the words get the room
        for index, deadline in enumerate(self.deadlines):
            lines = Text()
            rows.append(lines)
            state = countdown_state(deadline, self.now)
            digits = short_duration((deadline.due_at - self.now).total_seconds())
            if state == "overdue":
                right = f" +{digits} overdue"  # red already: the due time is past anyway
            elif with_clock:
                far = (
                    deadline.due_at.astimezone(self.tz).date()
                    != self.now.astimezone(self.tz).date()
                )
                due = clock_time(deadline.due_at, self.tz, with_date=far, seconds=False)
                right = f" {due} {digits:>7}"
            else:
                right = f" {digits:>7}"
            mark = "▸ " if self.has_focus and index == self.cursor else "  "
            room = max(4, width - len(mark) - len(right))
            title = fitted_title(deadline, room)
            # A long title (a timer's label) goes on over more lines instead of being cut.
            spans = wrap(title, room, limit=limit)
            parts = [title[a:b] for a, b in spans]
            if spans[-1][1] == -1:  # longer still: the last line ends in "…"
                parts[-1] = one_line(title[spans[-1][0] :], room)
            style = OVERDUE if state == "overdue" else WARNING if state == "warning" else ""
            lines.append(mark)
            lines.append(f"{parts[0]:<{room}}{right}", style=style)
            for more in parts[1:]:
                lines.append("\n")
                lines.append("    ", style=DIM)  # a run of its own: SVG renderers keep it
                lines.append(f"{more:<{room}}", style=style)
        return rows

    def on_resize(self) -> None:
        if self.deadlines:
            self.show_text(self._content())

    def on_focus(self) -> None:
        self.border_subtitle = "z snooze · d timer done"
        self.show_text(self._content())

    def on_blur(self) -> None:
        self.border_subtitle = ""
        self.show_text(self._content())

    def action_move(self, delta: int) -> None:
        if self.deadlines:
            self.cursor = max(0, min(len(self.deadlines) - 1, self.cursor + delta))
            self.show_text(self._content())
            self.refresh_bindings()

    @property
    def selected(self) -> Deadline | None:
        return self.deadlines[self.cursor] if self.deadlines else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("snooze", "timer_done") and self.incident_app.read_only:
            return None
        if action == "timer_done":
            selected = self.selected
            return True if selected is not None and selected.name.startswith("timer:") else None
        return True

    def action_timer_done(self) -> None:
        selected = self.selected
        if selected is not None and selected.name.startswith("timer:"):
            self.post_message(self.TimerDone(selected.name.split(":", 1)[1]))

    def action_snooze(self) -> None:
        if self.deadlines:
            self.post_message(self.SnoozeRequested(self.deadlines[self.cursor]))
