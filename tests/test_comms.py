"""Status-update drafts by phase, and the three forms people copy."""

from __future__ import annotations

from datetime import UTC, timedelta

from incident_tui import comms, ops, queries
from incident_tui.policy import DEFAULT_POLICY
from tests.conftest import FROZEN_AT

NOW = FROZEN_AT


def incident(db, phase: str | None = None):
    number = ops.declare(
        db,
        title="Search results empty for EU users",
        severity=2,
        author="mira",
        now=NOW - timedelta(minutes=30),
        commander="mira",
        started_at=NOW - timedelta(minutes=37),
        summary="EU users get empty search results",
    )
    if phase:
        ops.set_phase(db, key=number, phase=phase, author="mira", now=NOW - timedelta(minutes=10))
    return queries.incident_detail(db, number)


def draft(detail, audience="internal"):
    return comms.draft(detail, audience, now=NOW, tz=UTC, policy=DEFAULT_POLICY)


def test_the_template_follows_the_phase(db) -> None:
    assert draft(incident(db)).startswith("Status: Investigating")
    assert draft(incident(db, "identified")).startswith("Status: Identified")
    assert draft(incident(db, "mitigating")).startswith("Status: Identified")
    assert draft(incident(db, "monitoring")).startswith("Status: Monitoring")
    resolved = draft(incident(db, "resolved"))
    assert resolved.startswith("Status: Resolved") and "Next update" not in resolved


def test_the_draft_is_filled_with_the_current_state(db) -> None:
    text = draft(incident(db, "identified"))
    assert "Affected: Search results empty for EU users" in text
    assert "Impact: EU users get empty search results" in text
    assert "Started: 08:25Z" in text
    assert "Last update: none yet" in text
    assert "Next update in: 30 min" in text  # SEV2 internal cadence
    assert "Next update in: 1 h" in draft(incident(db), "external")


def test_the_external_draft_has_no_internal_detail(db) -> None:
    detail = incident(db)
    external = draft(detail, "external")
    assert "commander" not in external and "SEV" not in external
    internal = draft(detail, "internal")
    assert "internal: commander mira" in internal
    page = comms.status_page_form(internal)
    assert "commander" not in page and "Severity" not in page
    assert "Affected: Search results empty for EU users" in page


def test_entries_since_the_last_update_to_that_audience(db) -> None:
    detail = incident(db)
    ops.log_entry(
        db, key=detail.number, text="before", author="tom", now=NOW - timedelta(minutes=20)
    )
    ops.post_update(
        db,
        key=detail.number,
        audience="internal",
        text="x",
        author="ana",
        now=NOW - timedelta(minutes=15),
    )
    ops.log_entry(db, key=detail.number, text="after", author="tom", now=NOW - timedelta(minutes=5))
    detail = queries.incident_detail(db, detail.number)
    internal = [e.text for e in comms.entries_since_last_update(detail, "internal")]
    external = [e.text for e in comms.entries_since_last_update(detail, "external")]
    assert internal == ["after"]
    assert "before" in external and "after" in external


def test_the_sms_form_fits_160_characters(db) -> None:
    detail = incident(db, "identified")
    long_text = "Status: " + "rolling back the indexer " * 20
    sms = comms.sms_form(
        detail, long_text, now=NOW, tz=UTC, policy=DEFAULT_POLICY, audience="internal"
    )
    assert len(sms) <= comms.SMS_LIMIT
    assert sms.startswith(f"{detail.key} SEV2 identified: rolling back")
    assert sms.endswith("Next update 09:32Z")
    short = comms.sms_form(
        detail, draft(detail), now=NOW, tz=UTC, policy=DEFAULT_POLICY, audience="internal"
    )
    assert len(short) <= 160 and "Identified" in short


def test_the_full_form_carries_key_severity_and_phase(db) -> None:
    detail = incident(db, "identified")
    full = comms.full_form(detail, "Rolling back \x1b[2J[/]")
    assert full.startswith(f"[{detail.key} SEV2 identified] Search results empty for EU users\n")
    assert "\x1b" not in full and "Rolling back [/]" in full


def test_what_is_posted_to_the_status_page_has_no_internal_lines(db) -> None:
    detail = incident(db)
    text = draft(detail, "internal") + "\ninternal: rollback of indexer v2.14 pending"
    posted = comms.text_to_post(text, "external")
    assert "internal:" not in posted and "Severity" not in posted
    assert "Affected: Search results empty for EU users" in posted
    assert comms.text_to_post(text, "internal") == text


def test_an_unfilled_impact_placeholder_is_not_posted(db) -> None:
    import pytest

    from incident_tui.errors import IncidentError

    number = ops.declare(db, title="No summary", severity=2, author="mira", now=NOW)
    detail = queries.incident_detail(db, number)
    with pytest.raises(IncidentError, match="impact"):
        comms.text_to_post(draft(detail), "internal")
