"""Hooks (`[[hooks.run]]` in the config): a command to run for each event that passes its
filters (event names, audience, incident, drills), with the event's JSON on stdin and a
time limit. Which events a hook wants is decided here; running it is `cli/hook_runner.py`.

Pure: no database, no Textual.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from incident_tui.domain.errors import ConfigError, IncidentError
from incident_tui.domain.events import EVENT_TYPES, HOOK_AUTHOR
from incident_tui.domain.text import one_line
from incident_tui.domain.timeparse import parse_duration
from incident_tui.domain.vocabulary import AUDIENCES, incident_key, parse_audience, parse_key

HOOK_KEYS = ("name", "command", "events", "audience", "incident", "drills", "timeout")

DEFAULT_TIMEOUT_S = 10.0
MAX_TIMEOUT_S = 3600.0


@dataclass(frozen=True)
class Hook:
    name: str
    command: tuple[str, ...]
    """Run as given (no shell: `["sh", "-c", "…"]` for one)."""
    events: frozenset[str] | None = None
    """The event names it runs for; None: every event."""
    audience: str | None = None
    """Only events with this audience (updates posted to it)."""
    incident: str | None = None
    """Only this incident's events (`INC-3`)."""
    drills: bool = False
    """Drills' events too (default: never, so a drill posts nothing to a real channel)."""
    timeout_s: float = DEFAULT_TIMEOUT_S

    def wants(self, event: Mapping[str, Any]) -> bool:
        if event.get("by") == HOOK_AUTHOR:
            return False  # a hook's own failure report never runs hooks
        if self.events is not None and event["event"] not in self.events:
            return False
        if event.get("drill") and not self.drills:
            return False
        if self.incident is not None and event.get("incident") != self.incident:
            return False
        if self.audience is not None:
            return audience_of(event) == self.audience
        return True


def audience_of(event: Mapping[str, Any]) -> str | None:
    update = event.get("update")
    return update.get("audience") if isinstance(update, Mapping) else None


def hooks_from_config(data: object) -> tuple[Hook, ...]:
    """`[[hooks.run]]`: a list of tables; `command` required, the rest optional."""
    if data is None:
        return ()
    if not isinstance(data, list):
        raise ConfigError("hooks.run: expected [[hooks.run]] tables")
    return tuple(_hook(table, f"hooks.run[{i}]") for i, table in enumerate(data))


def _hook(table: object, where: str) -> Hook:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a table")
    for key in table:
        if key not in HOOK_KEYS:
            nearest = difflib.get_close_matches(str(key), HOOK_KEYS, n=1, cutoff=0.5)
            hint = (
                f"did you mean {where}.{nearest[0]}?"
                if nearest
                else "known: " + ", ".join(HOOK_KEYS)
            )
            raise ConfigError(f"unknown setting {where}.{key}; {hint}")
    command = table.get("command")
    if (
        not isinstance(command, list)
        or not command
        or not all(isinstance(part, str) and part for part in command)
    ):
        raise ConfigError(
            f'{where}.command: expected a list of strings, e.g. ["sh", "-c", "curl …"]'
        )
    name = table.get("name", command[0].rsplit("/", 1)[-1])
    if not isinstance(name, str) or not one_line(name):
        raise ConfigError(f"{where}.name: expected a non-empty string")
    return Hook(
        name=one_line(name, 80),
        command=tuple(command),
        events=_events(table.get("events"), f"{where}.events"),
        audience=_audience(table.get("audience"), f"{where}.audience"),
        incident=_incident(table.get("incident"), f"{where}.incident"),
        drills=_flag(table.get("drills", False), f"{where}.drills"),
        timeout_s=_timeout(table.get("timeout", DEFAULT_TIMEOUT_S), f"{where}.timeout"),
    )


def _events(value: object, where: str) -> frozenset[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ConfigError(f'{where}: expected a list of event names, e.g. ["update.posted"]')
    for name in value:
        if name not in EVENT_TYPES:
            nearest = difflib.get_close_matches(name, EVENT_TYPES, n=1, cutoff=0.5)
            hint = f"; did you mean {nearest[0]}?" if nearest else ""
            raise ConfigError(f"{where}: unknown event {name!r}{hint}")
    return frozenset(value)


def _audience(value: object, where: str) -> str | None:
    if value is None:
        return None
    try:
        return parse_audience(value) if isinstance(value, str) else parse_audience("")
    except IncidentError:
        raise ConfigError(f"{where}: expected one of {', '.join(AUDIENCES)}") from None


def _incident(value: object, where: str) -> str | None:
    if value is None:
        return None
    try:
        return incident_key(parse_key(value if isinstance(value, str | int) else ""))
    except IncidentError:
        raise ConfigError(f'{where}: expected an incident key such as "INC-3"') from None


def _flag(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: expected true or false")
    return value


def _timeout(value: object, where: str) -> float:
    """Seconds (a number), or a duration (`"30s"`, `"2m"`); at most an hour."""
    seconds: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str):
        try:
            seconds = parse_duration(value).total_seconds()
        except IncidentError:
            seconds = None
    if seconds is None or not 0 < seconds <= MAX_TIMEOUT_S:
        raise ConfigError(f'{where}: expected seconds (10) or a duration ("30s"), up to 1h')
    return seconds
