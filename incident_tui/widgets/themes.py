"""Which theme the app wears: `--theme NAME`, else the config's `display.theme`, else the
last one picked (in the palette's theme picker, remembered in the user state dir), else
Textual's default. The choice is remembered whenever it changes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import platformdirs
from textual.theme import BUILTIN_THEMES

from incident_tui.domain.errors import IncidentError
from incident_tui.store.locations import APP_NAME

DEFAULT_THEME = "textual-dark"


def known_themes() -> list[str]:
    """Every theme `--theme` and `display.theme` take: Textual's built-in ones."""
    return sorted(BUILTIN_THEMES)


def checked_theme(name: str, where: str = "--theme") -> str:
    """`name` if it is a theme, else an IncidentError naming `where` and the themes."""
    if name in BUILTIN_THEMES:
        return name
    raise IncidentError(f"{where}: unknown theme {name!r}; themes: {', '.join(known_themes())}")


def _state_file() -> Path:
    return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False)) / "ui.json"


def remembered_theme() -> str | None:
    """The theme picked last, if it is still one; nothing readable means none."""
    try:
        name = json.loads(_state_file().read_text(encoding="utf-8")).get("theme")
    except (OSError, ValueError, AttributeError):
        return None
    return name if isinstance(name, str) and name in BUILTIN_THEMES else None


def remember_theme(name: str) -> None:
    """Keep `name` for the next start (written atomically; a failure only forgets it)."""
    path = _state_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        spare = path.with_name(f".{path.name}.{os.getpid()}")
        spare.write_text(json.dumps({"theme": name}) + "\n", encoding="utf-8")
        os.replace(spare, path)
    except OSError:
        pass


def starting_theme(asked: str | None, configured: str | None) -> str:
    """The theme to start in: the flag's, the config's, the remembered one, the default."""
    if asked:
        return checked_theme(asked)
    if configured:
        return checked_theme(configured, "config display.theme")
    return remembered_theme() or DEFAULT_THEME


class ThemeMemory:
    """The app's side: wear the starting theme and keymap, and remember every later
    theme change (the palette's picker) when asked to — the CLI's app does, a test's
    does not."""

    theme: str
    _remembering = False

    def wear(self, theme: str | None, *, remember: bool, keymap: dict[str, str]) -> None:
        """The starting theme, and the user's keymap (checked by widgets/keymap.py)."""
        if theme:
            self.theme = theme
        self._dress(self.theme)  # the palette too, even when the theme is the default
        self._remembering = remember
        if keymap:
            self.set_keymap(keymap)  # type: ignore[attr-defined]  # App's, beside us

    def _dress(self, name: str) -> None:
        from incident_tui.widgets.badges import wear_theme

        # The theme's own variables: the app's are refreshed only with its CSS, later.
        theme = BUILTIN_THEMES.get(name)
        if name == DEFAULT_THEME or theme is None:
            wear_theme(None)
        else:
            wear_theme(theme.to_color_system().generate())

    def watch_theme(self, name: str) -> None:
        self._dress(name)
        if self.is_running:  # type: ignore[attr-defined]
            for view in self.query("TimelineView"):  # type: ignore[attr-defined]
                view.forget_drawn_rows()  # their cached strips hold the old colours
        if self._remembering:
            remember_theme(name)
