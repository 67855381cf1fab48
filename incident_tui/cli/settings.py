"""`config`: where the config file is, and every setting in effect with where it came
from (a flag, the environment, the file, or the default)."""

from __future__ import annotations

import argparse
import os
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from incident_tui.cli.command import arg, command, print_json

if TYPE_CHECKING:
    from incident_tui.domain.incident_types import IncidentType

DEFAULT = "default"
FILE = "file"


def compact(delta: timedelta | None) -> str:
    """A duration as the config file writes it (`15m`, `1h30m`, `14d`), `off` for none."""
    if delta is None:
        return "off"
    total = int(delta.total_seconds())
    text = ""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        amount, total = divmod(total, size)
        if amount:
            text += f"{amount}{unit}"
    return text or "0s"


def type_summary(kind: IncidentType) -> str:
    """`Security; roles: security_lead, legal; checklists: security; updates: internal 15m`."""
    parts = [kind.title]
    if kind.roles:
        parts.append("roles: " + ", ".join(kind.roles))
    if kind.checklists:
        parts.append("checklists: " + ", ".join(kind.checklists))
    if kind.updates:
        parts.append(
            "updates: " + ", ".join(f"{a} {compact(every)}" for a, every in kind.updates.items())
        )
    return "; ".join(parts)


def _file_keys(data: dict[str, Any], where: str = "") -> set[str]:
    """Every dotted key a config file sets, tables included (`severity.1.updates`)."""
    keys: set[str] = set()
    for key, value in data.items():
        path = f"{where}{key}"
        keys.add(path)
        if isinstance(value, dict):
            keys |= _file_keys(value, f"{path}.")
    return keys


def _config_file(args: argparse.Namespace) -> tuple[Path, str]:
    from incident_tui.config import CONFIG_ENV, default_config_path

    if getattr(args, "config", None):
        return Path(args.config).expanduser(), "--config"
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV]).expanduser(), f"${CONFIG_ENV}"
    return default_config_path(), DEFAULT


def _database(args: argparse.Namespace) -> tuple[str, str]:
    from sqlalchemy.engine import make_url

    from incident_tui.store.locations import DB_ENV, resolve_target, sqlite_path

    given = getattr(args, "db", None)
    source = "--db" if given else f"${DB_ENV}" if os.environ.get(DB_ENV) else DEFAULT
    url = resolve_target(given)
    path = sqlite_path(url)
    shown = str(path) if path else make_url(url).render_as_string(hide_password=True)
    return shown, source


def settings(args: argparse.Namespace) -> dict[str, Any]:
    """The config file and each setting in effect: {key, value, source}."""
    import tomllib

    from incident_tui.config import load_config
    from incident_tui.domain.text import one_line
    from incident_tui.domain.vocabulary import AUDIENCES

    path, path_source = _config_file(args)
    config = load_config(getattr(args, "config", None))  # a bad file: its one-line error
    data = tomllib.loads(path.read_text(encoding="utf-8")) if config.path else {}
    set_in_file = _file_keys(data)
    rows: list[dict[str, str]] = []

    def row(key: str, value: str, source: str | None = None) -> None:
        shown = one_line(value, 200)  # the file's text is data, never terminal control
        rows.append({"key": key, "value": shown, "source": source or _source(key, set_in_file)})

    database, database_source = _database(args)
    row("database", database, database_source)
    user = getattr(args, "user", None)
    row("user.name", user or config.user_name, "--as" if user else None)
    row("display.timezone", str(config.display_tz))
    row("display.theme", config.theme or "the theme picked last, else textual-dark")
    for severity, policy in sorted(config.policy.severities.items()):
        for name in ("acknowledge", "resolve", "escalate"):
            row(f"severity.{severity}.{name}", compact(getattr(policy, name)))
        for audience in AUDIENCES:
            key = f"severity.{severity}.updates.{audience}"
            row(key, compact(policy.updates.get(audience)))
    row("postmortem.due", compact(config.policy.postmortem_due))
    for checklist in config.checklists:
        items = len(checklist.items)
        row(f"checklists.{checklist.name}", f"{checklist.title} ({items} items)")
    for name, kind in config.types.items():
        row(f"types.{name}", type_summary(kind))
    if not config.types:
        row("types", "none (the [types] table is empty)")
    routes = len(config.alert_routes)
    row("alerts.route", f"{routes} rule{'' if routes == 1 else 's'}")
    frozen = os.environ.get("INCIDENT_TUI_NOW")
    if frozen:
        row("clock", f"frozen at {frozen}", "$INCIDENT_TUI_NOW")
    return {
        "config_file": {"path": str(path), "exists": path.exists(), "source": path_source},
        "settings": rows,
    }


def _source(key: str, set_in_file: set[str]) -> str:
    return FILE if key in set_in_file else DEFAULT


@command(
    "config",
    "show the config file's path and every setting in effect, with where it came from",
    arg("--json", action="store_true", help="the same as JSON"),
    context=False,
)
def config_(args: argparse.Namespace) -> int:
    shown = settings(args)
    if args.json:
        print_json(shown)
        return 0
    where = shown["config_file"]
    state = "" if where["exists"] else " (not there: every setting is its default)"
    print(f"config file: {where['path']}{state}  [{where['source']}]")
    width = max(len(row["key"]) for row in shown["settings"])
    value_width = max(len(row["value"]) for row in shown["settings"])
    for row in shown["settings"]:
        print(f"{row['key']:<{width}}  {row['value']:<{value_width}}  {row['source']}")
    return 0
