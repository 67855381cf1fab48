"""Words for the public: stored on the incident (migration 0006), asked for on the first
external update and remembered, settable by `/public` and `incident-tui public`, and what
the status-page and SMS forms say instead of the internal title."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from textual.widgets import TextArea

from incident_tui import ops
from incident_tui.domain import status_drafts as comms
from incident_tui.domain.entry_syntax import SetPublicWords, parse_line
from incident_tui.domain.errors import IncidentError
from incident_tui.domain.policy import DEFAULT_POLICY
from incident_tui.ops import dispatch as commands
from incident_tui.screens.composer import ComposerScreen
from incident_tui.store import queries
from incident_tui.store.database import open_database, upgrade
from tests.conftest import FROZEN_AT
from tests.test_war_room import declare_sev2, make_app, ready, settled, type_line

NOW = FROZEN_AT
WORDS = "Search results may be missing for some users in Europe"
TITLE = "indexer v2.14 shard map broke search-eu"


def sev1(db) -> int:
    return ops.declare(
        db,
        title=TITLE,
        severity=1,
        author="mira",
        now=NOW - timedelta(minutes=20),
        commander="mira",
        summary="shard map v7 unreadable by indexer-eu",
    )


def forms(db, number: int, audience: str = "external") -> tuple[str, str]:
    detail = queries.incident_detail(db, number)
    text = comms.draft(detail, audience, now=NOW, tz=UTC, policy=DEFAULT_POLICY)
    sms = comms.sms_form(detail, text, now=NOW, tz=UTC, policy=DEFAULT_POLICY, audience=audience)
    return text, sms


def test_the_first_external_update_stores_its_words_in_its_own_transaction(db) -> None:
    number = sev1(db)
    first, _ = forms(db, number)
    assert comms.PUBLIC_PLACEHOLDER in first and TITLE not in first
    assert "Last update" not in first and "none yet" not in first
    assert comms.asks_for_public_words(queries.incident_detail(db, number), "external")
    ops.post_update(
        db,
        key=number,
        audience="external",
        text=comms.text_to_post(first.replace(comms.PUBLIC_PLACEHOLDER, WORDS), "external"),
        author="ana",
        now=NOW,
    )
    detail = queries.incident_detail(db, number)
    assert detail.public_description == WORDS
    assert not comms.asks_for_public_words(detail, "external")
    texts = [e.text for e in detail.timeline]
    assert f"Words for the public: {WORDS}" in texts
    # Posting the same words again does not log them twice.
    ops.post_update(
        db, key=number, audience="external", text=f"Affected: {WORDS}", author="ana", now=NOW
    )
    again = [e.text for e in queries.incident_detail(db, number).timeline]
    assert again.count(f"Words for the public: {WORDS}") == 1


def test_a_refused_update_stores_no_words(db) -> None:
    number = sev1(db)
    with pytest.raises(IncidentError):
        ops.post_update(
            db, key=number, audience="nobody", text=f"Affected: {WORDS}", author="a", now=NOW
        )
    assert queries.incident_detail(db, number).public_description is None


def test_the_drafts_and_the_sms_speak_the_publics_words_never_the_title(db) -> None:
    number = sev1(db)
    ops.set_phase(db, key=number, phase="identified", author="mira", now=NOW)
    commands.run(SetPublicWords(WORDS), db=db, number=number, author="ana", now=NOW)
    page, sms = forms(db, number)
    assert f"Affected: {WORDS}" in page and TITLE not in page and "shard map" not in page
    assert "Last update" not in page
    assert len(sms) <= comms.SMS_LIMIT
    assert sms == f"INC-{number} cause found, fix under way: {WORDS}. Next update 09:32Z."
    assert sms.count("Next update") == 1 and "identified" not in sms.lower()
    # Inside the company too, an SMS names what is affected in the public's words.
    _, internal_sms = forms(db, number, "internal")
    assert WORDS in internal_sms and TITLE not in internal_sms and len(internal_sms) <= 160
    assert internal_sms.count("SEV1") == 1 and internal_sms.count("Next update") == 1


def test_the_slash_command_parses_and_refuses_nothing_to_say() -> None:
    assert parse_line(f"/public {WORDS}", now=NOW, tz=UTC) == SetPublicWords(WORDS)
    with pytest.raises(IncidentError, match="usage: /public TEXT"):
        parse_line("/public", now=NOW, tz=UTC)


def test_the_operation_refuses_empty_long_and_unchanged_words(db) -> None:
    from incident_tui.ops.public_words import MAX_PUBLIC, set_public_description

    number = sev1(db)
    with pytest.raises(IncidentError, match="empty"):
        set_public_description(db, key=number, text="  \n ", author="ana", now=NOW)
    with pytest.raises(IncidentError, match="limit"):
        set_public_description(db, key=number, text="x" * (MAX_PUBLIC + 1), author="ana", now=NOW)
    set_public_description(db, key=number, text=WORDS, author="ana", now=NOW)
    with pytest.raises(IncidentError, match="already says that"):
        set_public_description(db, key=number, text=WORDS, author="ana", now=NOW)


def test_the_cli_sets_and_shows_the_words(db, cli) -> None:
    number = sev1(db)
    done = cli("public", f"INC-{number}", WORDS)
    assert done.returncode == 0, done.stderr
    assert WORDS in done.stdout
    shown = json.loads(cli("show", f"INC-{number}", "--json").stdout)
    assert shown["public_description"] == WORDS
    bad = cli("public", f"INC-{number}", " ")
    assert bad.returncode != 0 and len(bad.stderr.strip().splitlines()) == 1
    assert "Traceback" not in bad.stderr


async def test_the_slash_command_in_the_war_room(db, clock) -> None:
    number = declare_sev2(db)
    async with make_app(db, clock, number, user="ana").run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await type_line(pilot, f"/public {WORDS}")
        assert queries.incident_detail(db, number).public_description == WORDS


async def test_the_composer_asks_on_the_first_external_update_then_remembers(db, clock) -> None:
    number = declare_sev2(db)
    async with make_app(db, clock, number, user="ana").run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        await type_line(pilot, "/update external")
        composer = pilot.app.screen
        assert isinstance(composer, ComposerScreen)
        assert "say what customers notice" in str(composer.query_one("#composer-status").render())
        area = composer.query_one("#update-text", TextArea)
        await pilot.press("ctrl+s")  # the placeholder is still there: refused, text stays
        await pilot.pause()
        assert pilot.app.screen is composer and comms.PUBLIC_PLACEHOLDER in area.text
        area.load_text(area.text.replace(comms.PUBLIC_PLACEHOLDER, WORDS))
        await pilot.press("ctrl+s")
        await settled(pilot, screen)
        assert pilot.app.screen is screen
        detail = queries.incident_detail(db, number)
        assert detail.public_description == WORDS
        assert [u.audience for u in detail.updates] == ["external"]
        await type_line(pilot, "/update external")
        again = pilot.app.screen
        assert isinstance(again, ComposerScreen)
        assert f"Affected: {WORDS}" in again.query_one("#update-text", TextArea).text
        assert "say what customers notice" not in str(again.query_one("#composer-status").render())


def test_migration_0006_takes_the_words_of_the_last_external_update(tmp_path: Path) -> None:
    fixture = Path(__file__).with_name("fixtures") / "schema_0005.db"
    path = tmp_path / "old.db"
    shutil.copy(fixture, path)
    path.chmod(0o600)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "INSERT INTO status_update (incident_id, audience, text, author, posted_at, phase)"
            " VALUES (1, 'external', 'Status: x\nAffected: Old words', 'ana',"
            " '2026-11-24 08:00:00.000000', 'investigating'),"
            " (1, 'external', 'Affected: ' || ?, 'ana', '2026-11-24 08:30:00.000000',"
            " 'identified')",
            (WORDS,),
        )
    conn.close()
    upgrade(f"sqlite:///{path}")
    db = open_database(str(path))
    assert queries.incident_detail(db, 1).public_description == WORDS
    assert queries.incident_detail(db, 2).public_description is None
