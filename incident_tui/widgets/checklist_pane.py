"""The checklist pane: the current phase's checklist, then those the incident's type
brings, what is done and by whom. Focus it (ctrl+l) and press space or enter to tick
the selected item; ticking is logged."""

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
        self.checklists: tuple[Checklist, ...] = ()
        """The phase's checklist (if any), then the type's: their items in one list."""
        self.ticks: dict[tuple[str, str], Tick] = {}
        """(checklist, item) → its tick."""
        self.seen: frozenset[tuple[str, str]] = frozenset()
        """Items the app saw happen (shown done, "seen"); space ticks one for the record."""
        self.tz: tzinfo | None = None
        self.cursor = 0

    @property
    def checklist(self) -> Checklist | None:
        """The first checklist shown (the phase's, else the type's first)."""
        return self.checklists[0] if self.checklists else None

    @property
    def rows(self) -> list[tuple[Checklist, str]]:
        """Every item shown, in order, with its checklist."""
        return [(c, item) for c in self.checklists for item in c.items]

    def done(self, checklist: Checklist, item: str) -> bool:
        key = (checklist.name, item)
        return key in self.ticks or key in self.seen

    def ticked(self, checklist: Checklist, item: str) -> bool:
        return (checklist.name, item) in self.ticks

    def show(
        self,
        checklists: Iterable[Checklist],
        ticks: list[Tick],
        tz: tzinfo,
        *,
        seen: Iterable[tuple[str, str]] = (),
    ) -> None:
        """`checklists` in the order shown; `seen`: (checklist, item) the app saw happen."""
        self.checklists, self.tz = tuple(checklists), tz
        self.set_class(not self.checklists, "-none")
        if not self.checklists:
            return
        names = {c.name for c in self.checklists}
        self.ticks = {(t.checklist, t.item): t for t in ticks if t.checklist in names}
        self.seen = frozenset(seen)
        self.cursor = max(0, min(self.cursor, len(self.rows) - 1))
        self.border_title = self._title(self.checklists[0])
        self.show_text(self._content())

    def _title(self, checklist: Checklist) -> str:
        done = sum(1 for item in checklist.items if self.done(checklist, item))
        return f"{checklist.title} · {done}/{len(checklist.items)}"

    def _content(self) -> Text:
        text = Text()
        if not self.checklists:
            return text
        roomy = self.content_region.width >= 36
        index = 0
        for number, checklist in enumerate(self.checklists):
            if number:  # a later list (the type's) under a heading of its own
                text.append("\n")
                text.append(one_line(self._title(checklist), 60), style="bold")
            for item in checklist.items:
                self._item(text, checklist, item, index, roomy)
                index += 1
        return text

    def _item(self, text: Text, checklist: Checklist, item: str, index: int, roomy: bool) -> None:
        if index:
            text.append("\n")
        tick = self.ticks.get((checklist.name, item))
        seen = tick is None and (checklist.name, item) in self.seen
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

    def on_focus(self) -> None:
        self.show_text(self._content())

    def on_blur(self) -> None:
        self.show_text(self._content())

    def action_move(self, delta: int) -> None:
        if self.checklists:
            self.cursor = max(0, min(len(self.rows) - 1, self.cursor + delta))
            self.show_text(self._content())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle" and self.incident_app.read_only:
            return None
        return True

    def action_toggle(self) -> None:
        if self.checklists:
            checklist, item = self.rows[self.cursor]
            self.post_message(self.Toggled(checklist, item, not self.ticked(checklist, item)))
