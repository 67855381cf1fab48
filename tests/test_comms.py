"""Status-update drafts by phase, and the three forms people copy."""

from __future__ import annotations

from datetime import UTC, timedelta

from incident_tui import ops
from incident_tui.domain import status_drafts as comms
from incident_tui.domain.policy import DEFAULT_POLICY
from incident_tui.store import queries
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
    assert "Last update" not in text  # no "none yet" boilerplate
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
    # No Affected line in that text: the incident's title says what is affected (internal).
    assert sms == (
        f"{detail.key} SEV2 cause found, fix under way: Search results empty for EU users."
        " Next update 09:32Z."
    )
    words = "Affected: " + "search results may be missing for some users in Europe " * 4
    long_sms = comms.sms_form(
        detail, words, now=NOW, tz=UTC, policy=DEFAULT_POLICY, audience="internal"
    )
    assert len(long_sms) <= comms.SMS_LIMIT and long_sms.endswith(" Next update 09:32Z.")
    assert long_sms.count("identified") == 0 and long_sms.count("Next update") == 1


def test_the_public_words_are_asked_for_once_and_remembered(db) -> None:
    import pytest

    from incident_tui.domain.errors import IncidentError

    detail = incident(db, "identified")
    first = draft(detail, "external")
    assert "Search results empty for EU users" not in first  # never the internal title
    assert "EU users get empty search results" not in first  # nor the summary
    assert comms.PUBLIC_PLACEHOLDER in first
    with pytest.raises(IncidentError, match="what customers notice"):
        comms.text_to_post(first, "external")
    said = first.replace(
        comms.PUBLIC_PLACEHOLDER, "Search results may be missing for some users in Europe"
    )
    ops.post_update(
        db,
        key=detail.number,
        audience="external",
        text=comms.text_to_post(said, "external"),
        author="ana",
        now=NOW,
    )
    detail = queries.incident_detail(db, detail.number)
    assert comms.public_description(detail) == (
        "Search results may be missing for some users in Europe"
    )
    again = draft(detail, "external")
    assert "Affected: Search results may be missing for some users in Europe" in again
    sms = comms.sms_form(detail, again, now=NOW, tz=UTC, policy=DEFAULT_POLICY, audience="external")
    assert sms == (
        f"{detail.key} cause found, fix under way: Search results may be missing for some "
        "users in Europe. Next update 10:02Z."
    )
    assert len(sms) <= comms.SMS_LIMIT


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

    from incident_tui.domain.errors import IncidentError

    number = ops.declare(db, title="No summary", severity=2, author="mira", now=NOW)
    detail = queries.incident_detail(db, number)
    with pytest.raises(IncidentError, match="impact"):
        comms.text_to_post(draft(detail), "internal")
