"""What a checked import holds: the incident's fields and its rows, ready to insert, and
the one error an import that cannot be read raises."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from incident_tui.domain.errors import IncidentError
from incident_tui.domain.text import one_line
from incident_tui.domain.vocabulary import (
    MILESTONES,
)

ENTRY_COLUMNS = ("occurred_at", "recorded_at", "kind", "author", "text", "pinned", "actor")
"""The order of a timeline entry's row (a tuple) from `RecordReader.entry`."""


Row = tuple[Any, ...]


CHANGE_FIELDS = frozenset({"phase", "severity", "service", "type", *MILESTONES})
"""And `label:KEY` (a label's key is free)."""


POSTMORTEM_LISTS = {
    "contributingFactors": "contributing_factors",
    "whatWentWell": "what_went_well",
    "whatWentPoorly": "what_went_poorly",
    "luckyBreaks": "lucky_breaks",
}
"""Arrays of points since formatVersion 2; text (one point per line) before."""


POSTMORTEM_TEXT = {
    "summary": "summary",
    "rootCause": "root_cause",
    "lessonsLearned": "lessons_learned",
    "usersAffected": "users_affected",
    "revenueImpact": "revenue_impact",
    "authors": "authors",
}


class ImportFormatError(IncidentError):
    """The file is not an export this version can read (says which field, and why)."""


@dataclass
class ImportedIncident:
    """A validated `record`: rows ready to insert (without their incident id)."""

    incident: dict[str, Any]
    entries: list[Row] = field(default_factory=list)
    """Timeline entries as rows of `ENTRY_COLUMNS`, in the file's order."""
    roles: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    postmortem: dict[str, Any] = field(default_factory=dict)
    whys: list[dict[str, Any]] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    source_key: str | None = None
    """The key the incident had where it was exported (for messages only)."""
    more_entries: Callable[[], Iterator[list[Row]]] | None = None
    """Batches of timeline entries (rows of `ENTRY_COLUMNS`), read back as they are
    written (a streamed import)."""
    more_count: int = 0
    """How many rows `more_entries` holds."""


def shown(value: object) -> str:
    return one_line(json.dumps(value, ensure_ascii=False), 40)
