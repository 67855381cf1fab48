"""Where the database is: a URL from `--db`, $INCIDENT_TUI_DB or the default file in the
data folder, and the file behind a SQLite URL."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "incident-tui"
DB_ENV = "INCIDENT_TUI_DB"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_db_path() -> Path:
    return data_dir() / "incidents.db"


def resolve_target(target: str | os.PathLike | None = None) -> str:
    """A database URL from `--db` (a path or a URL), else $INCIDENT_TUI_DB, else the default."""
    raw = str(target) if target else os.environ.get(DB_ENV) or str(default_db_path())
    if "://" in raw:
        return raw
    return "sqlite:///" + str(Path(raw).expanduser().resolve())


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for another database (or an in-memory one)."""
    if not url.startswith("sqlite"):
        return None
    path = url.split(":///", 1)[1] if ":///" in url else ""
    path = path.split("?", 1)[0]
    return Path(path) if path and path != ":memory:" else None
