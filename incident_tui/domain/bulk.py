"""Building 100k objects at once (a big incident's timeline read, its export rendered)
with Python's cyclic garbage collector paused.

The collector runs every 700 new container objects and, as they pile up, over every
object the process holds: reading 100k entries as tuples set it off about 150 times,
a third of the read's CPU. Those tuples and the export's strings make no reference
cycles, so nothing is left for the collector to find; it runs again once the pause ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_resume = False
"""Whether the collector was on when the outermost pause began (then it is turned back on)."""


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic collector off for the block (nested and threaded pauses share one: the
    collector comes back on when the last ends, if it was on before the first)."""
    global _depth, _resume
    with _lock:
        if _depth == 0:
            _resume = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _resume:
                gc.enable()
