"""The checklist pane: the current phase's checklist, what is done and by whom. Focus it
(ctrl+l) and press space or enter to tick the selected item; ticking is logged."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import tzinfo

from rich.text import Text
from textual.binding import Binding
from textual.message import Message

from incident_tui.domain.checklists import Checklist
from incident_tui.domain.records import Tick
from incident_tui.domain.text import one_line
from incident_tui.widgets.app_access import ReachesApp
from incident_tui.widgets.badges import DIM, clock_time
from incident_tui.widgets.state_panes import SidePane


class ChecklistPane(ReachesApp, SidePane, can_focus=True):
    DEFAULT_CSS = """
    ChecklistPane.-none {
        display: none;
    }
    """
    BINDINGS = [
        Binding("up", "move(-1)", "Up", id="checklist-up", show=False),
        Binding("down", "move(1)", "Down", id="checklist-down", show=False),
        Binding("space,enter", "toggle", "Tick", id="tick", tooltip="Tick (or untick) the item"),
    ]

    class Toggled(Message):
        """Tick the item (done=True) or untick it."""

        def __init__(self, checklist: Checklist, item: str, done: bool) -> None:
            super().__init__()
            self.checklist, self.item, self.done = checklist, item, done

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Text(""), id=id)
        self.checklist: Checklist | None = None
        self.ticks: dict[str, Tick] = {}
        self.seen: frozenset[str] = frozenset()
        """Items the app saw happen (shown done, "seen"); space ticks one for the record."""
        self.tz: tzinfo | None = None
        self.cursor = 0

    def show(
        self,
        checklist: Checklist | None,
        ticks: list[Tick],
        tz: tzinfo,
        *,
        seen: Iterable[str] = (),
    ) -> None:
        self.checklist, self.tz = checklist, tz
        self.set_class(checklist is None, "-none")
        if checklist is None:
            return
        self.ticks = {t.item: t for t in ticks if t.checklist == checklist.name}
        self.seen = frozenset(seen)
        self.cursor = min(self.cursor, len(checklist.items) - 1)
        done = sum(1 for item in checklist.items if item in self.ticks or item in self.seen)
        self.border_title = f"{checklist.title} · {done}/{len(checklist.items)}"
        self.show_text(self._content())

    def _content(self) -> Text:
        text = Text()
        if self.checklist is None:
            return text
        roomy = self.content_region.width >= 36
        for index, item in enumerate(self.checklist.items):
            if index:
                text.append("\n")
            tick = self.ticks.get(item)
            seen = tick is None and item in self.seen
            text.append("▸" if self.has_focus and index == self.cursor else " ")
            text.append(
                "☑ " if tick or seen else "☐ ", style="green" if tick or seen else "bold yellow"
            )
            # One run for a seen item: SVG renderers drop the leading spaces of a run.
            words = f"{one_line(item, 40)} · seen" if seen else one_line(item, 40)
            text.append(words, style=DIM if tick or seen else "")
            if tick and roomy and self.tz is not None:
                text.append(
                    f"  {one_line(tick.ticked_by, 10)} "
                    f"{clock_time(tick.ticked_at, self.tz, seconds=False)}",
                    style=DIM,
                )
        return text

    def on_focus(self) -> None:
        self.show_text(self._content())

    def on_blur(self) -> None:
        self.show_text(self._content())

    def action_move(self, delta: int) -> None:
        if self.checklist is not None:
            self.cursor = max(0, min(len(self.checklist.items) - 1, self.cursor + delta))
            self.show_text(self._content())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle" and self.incident_app.read_only:
            return None
        return True

    def action_toggle(self) -> None:
        if self.checklist is not None:
            item = self.checklist.items[self.cursor]
            self.post_message(self.Toggled(self.checklist, item, item not in self.ticks))
