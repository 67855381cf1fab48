"""An incident's context, as people type it: the services it affects (`checkout-api`),
its labels (`region=eu-west-1`) and its type (`security`, one of the config's
`[types.NAME]`). Pure: the checks and the words, no database.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from incident_tui.domain.errors import IncidentError
from incident_tui.domain.text import one_line

MAX_NAME = 64
MAX_LABEL_VALUE = 200
_NAME = re.compile(r"[a-z0-9][a-z0-9._/-]*")


def valid_service(name: str) -> str:
    """A service's name, lower-cased: letters, digits and `.`, `_`, `/`, `-`."""
    cleaned = one_line(name or "").lower()
    if not cleaned:
        raise IncidentError("service name is empty")
    if len(cleaned) > MAX_NAME or not _NAME.fullmatch(cleaned):
        raise IncidentError(
            f"service {cleaned[:MAX_NAME]!r}: use letters, digits, '.', '_', '/' or '-'"
            f" (up to {MAX_NAME}), such as checkout-api"
        )
    return cleaned


def valid_label_key(key: str) -> str:
    cleaned = one_line(key or "").lower()
    if not cleaned or len(cleaned) > MAX_NAME or not _NAME.fullmatch(cleaned):
        raise IncidentError(
            f"label {cleaned[:MAX_NAME]!r}: a key of letters, digits, '.', '_', '/' or '-'"
            " such as region=eu-west-1"
        )
    return cleaned


def parse_label(text: str) -> tuple[str, str | None]:
    """`KEY=VALUE` → (key, value); `KEY=` → (key, None): remove that label."""
    key, equals, value = (text or "").partition("=")
    if not equals:
        raise IncidentError(
            f"label {one_line(text)[:80]!r}: write KEY=VALUE, such as region=eu-west-1"
        )
    value = one_line(value)
    if len(value) > MAX_LABEL_VALUE:
        raise IncidentError(f"label {key.strip()}: the value is longer than {MAX_LABEL_VALUE}")
    return valid_label_key(key), value or None


def valid_type(name: str, known: Collection[str]) -> str:
    """A type's name, one the config knows (`[types.NAME]`)."""
    cleaned = one_line(name or "").lower()
    if cleaned in known:
        return cleaned
    if not known:
        raise IncidentError(f"unknown incident type {cleaned!r}: the config defines none")
    raise IncidentError(f"unknown incident type {cleaned!r}; known: {', '.join(sorted(known))}")


@dataclass(frozen=True)
class ContextChange:
    """Services to add or remove, labels to set (None: remove), the type to set."""

    add_services: tuple[str, ...] = ()
    remove_services: tuple[str, ...] = ()
    labels: Mapping[str, str | None] = field(default_factory=dict)
    incident_type: str | None = None
    type_given: bool = False
    """Whether the type is part of the change (`incident_type` None then clears it)."""

    def is_empty(self) -> bool:
        return not (self.add_services or self.remove_services or self.labels or self.type_given)


def context_change(
    *,
    services: Collection[str] = (),
    remove_services: Collection[str] = (),
    labels: Collection[str] = (),
    incident_type: str | None = None,
    known_types: Collection[str] = (),
    clear_type: bool = False,
) -> ContextChange:
    """A change from what people typed (`--service`, `--label K=V`, `--type`), checked."""
    parsed: dict[str, str | None] = {}
    for text in labels:
        key, value = parse_label(text)
        parsed[key] = value
    return ContextChange(
        add_services=tuple(dict.fromkeys(valid_service(s) for s in services)),
        remove_services=tuple(dict.fromkeys(valid_service(s) for s in remove_services)),
        labels=parsed,
        incident_type=valid_type(incident_type, known_types) if incident_type else None,
        type_given=bool(incident_type) or clear_type,
    )


def describe(change: ContextChange) -> str:
    """The timeline's words for a change: `Service added: checkout-api; type → security`."""
    parts = []
    if change.add_services:
        noun = "Services" if len(change.add_services) > 1 else "Service"
        parts.append(f"{noun} added: {', '.join(change.add_services)}")
    if change.remove_services:
        noun = "Services" if len(change.remove_services) > 1 else "Service"
        parts.append(f"{noun} removed: {', '.join(change.remove_services)}")
    for key, value in change.labels.items():
        parts.append(f"Label {key}={value}" if value is not None else f"Label {key} removed")
    if change.type_given:
        parts.append(f"Type → {change.incident_type}" if change.incident_type else "Type cleared")
    return "; ".join(parts)
