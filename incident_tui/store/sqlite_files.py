"""A SQLite database as files on disk, with the standard library alone: whether we may
write it, and how to open it for reading without leaving `-wal`/`-shm` files behind.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote


def companions(path: Path) -> tuple[Path, Path]:
    """The `-wal` and `-shm` files SQLite keeps beside a WAL database while it is open."""
    return path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")


def read_only_reason(path: Path) -> str | None:
    """Why the database at `path` (an existing file) cannot be written by us, or None.

    SQLite writes the file and creates `-wal`/`-shm` beside it, so the folder counts too.
    A read-only mount, an immutable file (chattr +i) and missing permissions all show in
    `os.access`, which asks the kernel what this very process may do."""
    folder = path.parent
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return "it is on a read-only file system"
    except OSError:
        pass
    if not os.access(path, os.W_OK):
        return "the file is not writable for you"
    wal, shm = companions(path)
    if not os.access(folder, os.W_OK | os.X_OK):
        if not (wal.exists() and shm.exists()):
            return "its folder is not writable for you"
        if not (os.access(wal, os.W_OK) and os.access(shm, os.W_OK)):
            return "its -wal/-shm files are not writable for you"
    return None


def _uri(path: Path, query: str) -> str:
    return f"file:{quote(str(path))}?{query}"


def live_read_uri(path: Path) -> str:
    """A read-only connection that still sees other writers' commits (mode=ro): it needs
    the `-shm` beside the file, or a folder it can be created in. Without either (a
    read-only share nobody has open), the file alone is the database: immutable."""
    wal, shm = companions(path)
    if shm.exists() or os.access(path.parent, os.W_OK | os.X_OK):
        return _uri(path, "mode=ro")
    return _uri(path, "immutable=1")


def snapshot_uri(path: Path) -> str:
    """A short read-only look that creates no file: with no `-wal` beside the database,
    no connection has it open and the file alone is the whole of it (immutable);
    with one, mode=ro reads the WAL too (the files exist already)."""
    wal, _shm = companions(path)
    return _uri(path, "mode=ro" if wal.exists() else "immutable=1")
