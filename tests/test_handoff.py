"""The commander's handover brief, drafted from what the war room recorded: a shift
change hands over impact, hypothesis, what was ruled out, decisions, owners and the next
deadlines — all in one place."""

from __future__ import annotations

from datetime import UTC, date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from incident_tui import ops
from incident_tui.cli import main
from incident_tui.domain.handoff import HEADING, brief
from incident_tui.ops.public_words import set_public_description
from incident_tui.store import queries
from tests.conftest import FROZEN_AT, patience

NOW = FROZEN_AT


def minutes(n: int):
    return NOW - timedelta(minutes=n)


@pytest.fixture
def incident(db) -> int:
    number = ops.declare(
        db,
        title="Checkout 5xx after deploy",
        severity=1,
        author="mira",
        commander="mira",
        started_at=minutes(40),
        now=minutes(38),
    )

    def log(text: str, kind: str, ago: int) -> None:
        ops.log_entry(db, key=number, text=text, kind=kind, author="li", at=minutes(ago), now=NOW)

    log("p99 latency up on payments", "finding", 30)
    log("DB is not the cause: replicas healthy", "finding", 20)
    log("cache stampede on sessions after deploy 4812", "finding", 10)
    log("roll back 4812", "decision", 8)
    log("paged the sessions team", "note", 7)
    ops.add_action(
        db,
        key=number,
        description="add a canary for sessions",
        owner="li",
        due_date=date(2026, 11, 26),
        author="mira",
        now=NOW,
    )
    ops.add_action(db, key=number, description="tidy the runbook", author="mira", now=NOW)
    ops.post_update(
        db, key=number, audience="internal", text="Rolling back 4812", author="mira", now=minutes(5)
    )
    set_public_description(
        db, key=number, text="Checkout fails for some customers", author="mira", now=NOW
    )
    return number


def sections(text: str) -> dict[str, list[str]]:
    """The brief's sections: heading line → the lines under it."""
    found: dict[str, list[str]] = {}
    current = "top"
    for line in text.splitlines():
        if line.endswith(":") and not line.startswith("- "):
            current = line[:-1]
            found[current] = []
        elif line:
            found.setdefault(current, []).append(line)
    return found


def test_the_brief_says_what_the_next_commander_needs(db, incident: int) -> None:
    text = brief(queries.incident_detail(db, incident), now=NOW, tz=UTC)
    top = text.splitlines()[:3]
    assert top[0] == f"{HEADING}: INC-1 SEV1 Checkout 5xx after deploy"
    assert top[1] == "Phase: triage, impact since 08:22Z (40 min ago)"
    assert top[2] == "Impact: Checkout fails for some customers"
    parts = sections(text)
    # Findings, newest first; the one that rules a cause out is under Ruled out instead.
    assert parts["Current hypothesis (latest findings)"] == [
        "- 08:52Z cache stampede on sessions after deploy 4812 (li)",
        "- 08:32Z p99 latency up on payments (li)",
    ]
    assert parts["Ruled out"] == ["- 08:42Z DB is not the cause: replicas healthy (li)"]
    assert parts["Decisions"] == ["- 08:54Z roll back 4812 (li)"]
    assert parts["Open actions"] == [
        "- add a canary for sessions — li, due 2026-11-26",
        "- tidy the runbook — no owner",
    ]
    assert parts["Roles"] == ["- commander: mira"]
    assert parts["Last said"] == [
        "- internal, 08:57Z (5 min ago): Rolling back 4812",
        "- external: nothing yet",
        "- executive: nothing yet",
    ]
    deadlines = parts["Next deadlines"]
    # Earliest first: the acknowledgement owed since 08:39 (declared 08:24, SEV1: 15 min).
    assert deadlines[0] == "- acknowledge SLA: 23 min overdue"
    assert "- internal update: at 09:12Z (in 10 min)" in deadlines
    assert any(line.startswith("- status page update: ") for line in deadlines)


def test_times_are_in_the_commanders_zone_and_an_overdue_deadline_says_so(
    db, incident: int
) -> None:
    later = NOW + timedelta(minutes=30)
    text = brief(queries.incident_detail(db, incident), now=later, tz=ZoneInfo("Europe/Paris"))
    assert "impact since 09:22 CET" in text
    assert "- internal update: 20 min overdue" in text


def test_an_incident_just_declared_has_a_brief_with_nothing_yet(db) -> None:
    number = ops.declare(db, title="Search empty", severity=3, author="mira", now=NOW)
    parts = sections(brief(queries.incident_detail(db, number), now=NOW, tz=UTC))
    assert parts["top"][2] == "Impact: not written down yet"
    for name, empty in (
        ("Current hypothesis (latest findings)", "- none yet"),
        ("Ruled out", "- nothing yet"),
        ("Decisions", "- none yet"),
        ("Open actions", "- none"),
        ("Roles", "- none held"),
    ):
        assert parts[name] == [empty], name


def test_user_text_stays_one_line_and_without_control(db) -> None:
    number = ops.declare(db, title="Odd \x1b[31mred\x1b[0m", severity=2, author="mira", now=NOW)
    ops.log_entry(
        db, key=number, text="line one\nline two \x07bell", kind="finding", author="li", now=NOW
    )
    text = brief(queries.incident_detail(db, number), now=NOW, tz=UTC)
    assert "\x1b" not in text and "\x07" not in text
    assert "- 09:02Z line one line two bell (li)" in text


def test_the_cli_prints_it(
    incident: int, db_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INCIDENT_TUI_DB", str(db_path))
    monkeypatch.setenv("INCIDENT_TUI_NOW", NOW.isoformat())
    assert main(["handoff", "INC-1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{HEADING}: INC-1 SEV1 ")
    assert "Ruled out:\n- 08:42Z DB is not the cause" in out
    assert main(["handoff", "INC-9"]) == 1
    assert capsys.readouterr().err.count("\n") == 1


# --- in the war room: /handoff and ctrl+g --------------------------------------------


async def _handoff_screen(pilot):
    from incident_tui.screens.handoff import HandoffScreen

    for _ in patience():
        if isinstance(pilot.app.screen, HandoffScreen):
            await pilot.pause()
            return pilot.app.screen
        await pilot.pause(0.02)
    raise AssertionError("the handover dialog never opened")


async def test_slash_handoff_logs_the_edited_brief_copies_it_and_hands_over(
    db, clock, incident: int
) -> None:
    from textual.widgets import Input, TextArea

    from tests.test_war_room import make_app, ready, type_line

    app = make_app(db, clock, incident, user="mira")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        await type_line(pilot, "/handoff")
        dialog = await _handoff_screen(pilot)
        area = dialog.query_one("#brief", TextArea)
        assert area.text.startswith(f"{HEADING}: INC-1 SEV1 Checkout 5xx after deploy")
        assert "Ruled out:\n- 08:42Z DB is not the cause" in area.text
        area.load_text(area.text + "\nNext checkpoint: 09:30, canary at 10%")
        dialog.query_one("#next-commander", Input).value = "sam"
        await pilot.press("ctrl+s")
        for _ in patience():
            if pilot.app.screen is screen:
                break
            await pilot.pause(0.02)
        assert pilot.app.clipboard.endswith("Next checkpoint: 09:30, canary at 10%")
    detail = queries.incident_detail(db, incident)
    logged = [e for e in detail.timeline if e.text.startswith(HEADING)]
    assert len(logged) == 1 and logged[0].author == "mira" and logged[0].kind == "note"
    assert logged[0].text.endswith("Next checkpoint: 09:30, canary at 10%")
    assert detail.roles["commander"] == "sam"


async def test_ctrl_g_opens_it_and_escape_logs_nothing(db, clock, incident: int) -> None:
    from tests.test_war_room import make_app, ready

    before = len(queries.incident_detail(db, incident).timeline)
    async with make_app(db, clock, incident).run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        await pilot.press("ctrl+g")
        await _handoff_screen(pilot)
        await pilot.press("escape")
        for _ in patience():
            if pilot.app.screen is screen:
                break
            await pilot.pause(0.02)
    after = queries.incident_detail(db, incident)
    assert len(after.timeline) == before and after.roles["commander"] == "mira"
