"""Checklists that keep the first minutes calm and the resolution complete.

Each checklist applies to some severities and shows during some phases; the config file
may replace the defaults (`[checklists.NAME]` tables). A checklist an incident type names
(`[types.NAME] checklists = [...]`) applies only to incidents of such a type, after the
phase's list; one no type names applies to every incident. Ticks are stored per incident
(`ops.tick_checklist`), each one logged to the timeline; what the app itself saw happen
(FACTS) the operations record and log once (`seen.record_seen`). Pure: no Textual, no database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from incident_tui.domain.errors import ConfigError
from incident_tui.domain.incident_types import (
    DEFAULT_TYPES,
    IncidentType,
    checklists_of_types,
    type_named,
)
from incident_tui.domain.records import IncidentDetail
from incident_tui.domain.text import one_line
from incident_tui.domain.vocabulary import PHASES, SEVERITIES


@dataclass(frozen=True)
class Checklist:
    name: str
    title: str
    items: tuple[str, ...]
    phases: tuple[str, ...] = PHASES
    severities: tuple[int, ...] = SEVERITIES


DEFAULT_CHECKLISTS: tuple[Checklist, ...] = (
    Checklist(
        "first-five-minutes",
        "First five minutes",
        (
            "Acknowledge",
            "Assess scope",
            "Set severity",
            "Declare",
            "Assign roles",
            "First update posted",
        ),
        phases=("triage", "investigating", "identified"),
    ),
    Checklist(
        "resolution",
        "Resolution",
        (
            "Fix or rollback done",
            "Services recovering",
            "Monitoring for stability",
            "Postmortem scheduled",
        ),
        phases=("mitigating", "monitoring", "resolved"),
    ),
    # The types' own lists (DEFAULT_TYPES names them): only for incidents of those types.
    Checklist(
        "security",
        "Security",
        (
            "Preserve evidence",
            "Rotate exposed credentials",
            "Restrict the incident channel",
            "Involve legal and privacy",
        ),
        phases=PHASES[:-1],
    ),
    Checklist(
        "data-loss",
        "Data loss",
        (
            "Stop the writes",
            "Snapshot what remains",
            "Identify the affected records",
            "Plan the restore",
        ),
        phases=PHASES[:-1],
    ),
)


SEEN_LIST = "*seen"
"""The list name under which the app records what it saw happen (seen.record_seen): no
config list is named so."""
DECLARED = "declared"
SEVERITY_SET = "severity set"
COMMANDER_ASSIGNED = "commander assigned"
FIRST_UPDATE = "first update posted"
FACTS: tuple[str, ...] = (DECLARED, SEVERITY_SET, COMMANDER_ASSIGNED, FIRST_UPDATE)
"""What the operations record, once per incident, as they make it true."""
SEEN_ENTRY = "✓ Checklist, seen: "
"""How the timeline entry that logs seen facts begins (a drill leaves these out: its own
operations log them again)."""

SEEN: dict[str, tuple[str | None, Callable[[IncidentDetail], bool]]] = {
    "declare": (DECLARED, lambda detail: True),
    "set severity": (SEVERITY_SET, lambda detail: detail.severity in SEVERITIES),
    "acknowledge": (None, lambda detail: detail.milestones.get("acknowledged_at") is not None),
    "assign roles": (COMMANDER_ASSIGNED, lambda detail: bool(detail.roles.get("commander"))),
    "assign a commander": (COMMANDER_ASSIGNED, lambda detail: bool(detail.roles.get("commander"))),
    "first update posted": (FIRST_UPDATE, lambda detail: bool(detail.updates)),
    "post the first update": (FIRST_UPDATE, lambda detail: bool(detail.updates)),
}
"""Items the app can tick itself, by their words (any case): the fact it records when it
sees it happen, and how to tell from the incident's state (incidents older than the
record, and the acknowledge milestone, which a phase change or a hand may set)."""


def saw(item: str, detail: IncidentDetail) -> bool:
    """Whether the app saw `item` happen: recorded, or evident from the incident."""
    fact, evident = SEEN.get(item.lower(), (None, lambda _detail: False))
    return (fact is not None and fact in detail.seen) or evident(detail)


def seen_done(checklist: Checklist, detail: IncidentDetail) -> list[str]:
    """The items of `checklist` the app saw happen (declared, severity set, commander
    assigned, acknowledged, first update posted) and nobody ticked by hand: facts, so
    they show as done without anyone ticking them, and cannot be unticked."""
    ticked = {t.item for t in detail.ticks if t.checklist == checklist.name}
    return [item for item in checklist.items if item not in ticked and saw(item, detail)]


def _applies(checklist: Checklist, severity: int, phase: str) -> bool:
    return severity in checklist.severities and phase in checklist.phases


def current_checklist(
    checklists: tuple[Checklist, ...],
    severity: int,
    phase: str,
    types: Mapping[str, IncidentType] = DEFAULT_TYPES,
) -> Checklist | None:
    """The checklist for this severity and phase (the first that applies of those no
    incident type names), if any."""
    typed = checklists_of_types(types)
    for checklist in checklists:
        if checklist.name not in typed and _applies(checklist, severity, phase):
            return checklist
    return None


def type_checklists(
    checklists: tuple[Checklist, ...],
    types: Mapping[str, IncidentType],
    incident_type: str | None,
    severity: int,
    phase: str,
) -> tuple[Checklist, ...]:
    """The checklists the incident's type brings that apply to this severity and phase,
    in the order the type names them."""
    kind = type_named(types, incident_type)
    if kind is None:
        return ()
    by_name = {c.name: c for c in checklists}
    found = (by_name.get(name) for name in kind.checklists)
    return tuple(c for c in found if c is not None and _applies(c, severity, phase))


def incident_checklists(
    checklists: tuple[Checklist, ...],
    types: Mapping[str, IncidentType],
    detail: IncidentDetail,
) -> tuple[Checklist, ...]:
    """What the war room shows: the phase's checklist, then the type's."""
    current = current_checklist(checklists, detail.severity, detail.phase, types)
    return (
        *((current,) if current else ()),
        *type_checklists(checklists, types, detail.incident_type, detail.severity, detail.phase),
    )


def checklists_from_mapping(data: object) -> tuple[Checklist, ...]:
    """`[checklists.NAME]` tables: title, items, and optionally phases and severities."""
    if data is None:
        return DEFAULT_CHECKLISTS
    if not isinstance(data, dict):
        raise ConfigError("checklists: expected tables such as [checklists.first-five-minutes]")
    result = []
    for name, table in data.items():
        where = f"checklists.{name}"
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: expected a table")
        items = table.get("items")
        if (
            not isinstance(items, list)
            or not items
            or not all(isinstance(i, str) and one_line(i) for i in items)
        ):
            raise ConfigError(f"{where}.items: expected a list of non-empty strings")
        phases = table.get("phases", list(PHASES))
        if not isinstance(phases, list) or any(p not in PHASES for p in phases):
            raise ConfigError(f"{where}.phases: expected phases among {', '.join(PHASES)}")
        severities = table.get("severities", list(SEVERITIES))
        if not isinstance(severities, list) or any(s not in SEVERITIES for s in severities):
            raise ConfigError(f"{where}.severities: expected numbers from 1 to 4")
        title = table.get("title", name)
        if not isinstance(title, str) or not one_line(title):
            raise ConfigError(f"{where}.title: expected a non-empty string")
        result.append(
            Checklist(
                name=one_line(name, 60),
                title=one_line(title, 60),
                items=tuple(one_line(i, 120) for i in items),
                phases=tuple(phases),
                severities=tuple(severities),
            )
        )
    return tuple(result)
