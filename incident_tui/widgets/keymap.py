"""The user's keymap: `[keymap]` in the config rebinds keys by binding id (Textual's
keymap), checked first — an unknown id, or a key that two bindings of one screen would
then share, is one line naming it."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator, Mapping

from textual.binding import Binding
from textual.dom import DOMNode

from incident_tui.domain.errors import IncidentError


def _our_classes() -> Iterator[type[DOMNode]]:
    """Every widget class of ours (their modules imported here) and every screen class
    loaded (`app.load_every_screen` loads them all first), and the app's."""
    import incident_tui.widgets

    package = incident_tui.widgets
    for module in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
        importlib.import_module(module.name)
    seen: set[type] = set()
    stack: list[type] = [DOMNode]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                stack.append(sub)
                if sub.__module__.startswith("incident_tui."):
                    yield sub


def bindings() -> dict[str, list[tuple[str, Binding]]]:
    """Class name → its bindings with ids: what the keymap may rebind."""
    found: dict[str, list[tuple[str, Binding]]] = {}
    for cls in _our_classes():
        own = [  # a screen's bindings are its own and its mixins' (Textual merges them)
            b
            for base in cls.__mro__
            if base.__module__.startswith("incident_tui.")
            for b in base.__dict__.get("BINDINGS", [])
            if isinstance(b, Binding) and b.id
        ]
        if own:
            found[cls.__name__] = [(b.id or "", b) for b in own]
    return found


def binding_ids() -> list[str]:
    """Every binding id, once each, sorted: what the README lists and `[keymap]` takes."""
    return sorted({id for pairs in bindings().values() for id, _binding in pairs})


def _keys(text: str) -> set[str]:
    return {key.strip() for key in text.split(",") if key.strip()}


def checked_keymap(keymap: Mapping[str, str]) -> dict[str, str]:
    """`keymap` if every id is a binding's and no screen ends up with one key for two
    actions; else an IncidentError naming the first problem."""
    import difflib

    known = binding_ids()
    for id, keys in keymap.items():
        if id not in known:
            near = difflib.get_close_matches(id, known, n=1, cutoff=0.5)
            hint = f"did you mean keymap.{near[0]}?" if near else "see the README's binding ids"
            raise IncidentError(f"keymap.{id}: no binding has this id; {hint}")
        if not isinstance(keys, str) or not _keys(keys):
            raise IncidentError(f'keymap.{id}: expected keys such as "f6" or "ctrl+e,f6"')
    for owner, pairs in bindings().items():
        taken: dict[str, str] = {}
        for id, binding in pairs:
            for key in _keys(keymap.get(id, binding.key)):
                other = taken.setdefault(key, id)
                if other != id and (id in keymap or other in keymap):
                    raise IncidentError(
                        f"keymap.{id}: {key} is already {other}'s key in {owner}; "
                        f"rebind keymap.{other} too, or choose another key"
                    )
    return dict(keymap)
