"""Incident types (`[types.NAME]` in the config): what kind of incident this is, and what
that kind brings — roles to fill beyond the core four, checklists of its own, update
cadences of its own. Pure: no Textual, no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta


@dataclass(frozen=True)
class IncidentType:
    name: str
    title: str
    roles: tuple[str, ...] = ()
    """Roles to fill besides the core ones (shown vacant until someone holds them)."""
    checklists: tuple[str, ...] = ()
    """Names of `[checklists.NAME]` this type brings."""
    updates: Mapping[str, timedelta | None] = field(default_factory=dict)
    """Audience → update cadence for this type, over the severity's (None: not owed)."""


DEFAULT_TYPES: Mapping[str, IncidentType] = {
    "availability": IncidentType("availability", "Availability"),
    "security": IncidentType(
        "security",
        "Security",
        roles=("security_lead", "legal"),
        checklists=("security",),
        updates={"internal": timedelta(minutes=15)},
    ),
    "data-loss": IncidentType(
        "data-loss", "Data loss", roles=("data_lead",), checklists=("data-loss",)
    ),
}
"""The types a config without `[types]` has; a config's `[types]` replaces them."""


def type_named(types: Mapping[str, IncidentType], name: str | None) -> IncidentType | None:
    """The incident's type as the config has it (None: no type, or one it no longer has)."""
    return types.get(name) if name else None


def roles_to_fill(types: Mapping[str, IncidentType], name: str | None) -> tuple[str, ...]:
    """The roles an incident of type `name` should have held, besides the core ones."""
    kind = type_named(types, name)
    return kind.roles if kind is not None else ()


def checklists_of_types(types: Mapping[str, IncidentType]) -> frozenset[str]:
    """Every checklist some type names: those apply only to incidents of such a type."""
    return frozenset(name for kind in types.values() for name in kind.checklists)
