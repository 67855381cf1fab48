"""An incident's services, labels and type as people give them: `declare --service/--label/
--type`, `context`, the entry line's `/service`, `/label`, `/type`, the declare form, the
war room's heading and the JSON views."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import Input

from incident_tui.domain.entry_completion import complete
from incident_tui.domain.entry_syntax import SetContext, parse_line
from incident_tui.store import queries
from incident_tui.widgets.state_panes import context_words
from tests.conftest import FROZEN_AT, CliRunner, row_counts, table_dump
from tests.test_app import make_app as list_app
from tests.test_app import settle
from tests.test_cli import AT, ok, one_line_error
from tests.test_war_room import declare_sev2, make_app, ready, status_text, type_line


def test_declare_takes_services_labels_and_a_type(cli: CliRunner, migrated_path: Path) -> None:
    key = ok(
        cli(
            "declare",
            "Checkout down",
            "--severity",
            "1",
            "--service",
            "checkout-api",
            "--service",
            "Payments",
            "--label",
            "region=eu-west-1",
            "--type",
            "security",
            now=AT,
        )
    ).strip()
    assert key == "INC-1"
    detail = json.loads(ok(cli("show", key, "--json", now=AT)))
    assert detail["type"] == "security"
    assert detail["services"] == ["checkout-api", "payments"]
    assert detail["labels"] == {"region": "eu-west-1"}
    rows = json.loads(ok(cli("list", "--json", now=AT)))
    assert (rows[0]["type"], rows[0]["services"]) == ("security", ["checkout-api", "payments"])
    assert set(rows[0]) >= {"key", "title", "severity", "phase", "started_at", "commander"}


@pytest.mark.parametrize(
    "extra",
    [("--type", "nope"), ("--label", "no-equals"), ("--service", "bad name!")],
)
def test_a_bad_context_declares_nothing(
    cli: CliRunner, migrated_path: Path, extra: tuple[str, str]
) -> None:
    before = table_dump(migrated_path)
    one_line_error(cli("declare", "Checkout down", "--severity", "1", *extra, now=AT))
    assert table_dump(migrated_path) == before


def test_the_context_command_changes_it_in_one_entry(cli: CliRunner, migrated_path: Path) -> None:
    ok(cli("declare", "Checkout down", "-s", "2", "--service", "a", "--service", "b", now=AT))
    said = ok(
        cli(
            "context",
            "INC-1",
            "--remove-service",
            "b",
            "--service",
            "c",
            "--label",
            "team=core",
            "--type",
            "availability",
            now=AT,
        )
    )
    assert said.startswith("INC-1: ") and "Service removed: b" in said
    detail = json.loads(ok(cli("show", "INC-1", "--json", now=AT)))
    assert (detail["services"], detail["labels"], detail["type"]) == (
        ["a", "c"],
        {"team": "core"},
        "availability",
    )
    entries = [e for e in detail["timeline"] if e["kind"] == "status"]
    assert entries[-1]["text"].startswith("Service added: c")
    ok(cli("context", "INC-1", "--label", "team=", "--clear-type", now=AT))
    detail = json.loads(ok(cli("show", "INC-1", "--json", now=AT)))
    assert (detail["labels"], detail["type"]) == ({}, None)
    before = table_dump(migrated_path)
    one_line_error(cli("context", "INC-1", now=AT))
    one_line_error(cli("context", "INC-1", "--type", "nope", now=AT))
    one_line_error(cli("context", "INC-1", "--service", "a", now=AT))  # already there
    assert table_dump(migrated_path) == before


def test_the_entry_line_parses_context_commands() -> None:
    types = ("availability", "security")
    command = parse_line(
        "/service checkout-api -payments", now=FROZEN_AT, tz=FROZEN_AT.tzinfo, types=types
    )
    assert isinstance(command, SetContext)
    assert command.change.add_services == ("checkout-api",)
    assert command.change.remove_services == ("payments",)
    command = parse_line("/label region=eu team=", now=FROZEN_AT, tz=FROZEN_AT.tzinfo)
    assert isinstance(command, SetContext)
    assert dict(command.change.labels) == {"region": "eu", "team": None}
    command = parse_line("/type security", now=FROZEN_AT, tz=FROZEN_AT.tzinfo, types=types)
    assert isinstance(command, SetContext) and command.change.incident_type == "security"
    assert complete("/type sec", types=types) == ("/type security ", [])
    assert complete("/service -pa", services=("payments", "api")) == ("/service -payments ", [])


async def test_scribe_sets_context_from_the_entry_line(db, clock, db_path) -> None:
    number = declare_sev2(db)
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        await type_line(pilot, "/service checkout-api payments")
        await type_line(pilot, "/label region=eu-west-1")
        await type_line(pilot, "/type security")
        detail = queries.incident_detail(db, number)
        assert detail.services == ("checkout-api", "payments")
        assert detail.labels == {"region": "eu-west-1"}
        assert detail.incident_type == "security"
        heading = str(screen.query_one("#heading").render())
        assert "security · checkout-a" in heading  # as far as it fits, before the title
        assert context_words(screen.detail) == "security · checkout-api,payments · region=eu-west-1"
        await type_line(pilot, "/service -payments")
        assert queries.incident_detail(db, number).services == ("checkout-api",)
        before = table_dump(db_path)
        await type_line(pilot, "/type nonsense")
        assert screen.query_one("#entry", Input).value == "/type nonsense"
        assert status_text(screen).startswith("unknown incident type 'nonsense'")
        await type_line(pilot, "/label [/]")
        assert screen.query_one("#entry", Input).value == "/label [/]"
        assert "KEY=VALUE" in status_text(screen)
        assert table_dump(db_path) == before


async def test_the_declare_form_takes_services_labels_and_type(db, clock, db_path) -> None:
    app = list_app(db, clock, user="mira")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        form = app.screen
        form.query_one("#title", Input).value = "Checkout down"
        form.query_one("#severity", Input).value = "1"
        form.query_one("#services", Input).value = "checkout-api, payments"
        form.query_one("#labels", Input).value = "region=eu, team=core"
        form.query_one("#type", Input).value = "nope"
        form.query_one("#title", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is form
        assert "unknown incident type 'nope'" in str(form.query_one("#declare-error").render())
        assert row_counts(db_path)["incident"] == 0
        form.query_one("#type", Input).value = "security"
        await pilot.press("enter")
        await settle(pilot)
    detail = queries.incident_detail(db, 1)
    assert detail.services == ("checkout-api", "payments")
    assert detail.labels == {"region": "eu", "team": "core"}
    assert detail.incident_type == "security"


def test_exports_carry_the_context_and_import_brings_it_back(
    cli: CliRunner, migrated_path: Path, tmp_path: Path
) -> None:
    ok(
        cli(
            "declare",
            "Checkout down",
            "-s",
            "1",
            "--service",
            "checkout-api",
            "--label",
            "region=eu-west-1",
            "--type",
            "security",
            now=AT,
        )
    )
    ok(cli("context", "INC-1", "--service", "payments", "--label", "team=core", now=AT))
    doc = json.loads(ok(cli("export", "INC-1", "--format", "json", now=AT)))
    assert doc["incidentType"] == "security"
    assert doc["services"] == ["checkout-api", "payments"]
    assert doc["labels"] == {"region": "eu-west-1", "team": "core"}
    schema = json.loads(ok(cli("export", "--schema", now=AT)))
    assert {"incidentType", "services", "labels"} <= set(schema["required"])
    markdown = ok(cli("export", "INC-1", "--format", "markdown", now=AT))
    assert "| Type | security |" in markdown
    assert "| Services | checkout-api, payments |" in markdown
    assert "region=eu-west-1" in markdown
    exported = tmp_path / "inc1.json"
    exported.write_text(json.dumps(doc), encoding="utf-8")
    other = tmp_path / "other.db"
    ok(cli("--db", str(other), "import", str(exported), now=AT))
    back = json.loads(ok(cli("--db", str(other), "show", "INC-1", "--json", now=AT)))
    assert (back["type"], back["services"], back["labels"]) == (
        "security",
        ["checkout-api", "payments"],
        {"region": "eu-west-1", "team": "core"},
    )
