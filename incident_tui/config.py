"""Where the config lives (platformdirs) and the user's TOML config: name, time zone, policy."""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from incident_tui.domain.checklists import DEFAULT_CHECKLISTS, Checklist, checklists_from_mapping
from incident_tui.domain.errors import ConfigError
from incident_tui.domain.hooks import Hook, hooks_from_config
from incident_tui.domain.incident_types import IncidentType
from incident_tui.domain.policy import DEFAULT_POLICY, Policy, policy_from_mapping
from incident_tui.domain.text import one_line
from incident_tui.store.locations import APP_NAME

if TYPE_CHECKING:
    from incident_tui.domain.alert_routes import AlertRoute

# The alert routes' reader (and the alert payloads it brings), TOML and time zones are
# imported where they are used: every CLI command loads this module, most read no file.

CONFIG_ENV = "INCIDENT_TUI_CONFIG"


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def default_config_path() -> Path:
    return config_dir() / "config.toml"


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry and no LOGNAME: a container, a service
        return "unknown"


@dataclass(frozen=True)
class Config:
    user_name: str = field(default_factory=os_user)
    display_tz: tzinfo = UTC
    policy: Policy = DEFAULT_POLICY
    path: Path | None = None
    checklists: tuple[Checklist, ...] = DEFAULT_CHECKLISTS
    alert_routes: tuple[AlertRoute, ...] = ()
    keymap: dict[str, str] = field(default_factory=dict)
    """`[keymap]`: binding id → keys (checked against the bindings when the TUI starts)."""
    theme: str | None = None
    """`display.theme`: the TUI's theme (checked against Textual's themes when it starts)."""
    hooks: tuple[Hook, ...] = ()

    @property
    def types(self) -> Mapping[str, IncidentType]:
        """`[types.NAME]`: the incident types people may give (`declare --type`, `/type`).
        The policy carries them (their cadences set deadlines): one place to read them."""
        return self.policy.types


def load_config(path: Path | str | None = None) -> Config:
    """The config at `path` (else $INCIDENT_TUI_CONFIG, else the user config dir).

    A missing default file means defaults; a missing file named explicitly, or a
    malformed one, is a ConfigError naming the file and the line.
    """
    explicit = path is not None or bool(os.environ.get(CONFIG_ENV))
    target = Path(path or os.environ.get(CONFIG_ENV) or default_config_path()).expanduser()
    if not target.exists():
        if explicit:
            raise ConfigError(f"config file {target} does not exist")
        return Config()
    import tomllib

    try:
        data = tomllib.loads(target.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"config file {target}: {error}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"config file {target} cannot be read: {error}") from None
    try:
        return config_from_mapping(data, path=target)
    except ConfigError as error:
        raise ConfigError(f"config file {target}: {error}") from None


# Every key a config file may hold; a table is a dict, a setting None, "*" any name.
# The values are checked by their own readers (policy, checklists, parse_timezone),
# which name the key in each message; this table only makes a typo an error.
_SEVERITY_TABLE: dict = {
    "acknowledge": None,
    "resolve": None,
    "escalate": None,
    "updates": {"internal": None, "external": None, "executive": None},
}
CONFIG_KEYS: dict = {
    "user": {"name": None},
    "display": {"timezone": None, "theme": None},
    "keymap": {"*": None},  # binding id → keys: checked by widgets/keymap.py
    "severity": {"*": _SEVERITY_TABLE},
    "postmortem": {"due": None},
    "checklists": {"*": {"title": None, "items": None, "phases": None, "severities": None}},
    "alerts": {"route": None},  # [[alerts.route]]: checked by routes_from_config
    "hooks": {"run": None},  # [[hooks.run]]: checked by hooks_from_config
    "types": {
        "*": {
            "title": None,
            "roles": None,
            "checklists": None,
            "updates": {"internal": None, "external": None, "executive": None},
        }
    },
}


def _check_keys(data: dict, known: dict, where: str = "") -> None:
    """A ConfigError for the first key `known` does not have, naming the nearest one."""
    import difflib

    for key, value in data.items():
        path = f"{where}{key}"
        if key in known or "*" in known:
            inner = known.get(key, known.get("*"))
            if isinstance(inner, dict):
                if not isinstance(value, dict):
                    raise ConfigError(f"{path}: expected a table ([{path}]), not {value!r}")
                _check_keys(value, inner, f"{path}.")
            continue
        names = sorted(known)
        nearest = difflib.get_close_matches(str(key), names, n=1, cutoff=0.5)
        hint = (
            f"did you mean {where}{nearest[0]}?"
            if nearest
            else "known: " + ", ".join(f"{where}{n}" for n in names)
        )
        raise ConfigError(f"unknown setting {path}; {hint}")


def config_from_mapping(data: dict, path: Path | None = None) -> Config:
    _check_keys(data, CONFIG_KEYS)
    user = data.get("user", {})
    name = user.get("name") if isinstance(user, dict) else None
    if name is not None and (not isinstance(name, str) or not one_line(name)):
        raise ConfigError("user.name: expected a non-empty string")
    display = data.get("display", {})
    tz_name = display.get("timezone", "UTC") if isinstance(display, dict) else "UTC"
    theme = display.get("theme") if isinstance(display, dict) else None
    if theme is not None and (not isinstance(theme, str) or not theme.strip()):
        raise ConfigError('display.theme: expected a theme name such as "nord"')
    checklists = checklists_from_mapping(data.get("checklists"))
    return Config(
        user_name=one_line(name) if name else os_user(),
        display_tz=parse_timezone(tz_name),
        policy=policy_from_mapping(data, checklists=[c.name for c in checklists]),
        path=path,
        checklists=checklists,
        theme=theme.strip() if theme else None,
        keymap=_keymap(data.get("keymap", {})),
        alert_routes=_alert_routes(data.get("alerts", {}).get("route")),
        hooks=hooks_from_config(data.get("hooks", {}).get("run")),
    )


def _keymap(table: object) -> dict[str, str]:
    if not isinstance(table, dict):
        raise ConfigError('keymap: expected a table ([keymap] with lines like pin = "f6")')
    for id, keys in table.items():
        if not isinstance(keys, str) or not keys.strip():
            raise ConfigError(f'keymap.{id}: expected keys such as "f6" or "ctrl+e,f6"')
    return {str(id): keys.strip() for id, keys in table.items()}


def _alert_routes(routes: object) -> tuple[AlertRoute, ...]:
    """`[[alerts.route]]`; without it, none (and the alert payload readers stay unloaded)."""
    if routes is None:
        return ()
    from incident_tui.domain.alert_routes import routes_from_config

    return routes_from_config(routes)


def parse_timezone(name: str) -> tzinfo:
    if not isinstance(name, str):
        raise ConfigError('display.timezone: expected a string such as "UTC" or "local"')
    if name.upper() == "UTC":
        return UTC
    if name.lower() == "local":
        from datetime import datetime

        return datetime.now().astimezone().tzinfo or UTC
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"display.timezone: unknown time zone {name!r}") from None
