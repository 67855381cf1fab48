"""The incident's vocabulary: phases, kinds, roles, audiences, severities, priorities,
and reading each from what people type.

Pure data: no Textual, no database.
"""

from __future__ import annotations

import re
from datetime import timedelta

from incident_tui.domain.errors import IncidentError

PHASES: tuple[str, ...] = (
    "triage",
    "investigating",
    "identified",
    "mitigating",
    "monitoring",
    "resolved",
    "closed",
)


OPEN_PHASES = PHASES[:5]
"""Phases in which the incident is still being worked (before resolution)."""


ENTRY_KINDS: tuple[str, ...] = (
    "note",
    "alert",
    "finding",
    "decision",
    "action",
    "comm",
    "status",
    "role",
)


SYSTEM_KINDS = frozenset({"comm", "status", "role"})
"""Kinds written only by the system, as the record of an operation."""


EXPORT_FORMATS: tuple[str, ...] = ("markdown", "json")
"""What `export --format` writes: the postmortem draft as Markdown, or as JSON."""

AUDIENCES: tuple[str, ...] = ("internal", "external", "executive")


CORE_ROLES: tuple[str, ...] = ("commander", "tech_lead", "comms", "scribe")


PRIORITIES: tuple[str, ...] = ("P0", "P1", "P2")


ACTION_TYPES: tuple[str, ...] = ("prevent", "detect", "mitigate")


ACTION_STATUSES: tuple[str, ...] = ("open", "in-progress", "done")


MILESTONES: tuple[str, ...] = (
    "started_at",
    "detected_at",
    "acknowledged_at",
    "mitigated_at",
    "resolved_at",
    "closed_at",
)


SEVERITIES: tuple[int, ...] = (1, 2, 3, 4)


RECONSTRUCTED_AFTER = timedelta(minutes=10)
"""An entry recorded this long after it happened was reconstructed, not seen live."""


_ROLE_ALIASES = {
    "ic": "commander",
    "incident_commander": "commander",
    "tl": "tech_lead",
    "techlead": "tech_lead",
    "tech": "tech_lead",
    "communications": "comms",
    "comm": "comms",
}


_AUDIENCE_ALIASES = {
    "int": "internal",
    "ext": "external",
    "status-page": "external",
    "statuspage": "external",
    "public": "external",
    "exec": "executive",
    "execs": "executive",
    "executives": "executive",
}


_ROLE_RE = re.compile(r"^[a-z0-9][a-z0-9_:.\-]{0,39}$")


_KEY_RE = re.compile(r"^(?:inc-?)?(\d{1,9})$", re.IGNORECASE)


_SEV_RE = re.compile(r"^(?:sev-?)?([0-9]+)$", re.IGNORECASE)


def incident_key(number: int) -> str:
    return f"INC-{number}"


def parse_key(key: str | int) -> int:
    """The incident number in `INC-12` (or `inc-12`, `12`); a number is taken as is."""
    if isinstance(key, int):
        return key
    match = _KEY_RE.match(key.strip())
    if not match:
        raise IncidentError(f"{key.strip()!r} is not an incident key (expected INC-<n>)")
    return int(match.group(1))


def parse_severity(value: str | int) -> int:
    match = _SEV_RE.match(str(value).strip())
    if not match or int(match.group(1)) not in SEVERITIES:
        raise IncidentError(f"severity must be 1, 2, 3 or 4 (SEV1 is the worst), not {value!r}")
    return int(match.group(1))


def parse_phase(value: str) -> str:
    name = value.strip().lower()
    if name in PHASES:
        return name
    matches = [p for p in PHASES if p.startswith(name)] if name else []
    if len(matches) == 1:
        return matches[0]
    raise IncidentError(f"unknown phase {value.strip()!r}; phases: {', '.join(PHASES)}")


def parse_kind(value: str, *, allow_system: bool = False) -> str:
    name = value.strip().lower()
    if name not in ENTRY_KINDS:
        raise IncidentError(f"unknown kind {value.strip()!r}; kinds: {', '.join(ENTRY_KINDS)}")
    if name in SYSTEM_KINDS and not allow_system:
        raise IncidentError(f"kind {name!r} is written by the system, not by hand")
    return name


def parse_audience(value: str) -> str:
    name = value.strip().lower()
    name = _AUDIENCE_ALIASES.get(name, name)
    if name not in AUDIENCES:
        raise IncidentError(
            f"unknown audience {value.strip()!r}; audiences: {', '.join(AUDIENCES)}"
        )
    return name


def parse_role(value: str) -> str:
    name = value.strip().lower().replace("-", "_") if ":" not in value else value.strip().lower()
    name = _ROLE_ALIASES.get(name, name)
    if not _ROLE_RE.match(name):
        raise IncidentError(
            f"{value.strip()!r} is not a role name (letters, digits, _ : . -; e.g. sme:database)"
        )
    return name


def parse_priority(value: str) -> str:
    name = value.strip().upper()
    if name not in PRIORITIES:
        raise IncidentError(f"priority must be P0, P1 or P2, not {value.strip()!r}")
    return name


def parse_action_type(value: str) -> str:
    name = value.strip().lower()
    if name not in ACTION_TYPES:
        raise IncidentError(f"type must be prevent, detect or mitigate, not {value.strip()!r}")
    return name


def parse_action_status(value: str) -> str:
    name = value.strip().lower().replace("_", "-").replace(" ", "-")
    if name == "inprogress":
        name = "in-progress"
    if name not in ACTION_STATUSES:
        raise IncidentError(f"status must be open, in-progress or done, not {value.strip()!r}")
    return name


def is_open_phase(phase: str) -> bool:
    return phase in OPEN_PHASES


SEARCH_KINDS: tuple[str, ...] = ("incident", "entry", "update", "postmortem", "why", "action")
"""What a search hit is: the index's kind codes 0-5, in this order."""
