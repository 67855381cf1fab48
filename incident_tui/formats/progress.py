"""A progress line on stderr for work that takes seconds (a big import or export, a drill
replayed here): only when stderr is a terminal, so scripts, pipes and logs never see it.

- `Bar(what, total, unit)`: `what: 45% (160 of 356 MB)`, `update(done)` as work goes;
- `Progress.wrap(handle, what)`: a binary file read through a Bar of its bytes;
- `working(what)`: for work without a count, `what… 3 s` kept up to date by a thread.

The line is redrawn at most four times a second and erased when the work is done (or
before the caller prints a line of its own: `clear()`).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

INTERVAL_S = 0.25
ERASE = "\r\x1b[K"


def on_terminal(stream: IO[str] | None = None) -> bool:
    try:
        return (stream or sys.stderr).isatty()
    except (AttributeError, ValueError):  # closed, or not a file
        return False


class Bar:
    """`what: 45% (12 of 40 events)`; every method does nothing off a terminal."""

    def __init__(
        self,
        what: str,
        total: int,
        unit: str = "",
        *,
        scale: float = 1.0,
        stream: IO[str] | None = None,
    ) -> None:
        self._stream = stream or sys.stderr
        self.live = on_terminal(self._stream)
        self._what, self._unit, self._scale = what, unit, scale
        self._total = max(total, 1)
        self._done = 0
        self._shown_at = 0.0

    def update(self, done: int, *, now: bool = False) -> None:
        """`done` of the total so far; drawn when a quarter second has passed (or `now`)."""
        self._done = done
        if not self.live:
            return
        moment = time.monotonic()
        if now or moment - self._shown_at >= INTERVAL_S:
            self._shown_at = moment
            self._draw()

    def _draw(self) -> None:
        share = min(100, self._done * 100 // self._total)
        done, total = self._done / self._scale, self._total / self._scale
        unit = f" {self._unit}" if self._unit else ""
        self._write(f"\r{self._what}: {share:3d}% ({done:,.0f} of {total:,.0f}{unit})\x1b[K")

    def _write(self, text: str) -> None:
        try:
            self._stream.write(text)
            self._stream.flush()
        except (OSError, ValueError):  # the terminal went away: the work goes on
            self.live = False

    def clear(self) -> None:
        """Erase the line (before printing something else); the next update redraws it."""
        if self.live:
            self._write(ERASE)
            self._shown_at = 0.0

    def done(self) -> None:
        self.clear()


class Progress:
    """A binary file read through a Bar of its bytes (`what: 45% (160 of 356 MB)`)."""

    def __init__(self, handle: IO[bytes], bar: Bar) -> None:
        self._handle = handle
        self._bar = bar
        self._read = 0

    @classmethod
    def wrap(cls, handle: IO[bytes], what: str, stream: IO[str] | None = None):
        """`handle` itself when nobody would see a progress line, else a Progress."""
        if not on_terminal(stream):
            return _Silent(handle)
        try:
            total = os.fstat(handle.fileno()).st_size
        except (OSError, AttributeError, ValueError):
            return _Silent(handle)
        return cls(handle, Bar(what, total, "MB", scale=1e6, stream=stream))

    def read(self, size: int = -1) -> bytes:
        chunk = self._handle.read(size)
        self._read += len(chunk)
        self._bar.update(self._read)
        return chunk

    def done(self) -> None:
        self._bar.done()


class _Silent:
    def __init__(self, handle: IO[bytes]) -> None:
        self.read = handle.read

    def done(self) -> None:
        pass


@contextmanager
def working(what: str, stream: IO[str] | None = None) -> Iterator[None]:
    """`what… 3 s` on stderr while the block runs (when it is a terminal), erased after."""
    out = stream or sys.stderr
    if not on_terminal(out):
        yield
        return
    stop = threading.Event()
    started = time.monotonic()

    def tick() -> None:
        while True:
            try:
                out.write(f"\r{what}… {time.monotonic() - started:.0f} s\x1b[K")
                out.flush()
            except (OSError, ValueError):
                return
            if stop.wait(INTERVAL_S):
                return

    ticker = threading.Thread(target=tick, name="progress", daemon=True)
    ticker.start()
    try:
        yield
    finally:
        stop.set()
        ticker.join()
        try:
            out.write(ERASE)
            out.flush()
        except (OSError, ValueError):
            pass
