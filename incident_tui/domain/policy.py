"""The severity policy (SLAs, targets, update cadences) and the deadlines it sets.

Pure: computed from an incident's facts and `now`; no Textual, no database.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from incident_tui.domain.errors import ConfigError, IncidentError
from incident_tui.domain.incident_types import DEFAULT_TYPES, IncidentType
from incident_tui.domain.instants import length_of_time
from incident_tui.domain.records import Deadline, IncidentFacts, SeverityChange, TypeChange
from incident_tui.domain.text import one_line
from incident_tui.domain.timeparse import parse_duration
from incident_tui.domain.vocabulary import AUDIENCES, SEVERITIES, is_open_phase, parse_role


@dataclass(frozen=True)
class SeverityPolicy:
    acknowledge: timedelta | None
    resolve: timedelta | None
    escalate: timedelta | None
    """Loop in management when still unresolved this long after detection."""
    updates: dict[str, timedelta | None] = field(default_factory=dict)
    """Audience → update cadence; None when that audience is not owed updates."""


_M = timedelta(minutes=1)
_H = timedelta(hours=1)
_D = timedelta(days=1)

DEFAULT_SEVERITIES: dict[int, SeverityPolicy] = {
    1: SeverityPolicy(
        acknowledge=15 * _M,
        resolve=1 * _H,
        escalate=30 * _M,
        updates={"internal": 15 * _M, "external": 30 * _M, "executive": 30 * _M},
    ),
    2: SeverityPolicy(
        acknowledge=30 * _M,
        resolve=4 * _H,
        escalate=None,
        updates={"internal": 30 * _M, "external": 60 * _M, "executive": 60 * _M},
    ),
    3: SeverityPolicy(
        acknowledge=4 * _H,
        resolve=24 * _H,
        escalate=None,
        updates={"internal": 1 * _D, "external": None, "executive": None},
    ),
    4: SeverityPolicy(
        acknowledge=1 * _D,  # "next business day", read as one day
        resolve=14 * _D,  # "next sprint", read as two weeks
        escalate=None,
        updates={"internal": None, "external": None, "executive": None},
    ),
}


@dataclass(frozen=True)
class Policy:
    severities: dict[int, SeverityPolicy] = field(default_factory=lambda: dict(DEFAULT_SEVERITIES))
    postmortem_due: timedelta = 48 * _H
    types: Mapping[str, IncidentType] = field(default_factory=lambda: dict(DEFAULT_TYPES))
    """`[types.NAME]`: the incident types, whose update cadences go over the severity's."""

    def for_severity(self, severity: int) -> SeverityPolicy:
        return self.severities[severity]

    def cadence(
        self, severity: int, audience: str, incident_type: str | None = None
    ) -> timedelta | None:
        """How often `audience` is owed an update: the type's cadence where it sets one
        (None there: not owed), else the severity's."""
        kind = self.types.get(incident_type) if incident_type else None
        if kind is not None and audience in kind.updates:
            return kind.updates[audience]
        return self.severities[severity].updates.get(audience)


DEFAULT_POLICY = Policy()

_OFF = {"none", "off", "never", "-", ""}


def _duration(value: Any, where: str) -> timedelta | None:
    if value is False or (isinstance(value, str) and value.strip().lower() in _OFF):
        return None
    if isinstance(value, bool):
        raise ConfigError(f'{where}: expected a duration such as "15m" or false')
    if isinstance(value, int | float) and not value > 0:  # NaN too
        raise ConfigError(f"{where}: a duration in minutes must be positive")
    try:
        if isinstance(value, int | float):
            return length_of_time(timedelta(minutes=value), what=repr(value))
        if isinstance(value, str):
            return length_of_time(parse_duration(value), what=repr(value))
    except OverflowError:  # 99999999999999999999 minutes
        raise ConfigError(f"{where}: {value!r} is longer than ten years") from None
    except IncidentError as error:
        raise ConfigError(f"{where}: {error}") from None
    raise ConfigError(f'{where}: expected a duration such as "15m", not {value!r}')


def policy_from_mapping(
    data: Mapping[str, Any],
    base: Policy = DEFAULT_POLICY,
    *,
    checklists: Collection[str] | None = None,
) -> Policy:
    """`base` with the overrides of a config file's `[severity.N]` and `[postmortem]`
    tables, and its `[types]` (which replace the base's types) checked against the names
    of the `checklists` there are (None: not checked)."""
    severities = dict(base.severities)
    raw_sev = data.get("severity", {})
    if not isinstance(raw_sev, Mapping):
        raise ConfigError("severity: expected tables [severity.1] … [severity.4]")
    known = {"acknowledge", "resolve", "escalate", "updates"}
    for key, table in raw_sev.items():
        if not str(key).isdigit() or int(key) not in SEVERITIES:
            raise ConfigError(f"severity.{key}: severities are 1, 2, 3 and 4")
        if not isinstance(table, Mapping):
            raise ConfigError(f"severity.{key}: expected a table")
        unknown = set(table) - known
        if unknown:
            raise ConfigError(
                f"severity.{key}: unknown setting {sorted(unknown)[0]!r}; "
                f"settings: {', '.join(sorted(known))}"
            )
        sev = int(key)
        current = severities[sev]
        changes: dict[str, Any] = {}
        for name in ("acknowledge", "resolve", "escalate"):
            if name in table:
                changes[name] = _duration(table[name], f"severity.{key}.{name}")
        if "updates" in table:
            updates = dict(current.updates)
            if not isinstance(table["updates"], Mapping):
                raise ConfigError(f"severity.{key}.updates: expected a table")
            for audience, value in table["updates"].items():
                if audience not in AUDIENCES:
                    raise ConfigError(
                        f"severity.{key}.updates.{audience}: audiences are " + ", ".join(AUDIENCES)
                    )
                updates[audience] = _duration(value, f"severity.{key}.updates.{audience}")
            changes["updates"] = updates
        severities[sev] = replace(current, **changes)
    postmortem_due = base.postmortem_due
    raw_pm = data.get("postmortem", {})
    if isinstance(raw_pm, Mapping) and "due" in raw_pm:
        postmortem_due = _duration(raw_pm["due"], "postmortem.due") or base.postmortem_due
    raw_types = data.get("types")
    if raw_types is None:
        types = dict(base.types)
        if checklists is not None:  # the defaults' own lists, where the config kept them
            types = {
                name: replace(kind, checklists=tuple(c for c in kind.checklists if c in checklists))
                for name, kind in types.items()
            }
    else:
        types = types_from_mapping(raw_types, checklists)
    return Policy(severities=severities, postmortem_due=postmortem_due, types=types)


_TYPE_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")


def types_from_mapping(
    data: object, checklists: Collection[str] | None = None
) -> dict[str, IncidentType]:
    """`[types.NAME]` tables: title, roles to fill, checklists (names of
    `[checklists.NAME]`) and `[types.NAME.updates]` cadences per audience."""
    if not isinstance(data, Mapping):
        raise ConfigError("types: expected tables such as [types.security]")
    result: dict[str, IncidentType] = {}
    for name, table in data.items():
        where = f"types.{name}"
        if not isinstance(name, str) or not _TYPE_NAME.fullmatch(name):
            raise ConfigError(
                f"{where}: a type's name is lower-case letters, digits, '.', '_' or '-'"
                " (up to 64), such as data-loss"
            )
        if not isinstance(table, Mapping):
            raise ConfigError(f"{where}: expected a table")
        title = table.get("title", name)
        if not isinstance(title, str) or not one_line(title):
            raise ConfigError(f"{where}.title: expected a non-empty string")
        roles = table.get("roles", [])
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise ConfigError(f'{where}.roles: expected a list of role names such as ["legal"]')
        try:
            role_names = tuple(dict.fromkeys(parse_role(r) for r in roles))
        except IncidentError as error:
            raise ConfigError(f"{where}.roles: {error}") from None
        lists = table.get("checklists", [])
        if not isinstance(lists, list) or not all(isinstance(c, str) for c in lists):
            raise ConfigError(f'{where}.checklists: expected a list of names such as ["security"]')
        for checklist in lists:
            if checklists is not None and checklist not in checklists:
                known = ", ".join(sorted(checklists)) or "none"
                raise ConfigError(
                    f"{where}.checklists: no checklist {checklist!r} ([checklists.{checklist}]);"
                    f" known: {known}"
                )
        updates = table.get("updates", {})
        if not isinstance(updates, Mapping):
            raise ConfigError(
                f'{where}.updates: expected a table ([{where}.updates] internal = "15m")'
            )
        cadences: dict[str, timedelta | None] = {}
        for audience, value in updates.items():
            if audience not in AUDIENCES:
                raise ConfigError(
                    f"{where}.updates.{audience}: audiences are " + ", ".join(AUDIENCES)
                )
            cadences[audience] = _duration(value, f"{where}.updates.{audience}")
        result[name] = IncidentType(
            name,
            one_line(title, 60),
            roles=role_names,
            checklists=tuple(dict.fromkeys(lists)),
            updates=cadences,
        )
    return result


AUDIENCE_TITLES = {
    "internal": "internal update",
    "external": "status page update",
    "executive": "executive update",
}


def update_due(facts: IncidentFacts, policy: Policy, audience: str) -> datetime | None:
    """When the next update to `audience` is owed, or None when none is.

    One cadence after the last update to that audience (or the declaration); a severity
    or type change since then brings it to the earlier of that and the change plus the
    new cadence (the cadence is the type's where it sets one, else the severity's).
    """
    base = facts.last_update.get(audience, facts.declared_at)
    later_severity = [c for c in facts.severity_changes if c.at > base]
    later_type = [c for c in facts.type_changes if c.at > base]
    severity = later_severity[0].old if later_severity else facts.severity
    kind = later_type[0].old if later_type else facts.incident_type
    cadence = policy.cadence(severity, audience, kind)
    due = base + cadence if cadence else None
    # Both kinds of change in the order they happened (a severity change first at a tie).
    changes: list[SeverityChange | TypeChange] = [*later_severity, *later_type]
    changes.sort(key=lambda c: (c.at, isinstance(c, TypeChange)))
    for change in changes:
        if isinstance(change, SeverityChange):
            severity = change.new
        else:
            kind = change.new
        at = change.at
        new_cadence = policy.cadence(severity, audience, kind)
        if new_cadence is None:
            due = None
        elif due is None:
            due = at + new_cadence
        else:
            due = min(due, at + new_cadence)
    return due


def deadlines(facts: IncidentFacts, policy: Policy = DEFAULT_POLICY) -> list[Deadline]:
    """Every open deadline of the incident, earliest first."""
    result: list[Deadline] = []
    sev = policy.for_severity(facts.severity)
    active = is_open_phase(facts.phase) and facts.resolved_at is None
    detected = facts.detected_at or facts.declared_at
    if active:
        for audience in AUDIENCES:
            due = update_due(facts, policy, audience)
            if due is not None:
                result.append(Deadline(f"update:{audience}", due, AUDIENCE_TITLES[audience]))
        if facts.acknowledged_at is None and sev.acknowledge is not None:
            result.append(Deadline("acknowledge", detected + sev.acknowledge, "acknowledge SLA"))
        if sev.resolve is not None:
            result.append(Deadline("resolve", facts.started_at + sev.resolve, "resolve target"))
        if sev.escalate is not None:
            result.append(
                Deadline("escalate", detected + sev.escalate, "escalate: loop in management")
            )
    if facts.resolved_at is not None and facts.closed_at is None and facts.phase != "closed":
        result.append(
            Deadline("postmortem", facts.resolved_at + policy.postmortem_due, "postmortem due")
        )
    if active:  # an ad-hoc timer belongs to working the incident, not to what follows
        for timer in facts.timers:
            result.append(Deadline(f"timer:{timer.label}", timer.due_at, f"timer: {timer.label}"))
    snoozed = [
        replace(d, due_at=facts.snoozed_until[d.name]) if _snoozed(facts, d) else d for d in result
    ]
    return sorted(snoozed, key=lambda d: (d.due_at, d.name))


def _snoozed(facts: IncidentFacts, deadline: Deadline) -> bool:
    """Whether a snooze still holds `deadline` back: it moved it later, and (for an
    update) no update to that audience was posted since, which restarts its cadence."""
    until = facts.snoozed_until.get(deadline.name)
    if until is None or until <= deadline.due_at:
        return False
    if deadline.name.startswith("update:"):
        posted = facts.last_update.get(deadline.name.split(":", 1)[1])
        snoozed_at = facts.snoozed_at.get(deadline.name)
        if posted is not None and (snoozed_at is None or posted >= snoozed_at):
            return False
    return True
