"""What the scribe's typed lines mean, and what Tab completes."""

from __future__ import annotations

from datetime import UTC, date, timedelta

import pytest

from incident_tui.domain.entry_completion import complete
from incident_tui.domain.entry_syntax import (
    HandOverRole,
    LogEntry,
    PinLast,
    PostUpdate,
    RaiseAction,
    SetPhase,
    SetSeverity,
    ShowHelp,
    Snooze,
    StartTimer,
    parse_line,
)
from incident_tui.domain.errors import IncidentError
from tests.conftest import FROZEN_AT

NOW = FROZEN_AT


def parse(line: str):
    return parse_line(line, now=NOW, tz=UTC)


def test_plain_text_is_a_note_now() -> None:
    assert parse("checked recent deploys: indexer v2.14 at 08:40") == LogEntry(
        "checked recent deploys: indexer v2.14 at 08:40", "note", None
    )


def test_a_leading_time_backdates_the_entry() -> None:
    entry = parse("08:55 EU search error rate rises to 30%")
    assert entry == LogEntry(
        "EU search error rate rises to 30%", "note", NOW.replace(hour=8, minute=55)
    )
    assert parse("-5m rollback started").at == NOW - timedelta(minutes=5)


def test_a_leading_time_that_cannot_be_meant_is_refused_not_logged_now() -> None:
    with pytest.raises(IncidentError, match="in the future"):
        parse("2026-11-24T10:00:00Z the future")
    # 10:00 when it is 09:02 means yesterday, which is in the past: accepted.
    assert parse("10:00 yesterday's deploy").at == NOW.replace(hour=10, minute=0) - timedelta(
        days=1
    )
    with pytest.raises(IncidentError, match="not a time of day"):
        parse("25:99 nonsense")


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("/decision roll back indexer to v2.13", "decision"),
        ("/finding indexer v2.14 writes to the old shard map", "finding"),
        ("/alert PagerDuty: search-eu 5xx > 25%", "alert"),
        ("/action-taken rollback started", "action"),
        ("/note just a note", "note"),
    ],
)
def test_kind_commands_log_entries_of_their_kind(line: str, kind: str) -> None:
    command = parse(line)
    assert isinstance(command, LogEntry) and command.kind == kind
    assert command.text == line.split(" ", 1)[1]


def test_kind_commands_take_a_leading_time_too() -> None:
    assert parse("/alert 08:55 search-eu 5xx").at == NOW.replace(hour=8, minute=55)


def test_slash_commands_parse_to_their_operations() -> None:
    assert parse("/pin") == PinLast()
    assert parse("/sev 1") == SetSeverity(1)
    assert parse("/sev SEV2") == SetSeverity(2)
    assert parse("/phase mon") == SetPhase("monitoring")
    assert parse("/phase identified 08:50") == SetPhase(
        "identified", NOW.replace(hour=8, minute=50)
    )
    assert parse("/role scribe tom") == HandOverRole("scribe", "tom")
    assert parse("/role ic Raj Patel") == HandOverRole("commander", "Raj Patel")
    assert parse("/role sme:database -") == HandOverRole("sme:database", None)
    assert parse("/update external") == PostUpdate("external", None)
    assert parse("/update exec We are rolling back") == PostUpdate(
        "executive", "We are rolling back"
    )
    assert parse("/timer 10m check shard map") == StartTimer(
        timedelta(minutes=10), "check shard map"
    )
    assert parse("/snooze internal 10") == Snooze("internal", 10)
    assert parse("/snooze internal") == Snooze("internal", 5)
    assert parse("/help") == ShowHelp()


def test_action_items_take_owner_due_priority_and_type() -> None:
    command = parse("/action Add shard-map compatibility test @tom due:+7d P1 prevent")
    assert command == RaiseAction(
        "Add shard-map compatibility test", "tom", date(2026, 12, 1), "P1", "prevent"
    )
    # A type word inside the description stays text.
    assert parse("/action prevent overflow in indexer").description == "prevent overflow in indexer"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("/phsae identified", "unknown command /phsae — did you mean /phase?"),
        ("/phase nowhere", "unknown phase 'nowhere'"),
        ("/sev 7", "severity must be 1, 2, 3 or 4"),
        ("/role scribe", "usage: /role ROLE NAME"),
        ("/update nobody hello", "unknown audience 'nobody'"),
        ("/timer soon check", "'soon' is not a duration"),
        ("/snooze internal 7", "5, 10 or 15 minutes"),
        ("/decision", "usage: /decision"),
        ("/action @tom", "usage: /action"),
    ],
)
def test_mistakes_say_what_is_wrong(line: str, message: str) -> None:
    with pytest.raises(IncidentError) as error:
        parse(line)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_a_double_slash_logs_text_starting_with_a_slash() -> None:
    assert parse("//var/log is full") == LogEntry("/var/log is full")


def test_tab_completes_commands_phases_audiences_roles_and_people() -> None:
    assert complete("/ph") == ("/phase ", [])
    assert complete("/phase mon") == ("/phase monitoring ", [])
    assert complete("/update ex") == ("/update ex", ["external", "executive"])
    assert complete("/update ext") == ("/update external ", [])
    assert complete("/role sc") == ("/role scribe ", [])
    assert complete("/role sme", roles=("sme:database",)) == ("/role sme:database ", [])
    assert complete("/role scribe t", people=("tom", "mira")) == ("/role scribe tom ", [])
    assert complete("/action fix it @m", people=("mira", "tom")) == ("/action fix it @mira ", [])
    line, choices = complete("/")
    assert line == "/" and "decision" in choices and "timer" in choices
    assert complete("plain text") == ("plain text", [])
