"""The service filter the incident list, the action items and the metrics share (and the
palette's search, which follows the screen it was opened from): `f` offers the services
known (`reports.service_names`, read in a thread) and an empty choice, "every service".
Not a screen: any screen may import it, as it may the dialogs.

No SQL here: the names come from `store.reports`, the filtering is the store's.
"""

from __future__ import annotations

from textual.binding import Binding

from incident_tui.screens.wiring import Wired, guarded_work

SERVICE_KEY = "f"
EVERY_SERVICE = "*"
"""The choice that clears the filter (never a service's name: `valid_service` refuses `*`)."""


def service_binding(id: str) -> Binding:
    return Binding(
        SERVICE_KEY,
        "service_filter",
        "Service",
        id=id,
        tooltip="Only one service's incidents (or every service again)",
    )


class ServiceFiltered(Wired):
    """Mixin for a screen whose rows can be limited to a service's incidents: `services`
    (empty: every service) is passed to the store's read; `services_changed` reloads."""

    services: tuple[str, ...] = ()

    def services_changed(self) -> None:
        """Read again with the new filter (the screen's `load`)."""
        raise NotImplementedError

    @property
    def service_words(self) -> str:
        """` · service: checkout-api`, or "" with no filter: for the title."""
        return f" · service: {', '.join(self.services)}" if self.services else ""

    def action_service_filter(self) -> None:
        self._read_service_names()

    @guarded_work("service-names")
    def _read_service_names(self) -> None:
        from incident_tui.store.reports import service_names

        app = self.incident_app
        names = service_names(app.get_database())
        app.call_from_thread(self._offer_services, names)

    def _offer_services(self, names: list[str]) -> None:
        from incident_tui.screens.dialogs import PickScreen

        def chosen(value: str | None) -> None:
            if value is None:  # escape: as it was
                return
            services = () if value == EVERY_SERVICE else (value,)
            if services != self.services:
                self.services = services
                self.services_changed()

        choices = [(EVERY_SERVICE, "every service (no filter)")]
        choices += [(name, name) for name in names if name != EVERY_SERVICE]
        current = self.services[0] if len(self.services) == 1 else EVERY_SERVICE
        title = "Only the incidents of" if names else "No incident has a service yet"
        self.app.push_screen(PickScreen(title, choices, current), chosen)
