"""Incident types from the config (`[types.NAME]`): their roles to fill, their
checklists and their update cadences, applied at declaration and on a type change."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from incident_tui import ops
from incident_tui.app import IncidentApp
from incident_tui.cli import main
from incident_tui.config import Config, config_from_mapping
from incident_tui.domain.checklists import (
    DEFAULT_CHECKLISTS,
    current_checklist,
    incident_checklists,
    type_checklists,
)
from incident_tui.domain.context import context_change
from incident_tui.domain.errors import ConfigError
from incident_tui.domain.handoff import brief
from incident_tui.domain.incident_types import DEFAULT_TYPES
from incident_tui.domain.policy import DEFAULT_POLICY, deadlines, update_due
from incident_tui.domain.records import IncidentFacts, SeverityChange, TypeChange
from incident_tui.store import queries
from tests.conftest import FROZEN_AT, eventually
from tests.test_war_room import declare_sev2, ready

NOW = FROZEN_AT
T0 = datetime(2026, 11, 24, 9, 2, tzinfo=UTC)
KNOWN = tuple(DEFAULT_TYPES)


def at(hh: int, mm: int) -> datetime:
    return datetime(2026, 11, 24, hh, mm, tzinfo=UTC)


def facts(**kw) -> IncidentFacts:
    base = dict(
        severity=2, phase="investigating", declared_at=T0, started_at=at(8, 55), detected_at=T0
    )
    base.update(kw)
    return IncidentFacts(**base)


def due(f: IncidentFacts, policy=DEFAULT_POLICY) -> dict[str, datetime]:
    return {d.name: d.due_at for d in deadlines(f, policy)}


# --- the config -------------------------------------------------------------------------


def test_types_come_from_the_config_and_replace_the_defaults() -> None:
    config = config_from_mapping(
        {
            "checklists": {"breach": {"title": "Breach", "items": ["Call legal"]}},
            "types": {
                "breach": {
                    "title": "Security breach",
                    "roles": ["security-lead", "sme:forensics"],
                    "checklists": ["breach"],
                    "updates": {"internal": "10m", "external": "none", "executive": False},
                },
                "capacity": {},
            },
        }
    )
    assert list(config.types) == ["breach", "capacity"]
    breach = config.types["breach"]
    assert breach.title == "Security breach"
    assert breach.roles == ("security_lead", "sme:forensics")  # checked like other roles
    assert breach.checklists == ("breach",)
    assert breach.updates == {
        "internal": timedelta(minutes=10),
        "external": None,
        "executive": None,
    }
    assert config.types["capacity"].title == "capacity"
    assert config.policy.types is config.types  # one place: the policy carries them


def test_without_types_the_defaults_and_their_checklists() -> None:
    assert set(Config().types) == {"availability", "security", "data-loss"}
    assert {c.name for c in DEFAULT_CHECKLISTS} >= {"security", "data-loss"}
    # Checklists of one's own and no [types]: the defaults keep only lists that exist.
    config = config_from_mapping({"checklists": {"mine": {"items": ["a"]}}})
    assert config.types["security"].checklists == ()
    assert config.types["security"].roles == ("security_lead", "legal")


@pytest.mark.parametrize(
    "types, message",
    [
        ({"x": {"checklists": ["nope"]}}, "types.x.checklists: no checklist 'nope'"),
        ({"x": {"roles": ["bad role!"]}}, "types.x.roles: 'bad role!' is not a role name"),
        ({"x": {"roles": "legal"}}, "types.x.roles: expected a list"),
        ({"x": {"updates": {"internal": "soon"}}}, "types.x.updates.internal"),
        ({"x": {"updates": {"pager": "5m"}}}, "unknown setting types.x.updates.pager"),
        ({"x": {"colour": "red"}}, "unknown setting types.x.colour"),
        ({"x": {"title": ""}}, "types.x.title"),
        ({"Big": {}}, "types.Big: a type's name is lower-case"),
    ],
)
def test_a_bad_type_is_a_one_line_error_naming_it(types, message) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")) as error:
        config_from_mapping({"types": types})
    assert "\n" not in str(error.value)


def test_the_config_command_shows_types_and_where_they_came_from(
    private_home: Path, capsys, tmp_path: Path
) -> None:
    assert main(["config", "--json"]) == 0
    rows = {r["key"]: r for r in json.loads(capsys.readouterr().out)["settings"]}
    assert rows["types.security"]["source"] == "default"
    assert rows["types.security"]["value"] == (
        "Security; roles: security_lead, legal; checklists: security; updates: internal 15m"
    )
    config = tmp_path / "team.toml"
    config.write_text('[types.breach]\ntitle = "Breach"\nroles = ["legal"]\n')
    assert main(["config", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "types.security" not in out  # replaced
    [line] = [line for line in out.splitlines() if line.startswith("types.breach")]
    assert "Breach; roles: legal" in line and line.endswith("file")


# --- cadences ---------------------------------------------------------------------------


def test_a_types_cadence_goes_over_the_severitys() -> None:
    plain = due(facts())
    assert plain["update:internal"] == at(9, 32)  # SEV2: 30 min
    security = due(facts(incident_type="security"))
    assert security["update:internal"] == at(9, 17)  # the type: 15 min
    assert security["update:external"] == plain["update:external"]  # not set: the severity's
    policy = config_from_mapping({"types": {"quiet": {"updates": {"executive": "none"}}}}).policy
    assert "update:executive" not in due(facts(incident_type="quiet"), policy)
    # A type the config no longer has: the severity's cadences.
    assert due(facts(incident_type="gone"))["update:internal"] == at(9, 32)


def test_a_type_change_takes_effect_from_its_time_like_a_severity_change() -> None:
    # SEV2 declared 09:02 (internal due 09:32); security from 09:10: 09:10 + 15 = 09:25.
    f = facts(incident_type="security", type_changes=[TypeChange(at(9, 10), None, "security")])
    assert update_due(f, DEFAULT_POLICY, "internal") == at(9, 25)
    # From 09:25 on: 09:25 + 15 is later than 09:32, so the due stays.
    f = facts(incident_type="security", type_changes=[TypeChange(at(9, 25), None, "security")])
    assert update_due(f, DEFAULT_POLICY, "internal") == at(9, 32)
    # Declared security, cleared at 09:10: the earlier of 09:17 and 09:10 + 30.
    f = facts(incident_type=None, type_changes=[TypeChange(at(9, 10), "security", None)])
    assert update_due(f, DEFAULT_POLICY, "internal") == at(9, 17)
    # An update after the change: one type cadence after it.
    f = facts(
        incident_type="security",
        type_changes=[TypeChange(at(9, 10), None, "security")],
        last_update={"internal": at(9, 20)},
    )
    assert update_due(f, DEFAULT_POLICY, "internal") == at(9, 35)


def test_severity_and_type_changes_in_the_order_they_happened() -> None:
    # SEV2 → SEV4 at 09:10: SEV4 owes no internal updates...
    plain = facts(severity=4, severity_changes=[SeverityChange(at(9, 10), 2, 4)])
    assert update_due(plain, DEFAULT_POLICY, "internal") is None
    # ...but a security incident still does, every 15 min: the earlier of 09:17 and 09:25.
    security = facts(severity=4, incident_type="security", severity_changes=plain.severity_changes)
    assert update_due(security, DEFAULT_POLICY, "internal") == at(9, 17)
    # SEV4 from 09:10, then security at 09:30: nothing owed until the type, then 09:45.
    later = facts(
        severity=4,
        incident_type="security",
        severity_changes=plain.severity_changes,
        type_changes=[TypeChange(at(9, 30), None, "security")],
    )
    assert update_due(later, DEFAULT_POLICY, "internal") == at(9, 45)
    assert "update:external" not in due(later)  # the type sets none: SEV4's (none)


# --- checklists -------------------------------------------------------------------------


def test_a_types_checklists_apply_only_to_incidents_of_that_type() -> None:
    # The phase's list never is a type's list.
    assert current_checklist(DEFAULT_CHECKLISTS, 1, "closed") is None
    assert current_checklist(DEFAULT_CHECKLISTS, 2, "triage").name == "first-five-minutes"
    assert type_checklists(DEFAULT_CHECKLISTS, DEFAULT_TYPES, None, 2, "triage") == ()
    assert type_checklists(DEFAULT_CHECKLISTS, DEFAULT_TYPES, "availability", 2, "triage") == ()
    [security] = type_checklists(DEFAULT_CHECKLISTS, DEFAULT_TYPES, "security", 2, "triage")
    assert security.items[1] == "Rotate exposed credentials"
    [data] = type_checklists(DEFAULT_CHECKLISTS, DEFAULT_TYPES, "data-loss", 1, "mitigating")
    assert data.items[0] == "Stop the writes"
    # A list no type names applies to every incident, as before.
    config = config_from_mapping(
        {
            "checklists": {
                "start": {"items": ["Open the bridge"], "phases": ["triage"]},
                "breach": {"items": ["Call legal"]},
            },
            "types": {"breach": {"checklists": ["breach"]}},
        }
    )
    assert current_checklist(config.checklists, 2, "triage", config.types).name == "start"
    assert current_checklist(config.checklists, 2, "mitigating", config.types) is None
    assert [
        c.name for c in type_checklists(config.checklists, config.types, "breach", 2, "mitigating")
    ] == ["breach"]


def test_the_war_room_lists_the_phase_checklist_then_the_types(db) -> None:
    number = declare_sev2(db)
    detail = queries.incident_detail(db, number)
    assert [c.name for c in incident_checklists(DEFAULT_CHECKLISTS, DEFAULT_TYPES, detail)] == [
        "first-five-minutes"
    ]
    set_type(db, number, "data-loss")
    detail = queries.incident_detail(db, number)
    assert detail.facts.incident_type == "data-loss"
    assert detail.facts.type_changes == [TypeChange(NOW, None, "data-loss")]
    assert [c.name for c in incident_checklists(DEFAULT_CHECKLISTS, DEFAULT_TYPES, detail)] == [
        "first-five-minutes",
        "data-loss",
    ]


def set_type(db, number: int, name: str | None, when: datetime = NOW) -> None:
    ops.set_context(
        db,
        key=number,
        change=context_change(incident_type=name, known_types=KNOWN, clear_type=name is None),
        author="mira",
        now=when,
        known_types=KNOWN,
    )


def test_declared_with_a_type_the_store_gives_its_cadence(db) -> None:
    number = ops.declare(
        db,
        title="Leaked API key",
        severity=2,
        author="mira",
        now=NOW,
        context=context_change(incident_type="security", known_types=KNOWN),
        known_types=KNOWN,
    )
    detail = queries.incident_detail(db, number)
    assert detail.facts.incident_type == "security"
    upcoming = {d.name: d.due_at for d in deadlines(detail.facts, DEFAULT_POLICY)}
    assert upcoming["update:internal"] == NOW + timedelta(minutes=15)
    [summary] = queries.list_incidents(db, now=NOW)
    assert summary.next_deadline is not None
    assert summary.next_deadline.due_at == NOW + timedelta(minutes=15)
    text = brief(detail, now=NOW, tz=UTC)
    assert "- security_lead: vacant (the security type asks for it)" in text
    assert "- legal: vacant" in text


# --- the war room -----------------------------------------------------------------------


def roles_text(screen) -> str:
    return str(screen.query_one("#roles").render())


async def test_the_war_room_follows_a_type_change_made_elsewhere(db, clock) -> None:
    number = declare_sev2(db)
    app = IncidentApp(
        database=db, config=Config(user_name="mira"), clock=clock, open_incident=number
    )
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        assert "security_lead" not in roles_text(screen)
        pane = screen.query_one("#checklist")
        assert [c.name for c in pane.checklists] == ["first-five-minutes"]
        internal = next(d for d in screen.deadlines if d.name == "update:internal")
        assert internal.due_at == at(9, 20)  # declared 08:50, SEV2: 30 min

        set_type(db, number, "security")  # another process: the CLI, another war room
        clock.advance(timedelta(seconds=1))
        app.tick()
        await eventually(pilot, lambda: "security_lead" in roles_text(screen), "the type's roles")
        shown = roles_text(screen)
        assert "security_lead vacant" in shown and "legal" in shown
        assert [c.name for c in pane.checklists] == ["first-five-minutes", "security"]
        assert "Preserve evidence" in str(pane.render())
        internal = next(d for d in screen.deadlines if d.name == "update:internal")
        assert internal.due_at == at(9, 17)  # 09:02 + the type's 15 min beats 09:20
        assert "security_lead" in screen.completion_words()["roles"]
        entry = screen.query_one("#entry")
        await pilot.press(*"/role secu", "tab")  # the type's role, offered by Tab
        assert entry.value == "/role security_lead "
        await pilot.press("ctrl+u")

        # Someone takes the role: no longer vacant.
        ops.hand_over_role(
            db, key=number, role="security_lead", holder="sam", author="mira", now=NOW
        )
        clock.advance(timedelta(seconds=1))
        app.tick()
        await eventually(pilot, lambda: "sam" in roles_text(screen), "the holder")
        assert "security_lead vacant" not in roles_text(screen)

        # Ticks on the type's list work as on any other.
        await pilot.press("ctrl+l")
        for _ in range(len(pane.checklists[0].items)):
            await pilot.press("down")
        await pilot.press("space")
        await eventually(
            pilot,
            lambda: any(
                t.checklist == "security" for t in queries.incident_detail(db, number).ticks
            ),
            "the tick",
        )
        [tick] = [t for t in queries.incident_detail(db, number).ticks if t.checklist == "security"]
        assert tick.item.startswith("Preserve evidence")

        set_type(db, number, None)  # cleared: back to the plain incident
        clock.advance(timedelta(seconds=1))
        app.tick()
        await eventually(pilot, lambda: "legal" not in roles_text(screen), "the type gone")
        assert [c.name for c in pane.checklists] == ["first-five-minutes"]


def test_show_json_counts_the_types_cadence(db, db_path: Path, cli) -> None:
    number = declare_sev2(db)  # SEV2 declared 08:50: internal due 09:20
    set_type(db, number, "security", when=NOW - timedelta(minutes=10))  # 08:52 + 15 min
    done = cli("show", f"INC-{number}", "--json")
    assert done.returncode == 0, done.stderr
    shown = {d["name"]: d for d in json.loads(done.stdout)["deadlines"]}
    assert shown["update:internal"]["due_at"] == "2026-11-24T09:07:00Z"


def test_war_room_of_a_security_incident(snap_compare, db, clock) -> None:
    """The type's roles vacant in the roles pane, its checklist after the phase's."""
    from tests.test_app import make_app, settle

    number = declare_sev2(db)
    set_type(db, number, "security")
    ops.hand_over_role(db, key=number, role="legal", holder="ana", author="mira", now=NOW)
    assert snap_compare(
        make_app(db, clock, open_incident=number), terminal_size=(120, 36), run_before=settle
    )
