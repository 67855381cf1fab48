"""The order milestones keep: started ≤ detected ≤ acknowledged, started ≤ mitigated ≤
resolved ≤ closed. Pure: `settle` says what setting one milestone moves or why it is
refused; `incident_tui.ops` applies it.

The rule, as documented in the README: `started` and `detected` are *derived* until
someone sets them by hand (`started` is the declaration unless `--started-at` gave it;
`detected` is the earlier of the declaration and the first alert). A milestone set
earlier than a derived one it follows moves that one back to it, and the timeline entry
says so; one set earlier than a milestone given by hand, or later than one that follows
it, is refused with one line naming both (except a derived `detected`, which moves
forward to a later `started`).
"""

from __future__ import annotations

from datetime import datetime

from incident_tui.domain.errors import IncidentError

BEFORE: tuple[tuple[str, str], ...] = (
    ("started_at", "detected_at"),
    ("detected_at", "acknowledged_at"),
    ("started_at", "mitigated_at"),
    ("mitigated_at", "resolved_at"),
    ("resolved_at", "closed_at"),
)
"""(earlier, later): the first may never be later than the second."""
DERIVABLE = ("started_at", "detected_at")
AUTO_AUTHOR = "incident-tui"
"""The author of a milestone change the app derived (so it still counts as derived)."""


def _label(name: str) -> str:
    return name.removesuffix("_at")


def _clock(at: datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M:%S}Z"


def settle(
    milestones: dict[str, datetime | None],
    name: str,
    when: datetime,
    derived: set[str],
    *,
    hint: str = "",
) -> dict[str, datetime]:
    """The derived milestones that must move back for `name` to be `when` (name →
    new instant); raises `IncidentError` when the order cannot hold."""
    moves: dict[str, datetime] = {}
    pending = [(name, when)]
    while pending:
        later, at = pending.pop()
        for first, second in BEFORE:
            if second != later:
                continue
            current = moves.get(first, milestones.get(first))
            if current is None or current <= at:
                continue
            if first not in derived:
                raise IncidentError(
                    f"{_label(later)} {_clock(at)} would precede {_label(first)} "
                    f"{_clock(current)}, which was set by hand{hint}"
                )
            moves[first] = at
            pending.append((first, at))
    for first, second in BEFORE:
        if first != name:
            continue
        following = milestones.get(second)
        if following is not None and following < when:
            if second in derived and second in DERIVABLE:
                moves[second] = when  # detection cannot precede the impact it detected
                continue
            raise IncidentError(
                f"{_label(name)} {_clock(when)} would follow {_label(second)} "
                f"{_clock(following)}{hint}"
            )
    return moves


def describe_moves(
    moves: dict[str, datetime],
    before: dict[str, datetime | None],
    cause: str,
    *,
    because: str | None = None,
) -> list[str]:
    """`detected moved to 18:41:00Z (acknowledged cannot precede it)` per move; a move
    forward says that it cannot precede `cause`."""
    notes = []
    for name, at in moves.items():
        old = before.get(name)
        why = because or (
            f"{_label(cause)} cannot precede it"
            if old is None or at < old
            else f"it cannot precede {_label(cause)}"
        )
        notes.append(f"{_label(name)} moved to {at:%H:%M:%S}Z ({why})")
    return notes
