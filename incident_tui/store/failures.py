"""What the database's failures mean to a user: one line each, naming where (never a
password), telling apart busy, damaged, read-only, full, missing and unreachable."""

from __future__ import annotations

import re

from incident_tui.domain.errors import StorageError
from incident_tui.store import models  # noqa: F401  (registers the tables)


def server_where(url: str) -> str:
    """`user@host:port/database` of a server URL, for messages: never the password, the
    driver or the options."""
    try:
        from sqlalchemy.engine import make_url

        parts = make_url(url)
    except Exception:  # noqa: BLE001 — a URL SQLAlchemy cannot read: mask it by hand
        return re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", url.split("?", 1)[0])
    user = f"{parts.username}@" if parts.username else ""
    return f"{user}{parts.host or 'localhost'}:{parts.port or 5432}/{parts.database or ''}"


def redacted(message: str, url: str | None) -> str:
    """`message` without the password of `url` (a driver may quote its DSN)."""
    if not url or "://" not in url:
        return message
    try:
        from sqlalchemy.engine import make_url

        password = make_url(url).password
    except Exception:  # noqa: BLE001
        match = re.search(r"://[^:/@]*:([^@]*)@", url)
        password = match.group(1) if match else None
    if password:
        message = message.replace(str(password), "***")
    return message


def damaged(where: str, message: str) -> StorageError:
    """The one message for SQLite's corruption error, wherever an operation meets it."""
    return StorageError(
        f"{where} is damaged ({message}): run `incident-tui check --db {where}` and restore "
        "the backup it names"
    )


def friendly_error(error: BaseException, where: str, url: str | None = None) -> StorageError:
    message = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
    message = redacted(message, url)
    lowered = message.lower()
    if "readonly" in lowered or "read-only" in lowered:
        return StorageError(f"cannot write to {where}: the database is read-only")
    if "disk is full" in lowered or "disk i/o" in lowered:
        return StorageError(f"cannot write to {where}: the disk is full or failing ({message})")
    if "not a database" in lowered:
        return StorageError(f"{where} is not a SQLite database")
    if "malformed" in lowered or "corrupt" in lowered:
        return damaged(where, message)
    if "locked" in lowered or "busy" in lowered:
        return StorageError(f"{where} is busy: another writer holds it; try again")
    # PostgreSQL: a missing database, a refused login and an unreachable server each
    # need a different fix, so each gets its own words.
    if (
        "password authentication failed" in lowered
        or "pg_hba.conf" in lowered
        or ("role" in lowered and "does not exist" in lowered)
    ):
        return StorageError(f"authentication failed for {where}: check the user and password")
    if "database" in lowered and "does not exist" in lowered:
        return StorageError(f"database does not exist: {where} (create it, or fix the name)")
    if any(
        sign in lowered
        for sign in (
            "connection refused",
            "connection failed",
            "server closed",
            "terminating",
            "timeout expired",
            "failed to resolve host",
            "could not translate host",
            "name or service not known",
        )
    ) or ("connection" in lowered and ("lost" in lowered or "closed" in lowered)):
        return StorageError(f"cannot reach {where} ({message})")
    if "unable to open" in lowered:
        return StorageError(f"cannot open {where}: check the path and its permissions")
    return StorageError(f"database error on {where}: {message}")


def is_busy(error: BaseException) -> bool:
    message = str(getattr(error, "orig", error)).lower()
    return "locked" in message or "busy" in message
