"""What the public status page shows of an incident: its public words, its public state
and its external updates, nothing else.

Pure: records in, records out. The store fills `PublicIncident` from the incident's
`public_description` and its external updates only; nothing here can reach an internal
title, an internal or executive update or the timeline, so none can leak.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from incident_tui.domain.status_drafts import affected_words, status_page_form, template_name
from incident_tui.domain.text import one_line

UNNAMED = "Service disruption"
"""The heading of an incident that has external updates but no words for the public yet
(the internal title never stands in)."""

STATES = {
    "investigating": "Investigating",
    "identified": "Identified",
    "monitoring": "Monitoring",
    "resolved": "Resolved",
}
"""The public state of each phase's template (`status_drafts.template_name`)."""


@dataclass(frozen=True)
class PublicUpdate:
    id: int
    posted_at: datetime
    text: str
    """As posted to the status page; `public_text` drops any line marked internal."""
    phase: str
    """The incident's phase when it was posted."""

    @property
    def state(self) -> str:
        return STATES[template_name(self.phase)]


@dataclass(frozen=True)
class PublicIncident:
    number: int
    phase: str
    public_description: str | None
    started_at: datetime
    resolved_at: datetime | None
    updates: tuple[PublicUpdate, ...]
    """Newest first."""

    @property
    def current(self) -> bool:
        return self.phase not in ("resolved", "closed")

    @property
    def state(self) -> str:
        return STATES[template_name(self.phase)]

    @property
    def heading(self) -> str:
        """The public words; else what the newest update said was affected; else UNNAMED."""
        if self.public_description:
            return one_line(self.public_description)
        for update in self.updates:
            said = affected_words(update.text)
            if said:
                return said
        return UNNAMED

    @property
    def anchor(self) -> str:
        return f"incident-{self.number}"

    @property
    def last_posted(self) -> datetime:
        return self.updates[0].posted_at if self.updates else self.started_at


def public_text(update: PublicUpdate) -> str:
    """An update's words for the page: the status-page form (no `internal:` or
    `Severity:` line, which an update posted from the command line may still hold)."""
    return status_page_form(update.text).strip()
