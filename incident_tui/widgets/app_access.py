"""The one way from a screen or a widget to the app, typed: `self.incident_app`.

Textual's `self.app` is an `App`; ours is always an `IncidentApp`. The mixin says so in
one place, so nothing that reaches the app needs a `type: ignore`. `IncidentApp` is
imported for the type checker only: app.py imports the screens, not the other way round.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from textual.app import App

    from incident_tui.app import IncidentApp


class ReachesApp:
    """Mixin for our screens, widgets and palette providers (before Textual's class in
    the bases): anything with Textual's `app`."""

    if TYPE_CHECKING:
        app: App[object]  # Textual's, as the classes this is mixed into declare it

    @property
    def incident_app(self) -> IncidentApp:
        """`self.app`, typed as the IncidentApp it always is."""
        return cast("IncidentApp", self.app)
