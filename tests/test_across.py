"""Between incidents: action items across incidents, metrics against the period before,
full-text search (SQLite FTS5 and PostgreSQL) — operations, CLI, screens, snapshots."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from textual.command import CommandList, CommandPalette
from textual.widgets import DataTable, Input

from incident_tui import ops
from incident_tui.app import IncidentApp
from incident_tui.config import Config
from incident_tui.domain.errors import IncidentError
from incident_tui.domain.policy import DEFAULT_POLICY
from incident_tui.screens.actions import ActionsScreen
from incident_tui.screens.dialogs import FormScreen
from incident_tui.screens.war_room import WarRoomScreen
from incident_tui.store import queries, reports
from tests.conftest import FROZEN_AT, patience
from tests.test_app import settle

NOW = FROZEN_AT  # Tuesday 2026-11-24 09:02Z
TODAY = NOW.date()
HOSTILE = "[/] [bold]x[/bold] \x1b[2J"


def past_incident(
    db,
    title: str,
    *,
    severity: int,
    days_ago: float,
    detect: int,
    ack: int,
    mitigate: int,
    resolve: int,
    drill: bool = False,
) -> int:
    """An incident that started `days_ago` days before NOW, with its milestones that many
    minutes after the start (detect, ack, mitigate, resolve)."""
    started = NOW - timedelta(days=days_ago)
    number = ops.declare(
        db,
        title=title,
        severity=severity,
        author="mira",
        now=started + timedelta(minutes=detect),
        commander="mira",
        started_at=started,
        is_drill=drill,
    )
    for name, minutes in (
        ("detected", detect),
        ("acknowledged", ack),
        ("mitigated", mitigate),
        ("resolved", resolve),
    ):
        ops.set_milestone(
            db,
            key=number,
            milestone=name,
            at=started + timedelta(minutes=minutes),
            author="mira",
            now=started + timedelta(minutes=resolve),
        )
    return number


def seed_history(db) -> dict[str, int]:
    """Two SEV1s and a SEV2 in the last 30 days, one slower SEV1 in the 30 before, a drill
    (never counted), and action items: one overdue, one done, one due later."""
    numbers = {
        "db": past_incident(
            db,
            "Primary database failover",
            severity=1,
            days_ago=3,
            detect=4,
            ack=2 + 4,
            mitigate=30,
            resolve=60,
        ),
        "dns": past_incident(
            db,
            "DNS resolution failing in eu-west",
            severity=1,
            days_ago=10,
            detect=6,
            ack=6 + 4,
            mitigate=50,
            resolve=90,
        ),
        "queue": past_incident(
            db,
            "Payment queue backlog",
            severity=2,
            days_ago=20,
            detect=10,
            ack=15,
            mitigate=100,
            resolve=200,
        ),
        "old": past_incident(
            db,
            "Shard map out of date after indexer deploy",
            severity=1,
            days_ago=45,
            detect=20,
            ack=30,
            mitigate=120,
            resolve=240,
        ),
        "drill": past_incident(
            db,
            "Drill: primary database failover",
            severity=1,
            days_ago=2,
            detect=1,
            ack=2,
            mitigate=3,
            resolve=4,
            drill=True,
        ),
    }
    ops.add_action(
        db,
        key=numbers["db"],
        description="Alert on replication lag",
        author="mira",
        now=NOW - timedelta(days=3),
        owner="raj",
        due_date=TODAY - timedelta(days=2),
        priority="P1",
    )
    ops.add_action(
        db,
        key=numbers["dns"],
        description="Lower the resolver TTL",
        author="mira",
        now=NOW - timedelta(days=10),
        owner="li",
        due_date=TODAY + timedelta(days=5),
        priority="P2",
    )
    done = ops.add_action(
        db,
        key=numbers["queue"],
        description="Autoscale the consumers",
        author="mira",
        now=NOW - timedelta(days=20),
        owner="raj",
        priority="P0",
    )
    ops.update_action(
        db, action_id=done.id, status="done", author="raj", now=NOW - timedelta(days=1)
    )
    ops.log_entry(
        db,
        key=numbers["old"],
        text="indexer v2.14 writes to the old shard map",
        author="li",
        now=NOW - timedelta(days=45),
        kind="finding",
    )
    ops.log_entry(
        db,
        key=numbers["db"],
        text="Rolled back the schema migration",
        author="raj",
        now=NOW - timedelta(days=3),
    )
    return numbers


def make_app(db, clock, **kw) -> IncidentApp:
    return IncidentApp(database=db, config=Config(user_name="lead"), clock=clock, **kw)


# --- metrics ------------------------------------------------------------------------------


def test_metrics_compare_the_period_with_the_one_before_and_leave_drills_out(db) -> None:
    seed_history(db)
    found = reports.trends(
        db, since=NOW - timedelta(days=30), until=NOW, today=TODAY, policy=DEFAULT_POLICY
    )
    now, before = found.current, found.previous
    assert now.incidents == 3 and now.by_severity == {1: 2, 2: 1}  # the drill is not here
    assert before.incidents == 1
    assert now.mean("mttd", 1) == timedelta(minutes=5)  # (4 + 6) / 2
    assert now.mean("mtta", 1) == timedelta(minutes=3)  # (2 + 4) / 2
    assert now.mean("mttm", 1) == timedelta(minutes=40)
    assert now.mean("mttr", 1) == timedelta(minutes=75)
    assert now.mean("mttr") == timedelta(minutes=(60 + 90 + 200) / 3)
    assert before.mean("mttr", 1) == timedelta(minutes=240)
    assert (now.actions_total, now.actions_done, now.actions_overdue) == (3, 1, 1)
    assert now.completion_rate == pytest.approx(1 / 3)
    weeks = dict(now.weekly)
    assert sum(sum(c.values()) for c in weeks.values()) == 3
    assert weeks[date(2026, 11, 16)] == {1: 1}  # DNS, 10 days before Tuesday the 24th
    assert all(w.weekday() == 0 for w in weeks)


def test_metrics_cli_prints_both_periods_and_json(db, cli) -> None:
    seed_history(db)
    text = cli("metrics")
    assert text.returncode == 0, text.stderr
    assert "MTTR" in text.stdout and "drills left out" in text.stdout
    data = json.loads(cli("metrics", "--json").stdout)
    assert data["current"]["incidents"] == 3 and data["previous"]["incidents"] == 1
    assert data["current"]["mttd_seconds"]["SEV1"] == 300
    assert data["current"]["action_items"]["overdue"] == 1
    week = json.loads(cli("metrics", "--since", "-7d", "--json").stdout)["current"]
    assert week["incidents"] == 1  # only the database failover, 3 days ago
    bad = cli("metrics", "--since", "2026-12-01", "--until", "2026-11-01")
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1


# --- action items ---------------------------------------------------------------------------


def test_actions_cli_lists_overdue_first_and_filters(db, cli) -> None:
    seed_history(db)
    rows = json.loads(cli("actions", "--json").stdout)
    assert [r["description"] for r in rows] == [
        "Alert on replication lag",
        "Lower the resolver TTL",
    ]
    assert rows[0]["overdue"] is True and rows[1]["overdue"] is False
    every = json.loads(cli("actions", "--all", "--json").stdout)
    assert len(every) == 3 and every[-1]["status"] == "done"
    assert [r["owner"] for r in json.loads(cli("actions", "--owner", "RAJ", "--json").stdout)] == [
        "raj"
    ]
    overdue = cli("actions", "--overdue")
    assert overdue.stdout.count("\n") == 1 and "OVERDUE" in overdue.stdout
    bad = cli("actions", "--status", "finished")
    assert bad.returncode == 1 and "finished" in bad.stderr


async def test_action_items_screen_marks_overdue_and_changes_are_recorded(db, clock) -> None:
    numbers = seed_history(db)
    app = make_app(db, clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ActionsScreen)
        table = screen.query_one("#actions", DataTable)
        first = table.get_row_at(0)
        assert first[6].plain == "Alert on replication lag" and "red" in str(first[6].style)
        assert "+2d" in first[5].plain
        await pilot.press("d")  # raj's overdue item is done
        await settle(pilot)
        assert [r.action.description for r in screen.rows] == ["Lower the resolver TTL"]
        # Enter: change the owner and the due date of the remaining one.
        await pilot.press("enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#owner", Input).value = "ana"
        form.query_one("#due", Input).value = "soon"  # refused, the form stays
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is form and "not a date" in str(form.query_one("#form-error").render())
        form.query_one("#due", Input).value = "+14d"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ActionsScreen)
    items = {r.action.description: r for r in reports.action_items(db, today=TODAY)}
    assert items["Lower the resolver TTL"].action.owner == "ana"
    assert items["Lower the resolver TTL"].action.due_date == TODAY + timedelta(days=14)
    timeline = [e.text for e in queries.incident_detail(db, numbers["db"]).timeline]
    assert any("status open → done" in t for t in timeline)  # the follow-through is recorded
    dns = [e.text for e in queries.incident_detail(db, numbers["dns"]).timeline]
    assert any("owner li → ana" in t and "due date" in t for t in dns)


# --- search ---------------------------------------------------------------------------------


def test_search_ranks_finds_prefixes_and_follows_edits_and_deletes(db) -> None:
    numbers = seed_history(db)
    hits = reports.search(db, "shard map")
    assert hits[0].number == numbers["old"]
    assert {h.kind for h in hits} >= {"incident", "entry"}
    assert reports.search(db, "roll")[0].text == "Rolled back the schema migration"  # a prefix
    entry = ops.log_entry(
        db, key=numbers["dns"], text="resolver cache poisoned", author="li", now=NOW
    )
    assert [h.ref_id for h in reports.search(db, "poisoned")] == [entry.id]
    ops.edit_entry(
        db, key=numbers["dns"], entry_id=entry.id, text="resolver cache stale", author="li", now=NOW
    )
    assert reports.search(db, "poisoned") == []
    assert [h.ref_id for h in reports.search(db, "stale")] == [entry.id]
    ops.delete_entry(db, key=numbers["dns"], entry_id=entry.id, author="li", now=NOW)
    assert reports.search(db, "stale") == []
    ops.save_postmortem_field(
        db,
        key=numbers["db"],
        field="root_cause",
        value="Replication lag hid the failover",
        author="mira",
        now=NOW,
    )
    assert [h.kind for h in reports.search(db, "replication lag hid")] == ["postmortem"]


def test_search_treats_the_query_as_words_not_syntax(db) -> None:
    number = ops.declare(db, title="Checkout " + HOSTILE, severity=2, author="mira", now=NOW)
    for query in ('"', "NEAR(", "a AND OR", "x*", "col:foo", "^start", "a -b"):
        try:  # FTS5 operators are only words here: never a syntax error
            reports.search(db, query)
        except IncidentError as error:
            assert "at least one word" in str(error)
    assert reports.search(db, "bold checkout")[0].number == number
    assert reports.search(db, "[/] [bold]")[0].text.startswith("Checkout [/] [bold]x[/bold]")


def test_search_cli(db, cli) -> None:
    numbers = seed_history(db)
    hits = json.loads(cli("search", "shard", "map", "--json").stdout)
    assert hits[0]["incident"] == f"INC-{numbers['old']}"
    assert set(hits[0]) >= {"incident", "kind", "id", "at", "text", "score"}
    assert cli("search", "nothing-like-this").stdout.strip() == "no matches"
    bad = cli("search", "--", "!!!")
    assert bad.returncode == 1 and "at least one word" in bad.stderr


def test_search_on_postgresql(pg) -> None:
    numbers = seed_history(pg)
    hits = reports.search(pg, "shard map")
    assert hits[0].number == numbers["old"]
    assert reports.search(pg, "roll")[0].text == "Rolled back the schema migration"
    found = reports.trends(
        pg, since=NOW - timedelta(days=30), until=NOW, today=TODAY, policy=DEFAULT_POLICY
    )
    assert found.current.incidents == 3 and found.current.mean("mttd", 1) == timedelta(minutes=5)
    assert [r.action.description for r in reports.action_items(pg, today=TODAY, overdue=True)] == [
        "Alert on replication lag"
    ]


def palette_done(app) -> bool:  # type: ignore[no-untyped-def]
    """The palette's last search has finished and an incident's hit is on top."""
    gathering = [
        w for w in app.workers if w.group == CommandPalette._GATHER_COMMANDS_GROUP and w.is_running
    ]
    found = app.screen.query(CommandList)
    return (
        not gathering
        and bool(found)
        and found.first().option_count > 0
        and "INC-" in str(found.first().get_option_at_index(0).prompt)
    )


async def test_palette_search_opens_the_war_room_at_the_matching_entry(db, clock) -> None:
    numbers = seed_history(db)
    app = make_app(db, clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("/")
        await pilot.pause(0.2)
        await pilot.press(*"old shard")
        for _ in patience():  # the search runs in a thread, once for each key typed
            await pilot.pause(0.05)
            if palette_done(app):
                break
        await pilot.press("enter")
        for _ in patience():
            await pilot.pause(0.05)
            screen = app.screen
            if isinstance(screen, WarRoomScreen) and screen.detail is not None:
                break
        await pilot.pause(0.2)
        timeline = app.screen.query_one("#timeline")
        assert app.screen.number == numbers["old"]
        assert timeline.has_focus
        assert timeline.selected_entry.text == "indexer v2.14 writes to the old shard map"


# --- snapshots --------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(120, 36), (80, 24)], ids=["120x36", "80x24"])
class TestSnapshots:
    def test_action_items(self, snap_compare, db, clock, size) -> None:
        seed_history(db)

        async def open_it(pilot) -> None:
            await settle(pilot)
            await pilot.press("i")
            await settle(pilot)

        assert snap_compare(make_app(db, clock), terminal_size=size, run_before=open_it)

    def test_metrics(self, snap_compare, db, clock, size) -> None:
        seed_history(db)

        async def open_it(pilot) -> None:
            await settle(pilot)
            await pilot.press("m")
            await settle(pilot)

        assert snap_compare(make_app(db, clock), terminal_size=size, run_before=open_it)
