"""The JSON export's data model, typed (names AND types): the TypedDicts `to_json`
builds (`export_json.py`) and the JSON Schema derived from them (`schema()`, `incident-tui
export --schema`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, NotRequired

from typing_extensions import TypedDict  # pydantic reads TypedDicts from here before 3.12

SCHEMA_ID = "urn:incident-tui:postmortem:2"


def _string(description: str, **extra: Any) -> Any:
    from pydantic import WithJsonSchema

    return WithJsonSchema({"type": "string", "description": description, **extra})


DateTime = Annotated[str, _string("ISO 8601 UTC instant with Z", format="date-time")]
OptionalDate = Annotated[
    str, _string('YYYY-MM-DD, or "" when none', pattern=r"^(\d{4}-\d{2}-\d{2})?$")
]


class Impact(TypedDict):
    duration: str
    """Impact start to resolution with its UTC range: `47 minutes (14:23 - 15:10 UTC)`."""
    durationSeconds: int | None
    usersAffected: int
    revenueImpact: str
    slaBreached: bool


class TimelineEvent(TypedDict):
    time: DateTime
    event: str
    actor: str
    """Who did it: the entry's actor when named, else its author."""
    kind: str
    author: str


class ActionItem(TypedDict):
    description: str
    type: Literal["prevent", "detect", "mitigate", ""]
    """`""` while nobody gave one (the lint flags it)."""
    owner: str
    priority: Literal["P0", "P1", "P2"]
    dueDate: OptionalDate
    status: Literal["open", "in-progress", "done"]
    jiraTicket: str


class FiveWhy(TypedDict):
    question: str
    answer: str


class Commander(TypedDict):
    name: str
    startedAt: DateTime
    endedAt: DateTime | None


class PostmortemDocument(TypedDict):
    format: Literal["incident-tui"]
    formatVersion: int
    id: str
    title: str
    date: DateTime
    """When the impact began."""
    severity: Literal["SEV-1", "SEV-2", "SEV-3", "SEV-4"]
    incidentType: str
    """The config's `[types.NAME]` it is, `""` when none."""
    services: list[str]
    """The services it affects, in the order they were added."""
    labels: dict[str, str]
    incidentCommander: str
    """The commander holding the role at resolution (now, while open); `commanders` has
    every holder with their span."""
    commanders: list[Commander]
    authors: list[str]
    status: Literal["draft", "in-review", "published"]
    summary: str
    impact: Impact
    timeline: list[TimelineEvent]
    rootCause: str
    contributingFactors: list[str]
    whatWentWell: list[str]
    whatWentPoorly: list[str]
    luckyBreaks: list[str]
    actionItems: list[ActionItem]
    fiveWhys: list[FiveWhy]
    lessonsLearned: str
    metrics: dict[str, Any]
    updates: list[dict[str, Any]]
    milestones: dict[str, DateTime | None]
    record: NotRequired[dict[str, Any]]
    """Everything stored, exactly (what `incident-tui import` reads)."""


def schema() -> dict[str, Any]:
    """The JSON Schema of the JSON export (`incident-tui export --schema`)."""
    from pydantic import TypeAdapter

    doc = TypeAdapter(PostmortemDocument).json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **doc,
        "title": "incident-tui postmortem",
        "description": "The postmortem draft as `incident-tui export --format json` writes it.",
    }
