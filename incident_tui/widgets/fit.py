"""Rows of a fixed-height pane: as many whole rows as fit, then `+N more` naming the key
that shows the rest, so a pane never silently cuts its last row."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from incident_tui.widgets.badges import DIM


def room_for_lines(widget: Widget) -> int | None:
    """How many lines the widget's content has, when its height is fixed (the narrow
    layout's small panes); None when the pane grows with its content."""
    height = widget.styles.height
    if height is None or height.is_auto:
        return None
    return widget.content_region.height or None


def fit_rows(rows: list[Text], room: int | None, *, keep: int = 0, hint: str = "") -> Text:
    """`rows` (each one or more lines) joined, earliest first; when they need more than
    `room` lines, the rows that fit (always including row `keep`, the selected one) and a
    last line `+N more · HINT`."""
    needed = sum(row.plain.count("\n") + 1 for row in rows)
    if room is None or needed <= room or not rows:
        return Text("\n").join(rows)
    start = 0
    while True:
        shown, used = [], 0
        for row in rows[start:]:
            lines = row.plain.count("\n") + 1
            if used + lines > room - 1:
                break
            shown.append(row)
            used += lines
        if keep < start + len(shown) or start >= keep:
            break
        start += 1
    if not shown:  # a single row taller than the pane: its first lines
        shown = [Text("\n").join(rows[start].split("\n")[: room - 1])]
    hidden = len(rows) - len(shown)
    more = Text(f"+{hidden} more" + (f" · {hint}" if hint else ""), style=DIM)
    return Text("\n").join([*shown, more])
