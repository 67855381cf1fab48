"""A cProfile's stats summed up for the table's `why:` blocks: the top entries by
cumulative share (chains folded to where they end, the asyncio/Textual plumbing left
out) and the self time summed per top-level package."""

from __future__ import annotations

import pstats
import re
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TOP = 8
# Plumbing that sits on every stack of an asyncio/Textual profile: never a hot spot.
PLUMBING = re.compile(
    r"^(asyncio|runpy|selectors|threading|contextlib|textual\.message_pump|"
    r"textual\._callback|textual\.app\.run|cProfile|profiles)\b"
)


def module_of(filename: str) -> str:
    """'…/site-packages/sqlalchemy/engine/result.py' → 'sqlalchemy.engine.result'."""
    if filename.startswith("<frozen "):
        return filename[len("<frozen ") : -1]
    if filename.startswith("<"):
        return "<string>"  # generated code: NamedTuple.__new__, dataclass/pydantic methods
    path = filename
    if "site-packages/" in path:
        path = path.rsplit("site-packages/", 1)[1]
    elif path.startswith(str(REPO)):
        path = path[len(str(REPO)) + 1 :].removeprefix("benchmarks/")
    elif "/lib/python3" in path:
        path = path.rsplit("/lib/python3", 1)[1].split("/", 1)[-1]
    return path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def _builtin_package(name: str) -> str:
    found = re.search(r"of '([\w.]+)", name) or re.search(r"method ([\w]+)\.", name)
    owner = found.group(1).split(".")[0] if found else "builtins"
    return f"{owner} (C)"


def _name(func: tuple[str, int, str]) -> tuple[str, str]:
    """(display name, package) of a pstats function key."""
    filename, _line, funcname = func
    if filename == "~":
        return funcname.strip("{}<>"), _builtin_package(funcname)
    module = module_of(filename)
    return f"{module}.{funcname}", module.split(".")[0]


def summarise(stats: pstats.Stats) -> dict:
    entries = stats.stats  # type: ignore[attr-defined]
    total = sum(tt for (_cc, _nc, tt, _ct, _callers) in entries.values()) or 1e-9
    packages: dict[str, float] = defaultdict(float)
    # A function that hands (nearly) all its time to one callee is a link of a chain:
    # list the callee, where the chain ends, not every link.
    biggest_callee: dict[tuple, float] = defaultdict(float)
    for func, (_cc, _nc, _tt, _ct, callers) in entries.items():
        for caller, edge in callers.items():
            if caller != func:
                biggest_callee[caller] = max(biggest_callee[caller], edge[3])
    top = []
    for func, (_cc, _nc, tt, ct, _callers) in entries.items():
        name, package = _name(func)
        packages[package] += tt
        if PLUMBING.match(name) or "_lsprof" in name or ct / total >= 0.97:
            continue
        if biggest_callee[func] >= ct - 0.02 * total:
            continue
        top.append({"name": name, "cum_pct": 100 * ct / total, "self_pct": 100 * tt / total})
    top.sort(key=lambda e: -e["cum_pct"])
    return {
        "total_s": total,
        "top": top[:TOP],
        "packages": [
            {"name": name, "pct": 100 * seconds / total}
            for name, seconds in sorted(packages.items(), key=lambda kv: -kv[1])[:6]
        ],
    }
