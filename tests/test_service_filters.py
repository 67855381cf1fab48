"""Issue 20, item 1: the list, the action items, the metrics and search by service —
`--service NAME` (repeatable: any of them) on the CLI, the screens' filter key, and the
metrics split by service (an incident in two services counts in both; one with none
under "(none)")."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from incident_tui import ops
from incident_tui.domain.context import context_change
from incident_tui.domain.errors import IncidentError
from incident_tui.domain.policy import DEFAULT_POLICY
from incident_tui.domain.trends import NO_SERVICE
from incident_tui.store import queries, reports
from tests.conftest import eventually
from tests.test_across import NOW, TODAY, make_app, seed_history
from tests.test_app import settle


def seed_services(db) -> dict[str, int]:
    """seed_history's incidents, with services: the database failover affects postgres
    and checkout-api, the DNS one checkout-api, the queue backlog none, the old shard map
    (the period before) postgres, and the drill (never counted) postgres."""
    numbers = seed_history(db)
    for name, services in (
        ("db", ["postgres", "Checkout-API"]),
        ("dns", ["checkout-api"]),
        ("old", ["postgres"]),
        ("drill", ["postgres"]),
    ):
        ops.set_context(
            db,
            key=numbers[name],
            change=context_change(services=services),
            author="mira",
            now=NOW,
        )
    return numbers


def keys(numbers: dict[str, int], *names: str) -> list[str]:
    return [f"INC-{numbers[name]}" for name in names]


# --- the store ----------------------------------------------------------------------------


def test_metrics_split_by_service_count_an_incident_in_each_of_its_services(db) -> None:
    seed_services(db)
    found = reports.trends(
        db, since=NOW - timedelta(days=30), until=NOW, today=TODAY, policy=DEFAULT_POLICY
    )
    now, before = found.current, found.previous
    assert now.incidents == 3  # the split adds none
    assert list(now.by_service) == ["checkout-api", "postgres", NO_SERVICE]
    checkout = now.by_service["checkout-api"]  # the failover and DNS
    assert checkout.incidents == 2
    assert checkout.mean("mttd") == timedelta(minutes=5)  # (4 + 6) / 2
    assert checkout.mean("mtta") == timedelta(minutes=3)
    assert checkout.mean("mttm") == timedelta(minutes=40)
    assert checkout.mean("mttr") == timedelta(minutes=75)
    assert now.by_service["postgres"].incidents == 1  # the drill is not here
    assert now.by_service["postgres"].mean("mttr") == timedelta(minutes=60)
    assert now.by_service[NO_SERVICE].incidents == 1
    assert now.by_service[NO_SERVICE].mean("mttr") == timedelta(minutes=200)
    assert list(before.by_service) == ["postgres"]
    assert before.by_service["postgres"].mean("mttr") == timedelta(minutes=240)


def test_metrics_of_one_service_filter_everything_in_sql(db) -> None:
    seed_services(db)
    found = reports.trends(
        db,
        since=NOW - timedelta(days=30),
        until=NOW,
        today=TODAY,
        policy=DEFAULT_POLICY,
        services=["POSTGRES"],
    )
    now, before = found.current, found.previous
    assert (now.incidents, before.incidents) == (1, 1)
    assert now.mean("mttr") == timedelta(minutes=60)
    assert (now.actions_total, now.actions_done, now.actions_overdue) == (1, 0, 1)
    # The failover's other service still shows in the split: it is that incident's.
    assert list(now.by_service) == ["checkout-api", "postgres"]
    nothing = reports.trends(
        db,
        since=NOW - timedelta(days=30),
        until=NOW,
        today=TODAY,
        policy=DEFAULT_POLICY,
        services=["no-such-service"],
    )
    assert nothing.current.incidents == 0 and nothing.current.by_service == {}


def test_the_list_actions_and_search_filter_by_any_of_the_services(db) -> None:
    numbers = seed_services(db)
    listed = queries.list_incidents(db, now=NOW, include_closed=True, services=["checkout-api"])
    assert [s.key for s in listed] == keys(numbers, "dns", "db")  # active: the oldest first
    both = queries.list_incidents(
        db, now=NOW, include_closed=True, services=["dns", "checkout-api", "nope"]
    )
    assert sorted(s.key for s in both) == sorted(keys(numbers, "db", "dns"))
    assert queries.list_incidents(db, now=NOW, include_closed=True, services=["nope"]) == []
    assert len(queries.list_incidents(db, now=NOW, include_closed=True, services=[])) == 5

    owned = reports.action_items(db, today=TODAY, services=["postgres"])
    assert [r.action.description for r in owned] == ["Alert on replication lag"]
    assert [r.number for r in reports.action_items(db, today=TODAY, services=["dns"])] == []

    assert {h.number for h in reports.search(db, "shard map", services=["postgres"])} == {
        numbers["old"]
    }
    assert reports.search(db, "shard map", services=["checkout-api"]) == []
    rolled = reports.search(db, "rolled back", services=["checkout-api"])  # an entry
    assert [(h.number, h.kind) for h in rolled] == [(numbers["db"], "entry")]
    assert reports.search(db, "rolled back", services=["dns"]) == []
    assert reports.service_names(db) == ["checkout-api", "postgres"]
    with pytest.raises(IncidentError, match="service 'bad name!'"):
        reports.search(db, "shard", services=["bad name!"])


# --- the command line -----------------------------------------------------------------------


def test_cli_list_and_actions_take_service(db, cli) -> None:
    numbers = seed_services(db)
    listed = json.loads(cli("list", "--all", "--service", "CHECKOUT-API", "--json").stdout)
    assert [row["key"] for row in listed] == keys(numbers, "dns", "db")
    # Only filtered: the rows' shape is the list's (DESIGN.md).
    assert set(listed[0]) >= {
        "key",
        "title",
        "severity",
        "phase",
        "started_at",
        "commander",
        "next_deadline",
    }
    none = cli("list", "--all", "--service", "nope")
    assert none.returncode == 0 and none.stdout.strip() == "no incidents of nope"
    assert json.loads(cli("list", "--all", "--service", "nope", "--json").stdout) == []
    bad = cli("list", "--service", "bad name!")
    assert bad.returncode != 0 and bad.stderr.count("\n") == 1 and "bad name!" in bad.stderr
    assert "Traceback" not in bad.stderr

    rows = json.loads(
        cli("actions", "--service", "postgres", "--service", "checkout-api", "--json").stdout
    )
    assert [r["description"] for r in rows] == [
        "Alert on replication lag",
        "Lower the resolver TTL",
    ]
    only = json.loads(cli("actions", "--service", "postgres", "--json").stdout)
    assert [r["description"] for r in only] == ["Alert on replication lag"]
    assert cli("actions", "--service", "nope").stdout.strip() == "no action items"
    assert cli("actions", "--service", "a b").returncode != 0


def test_cli_metrics_by_service_text_and_json(db, cli) -> None:
    seed_services(db)
    data = json.loads(cli("metrics", "--json").stdout)
    split = data["current"]["by_service"]
    assert list(split) == ["checkout-api", "postgres", "(none)"]
    assert split["checkout-api"] == {
        "incidents": 2,
        "mttd_seconds": 300,
        "mtta_seconds": 180,
        "mttm_seconds": 2400,
        "mttr_seconds": 4500,
    }
    assert split["(none)"]["incidents"] == 1
    assert data["previous"]["by_service"]["postgres"]["mttr_seconds"] == 240 * 60
    assert data["current"]["mttd_seconds"]["SEV1"] == 300  # the old keys as they were
    only = json.loads(cli("metrics", "--service", "postgres", "--json").stdout)
    assert only["current"]["incidents"] == 1 and only["previous"]["incidents"] == 1
    text = cli("metrics").stdout
    assert "by service (this period):" in text
    line = next(row for row in text.splitlines() if row.strip().startswith("checkout-api"))
    assert line.split()[:3] == ["checkout-api", "2", "0"]
    assert cli("metrics", "--service", "-bad").returncode != 0


def test_cli_search_takes_service(db, cli) -> None:
    numbers = seed_services(db)
    hits = json.loads(cli("search", "shard", "map", "--service", "postgres", "--json").stdout)
    assert hits and {h["incident"] for h in hits} == set(keys(numbers, "old"))
    assert set(hits[0]) == {
        "incident",
        "incident_title",
        "kind",
        "id",
        "at",
        "text",
        "score",
        "is_drill",
    }
    assert cli("search", "shard", "--service", "checkout-api").stdout.strip() == "no matches"
    assert cli("search", "shard", "--service", "nope").returncode == 0


# --- the screens ----------------------------------------------------------------------------


async def pick(pilot, name: str) -> None:
    """In the service picker (PickScreen): move to `name` and choose it."""
    from textual.widgets import OptionList

    from incident_tui.screens.dialogs import PickScreen

    await eventually(pilot, lambda: isinstance(pilot.app.screen, PickScreen), "the picker")
    options = pilot.app.screen.query_one(OptionList)
    ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
    options.highlighted = ids.index(name)
    await pilot.press("enter")
    await settle(pilot)


async def test_the_list_and_metrics_filter_key_offers_the_services_and_clears(db, clock) -> None:
    from textual.widgets import OptionList, Static

    from incident_tui.screens.dialogs import PickScreen
    from incident_tui.screens.incident_list import IncidentListScreen
    from incident_tui.screens.metrics import MetricsScreen
    from incident_tui.screens.service_filter import EVERY_SERVICE

    numbers = seed_services(db)
    app = make_app(db, clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, IncidentListScreen) and len(screen.rows) == 5
        await pilot.press("f")
        await eventually(pilot, lambda: isinstance(app.screen, PickScreen), "the picker")
        options = app.screen.query_one(OptionList)
        offered = [str(options.get_option_at_index(i).prompt) for i in range(3)]
        assert offered == ["every service (no filter)", "checkout-api", "postgres"]
        await pick(pilot, "checkout-api")
        assert app.screen is screen and screen.services == ("checkout-api",)
        assert [row.key for row in screen.rows] == keys(numbers, "dns", "db")
        assert "service: checkout-api" in str(screen.query_one("#list-title", Static).render())
        await pilot.press("f")
        await pick(pilot, EVERY_SERVICE)  # the empty choice: every incident again
        assert screen.services == () and len(screen.rows) == 5

        await pilot.press("m")
        await settle(pilot)
        metrics = app.screen
        assert isinstance(metrics, MetricsScreen) and metrics.trends is not None
        assert metrics.trends.current.incidents == 3
        await pilot.press("f")
        await pick(pilot, "postgres")
        await eventually(
            pilot,
            lambda: metrics.trends is not None and metrics.trends.current.incidents == 1,
            "postgres's metrics",
        )
        shown = str(metrics.query_one("#metrics-title", Static).render())
        assert shown.startswith("Metrics · service: postgres")
        assert "By service" in str(metrics.query_one("#metrics-table", Static).render())


class TestSnapshots:
    def test_metrics_by_service(self, snap_compare, db, clock) -> None:
        seed_services(db)

        async def open_it(pilot) -> None:
            await settle(pilot)
            await pilot.press("m")
            await settle(pilot)

        assert snap_compare(make_app(db, clock), terminal_size=(120, 36), run_before=open_it)

    def test_list_of_one_service(self, snap_compare, db, clock) -> None:
        seed_services(db)

        async def filter_it(pilot) -> None:
            await settle(pilot)
            await pilot.press("f")
            await settle(pilot)
            await pilot.press("down", "enter")  # the first service: checkout-api
            await settle(pilot)

        assert snap_compare(make_app(db, clock), terminal_size=(120, 36), run_before=filter_it)
