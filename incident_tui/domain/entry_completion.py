"""Tab in the entry line: what the word being typed may be (`candidates`), and the line
after pressing Tab (`complete`). Pure: the words the screen knows (roles, people,
deadlines, types, services) come in as arguments."""

from __future__ import annotations

from incident_tui.domain.entry_syntax import COMMAND_NAMES
from incident_tui.domain.vocabulary import (
    ACTION_TYPES,
    AUDIENCES,
    CORE_ROLES,
    PHASES,
    PRIORITIES,
)


def candidates(
    line: str,
    *,
    roles: tuple[str, ...] = (),
    people: tuple[str, ...] = (),
    deadlines=(),
    types: tuple[str, ...] = (),
    services: tuple[str, ...] = (),
) -> tuple[str, list[str]]:
    """(`prefix`, `words`): the line up to the word being typed, and what that word may be."""
    if not line.startswith("/"):
        return line, []
    if " " not in line:
        return "/", [c for c in COMMAND_NAMES if c.startswith(line[1:].lower())]
    head, _, rest = line[1:].partition(" ")
    name = head.lower()
    words = rest.split(" ")
    typed = words[-1]
    position = len(words) - 1
    prefix = line[: len(line) - len(typed)]
    options: tuple[str, ...] = ()
    if name == "phase" and position == 0:
        options = PHASES
    elif name == "update" and position == 0:
        options = AUDIENCES
    elif name == "sev" and position == 0:
        options = ("1", "2", "3", "4")
    elif name == "role" and position == 0:
        options = tuple(dict.fromkeys(CORE_ROLES + roles))
    elif name == "role" and position >= 1:
        options = people
    elif name == "snooze" and position == 0:
        options = tuple(deadlines)
    elif name == "snooze" and position == 1:
        options = ("5", "10", "15")
    elif name == "type" and position == 0:
        options = tuple(sorted(types))
    elif name == "service" and typed.startswith("-"):
        return prefix + "-", [s for s in services if s.startswith(typed[1:].lower())]
    elif name == "action":
        if typed.startswith("@"):
            return prefix + "@", [p for p in people if p.lower().startswith(typed[1:].lower())]
        options = ACTION_TYPES + PRIORITIES
    return prefix, [o for o in options if o.lower().startswith(typed.lower())]


def complete(line: str, **known) -> tuple[str, list[str]]:
    """The line after pressing Tab, and the choices left when it is not unique."""
    prefix, words = candidates(line, **known)
    if not words:
        return line, []
    if len(words) == 1:
        return prefix + words[0] + " ", []
    common = words[0]
    for word in words[1:]:
        while not word.lower().startswith(common.lower()):
            common = common[:-1]
    typed = line[len(prefix) :]
    completed = prefix + common if len(common) > len(typed) else line
    return completed, words
