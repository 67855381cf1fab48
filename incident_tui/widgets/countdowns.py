"""The countdowns pane: every open deadline, warning at 2 minutes, counting up once overdue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from rich.text import Text
from textual.binding import Binding
from textual.message import Message

from incident_tui.domain import Deadline
from incident_tui.text import one_line
from incident_tui.widgets.look import DIM, OVERDUE, WARNING, clock_time, short_duration
from incident_tui.widgets.state_panes import Pane

WARN_BEFORE = timedelta(minutes=2)


def countdown_state(deadline: Deadline, now: datetime) -> str:
    """`ok`, `warning` (2 minutes or less left) or `overdue`."""
    left = deadline.due_at - now
    if left <= timedelta(0):
        return "overdue"
    if left <= WARN_BEFORE:
        return "warning"
    return "ok"


class CountdownsPane(Pane, can_focus=True):
    """Deadlines, earliest first. Focus it and press z to snooze the selected one."""

    BINDINGS = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding(
            "z",
            "snooze",
            "Snooze",
            id="snooze",
            tooltip="Push the selected countdown back 5, 10 or 15 minutes (logged)",
        ),
        Binding(
            "d",
            "timer_done",
            "Timer done",
            id="timer-done",
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
        lines = Text()
        width = max(10, self.content_region.width or 40)
        for index, deadline in enumerate(self.deadlines):
            state = countdown_state(deadline, self.now)
            left = (deadline.due_at - self.now).total_seconds()
            digits = short_duration(left)
            clock = f"+{digits} overdue" if state == "overdue" else digits
            far = deadline.due_at.astimezone(self.tz).date() != self.now.astimezone(self.tz).date()
            due = clock_time(deadline.due_at, self.tz, with_date=far, seconds=False)
            right = f" {due} {clock:>8}"
            title = one_line(deadline.title, max(4, width - len(right) - 2))
            row = Text(f"{title:<{max(0, width - len(right) - 2)}}{right}")
            if state == "overdue":
                row.stylize(OVERDUE)
            elif state == "warning":
                row.stylize(WARNING)
            mark = "▸ " if self.has_focus and index == self.cursor else "  "
            lines.append(mark)
            lines.append_text(row)
            if index < len(self.deadlines) - 1:
                lines.append("\n")
        return lines

    def on_focus(self) -> None:
        self.show_text(self._content())

    def on_blur(self) -> None:
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
        if action in ("snooze", "timer_done") and getattr(self.app, "read_only", False):
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
