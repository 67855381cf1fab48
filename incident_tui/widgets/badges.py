"""How incident facts look on screen: severity badges, entry kinds, time stamps.

Every user string becomes a `rich.text.Text` (never markup) and is cleaned of control
sequences again on the way to the terminal.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from rich.style import Style
from rich.text import Text

SEVERITY_STYLES = {
    1: "bold white on #c62828",
    2: "bold black on #ef6c00",
    3: "bold black on #fbc02d",
    4: "bold black on #2e7d32",
}

KIND_STYLES: dict[str, Style] = {
    "note": Style(),
    "alert": Style(color="#ff5f5f", bold=True),
    "finding": Style(color="#5fd7ff"),
    "decision": Style(color="#d787ff", bold=True),
    "action": Style(color="#87d75f"),
    "comm": Style(color="#5f87ff"),
    "status": Style(color="#ffd75f"),
    "role": Style(color="#af87af"),
}
DIM = Style(dim=True)
PIN = Style(color="#ffd700", bold=True)
WARNING = Style(color="black", bgcolor="#fbc02d", bold=True)
OVERDUE = Style(color="white", bgcolor="#c62828", bold=True)
VACANT = Style(color="#ff5f5f", bold=True)
MARKS: dict[str, Style] = {"pin": PIN, "vacant": VACANT}
"""The marks drawn in the theme's text colours (see `wear_theme`)."""

# Kind → the theme's variable its text is drawn in: Textual's `text-*` colours are made
# to read on that theme's background, light or dark, so every theme stays readable.
# Severity, warning and overdue badges carry their own background: fixed, like a flag.
_KIND_VARIABLES = {
    "alert": ("text-error", True),
    "finding": ("text-secondary", False),
    "decision": ("text-accent", True),
    "action": ("text-success", False),
    "comm": ("text-primary", False),
    "status": ("text-warning", False),
}


_DESIGNED = (dict(KIND_STYLES), dict(MARKS))
"""The palette drawn for the default dark theme, kept as it was designed."""


def wear_theme(variables: dict[str, str] | None) -> None:
    """Kind and mark colours from the theme's variables (`App.theme_variables`), or the
    designed palette (None: the default dark theme)."""
    from textual.color import Color, ColorParseError

    if variables is None:
        KIND_STYLES.update(_DESIGNED[0])
        MARKS.update(_DESIGNED[1])
        return

    def colour(name: str) -> object:
        try:
            return Color.parse(variables[name]).rich_color
        except (KeyError, ColorParseError, ValueError):
            return None

    for kind, (name, bold) in _KIND_VARIABLES.items():
        found = colour(name)
        if found is not None:
            KIND_STYLES[kind] = Style(color=found, bold=bold)  # type: ignore[arg-type]
    KIND_STYLES["role"] = Style(italic=True)
    for mark, name in (("pin", "text-warning"), ("vacant", "text-error")):
        found = colour(name)
        if found is not None:
            MARKS[mark] = Style(color=found, bold=True)  # type: ignore[arg-type]


def severity_badge(severity: int) -> Text:
    return Text(f" SEV{severity} ", style=SEVERITY_STYLES.get(severity, "reverse"))


def clock_time(at: datetime, tz: tzinfo, *, with_date: bool = False, seconds: bool = True) -> str:
    """`09:02:10` (or `11-24 09:02` across days), with `Z` when shown in UTC."""
    local = at.astimezone(tz)
    offset = local.utcoffset()
    zone = "Z" if offset is not None and not offset else ""
    if with_date:
        return local.strftime("%m-%d %H:%M") + zone
    return local.strftime("%H:%M:%S" if seconds else "%H:%M") + zone


def short_duration(seconds: float) -> str:
    """`4:05`, `1:02:03`, `2d 03:04`: a countdown's digits, always positive."""
    total = int(abs(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours:02d}:{minutes:02d}"
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def steady_cursors(root) -> None:  # type: ignore[no-untyped-def]
    """No blinking text cursors under `root`: a war room stays open for hours, and a
    blink repaints twice a second for nothing (and makes screenshots differ)."""
    for widget in root.query("Input, TextArea"):
        widget.cursor_blink = False
