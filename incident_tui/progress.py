"""A progress line on stderr for work that takes seconds (a big import): only when stderr
is a terminal, so scripts and logs never see it."""

from __future__ import annotations

import os
import sys
import time
from typing import IO

INTERVAL_S = 0.25


class Progress:
    """A binary file read through, with `what: 45% (160 of 356 MB)` kept up to date."""

    def __init__(self, handle: IO[bytes], what: str, total: int, stream: IO[str]) -> None:
        self._handle = handle
        self._what = what
        self._total = max(total, 1)
        self._stream = stream
        self._read = 0
        self._shown_at = 0.0

    @classmethod
    def wrap(cls, handle: IO[bytes], what: str, stream: IO[str] | None = None):  # type: ignore[no-untyped-def]
        """`handle` itself when nobody would see a progress line, else a Progress."""
        stream = stream or sys.stderr
        if not stream.isatty():
            return _Silent(handle)
        try:
            total = os.fstat(handle.fileno()).st_size
        except (OSError, AttributeError, ValueError):
            return _Silent(handle)
        return cls(handle, what, total, stream)

    def read(self, size: int = -1) -> bytes:
        chunk = self._handle.read(size)
        self._read += len(chunk)
        now = time.monotonic()
        if now - self._shown_at >= INTERVAL_S:
            self._shown_at = now
            share = min(100, self._read * 100 // self._total)
            megabytes = f"{self._read / 1e6:,.0f} of {self._total / 1e6:,.0f} MB"
            self._stream.write(f"\r{self._what}: {share:3d}% ({megabytes})\x1b[K")
            self._stream.flush()
        return chunk

    def done(self) -> None:
        self._stream.write("\r\x1b[K")
        self._stream.flush()


class _Silent:
    def __init__(self, handle: IO[bytes]) -> None:
        self.read = handle.read

    def done(self) -> None:
        pass
