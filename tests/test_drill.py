"""Drills: a past incident replayed into a new one marked as practice.

The schedule is checked pure; the replay runs against a real SQLite file with a clock
that the injected wait moves forward (no test sleeps on real time); the command line
runs in a subprocess; the war room opened on a drill is driven with the pilot.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest

from incident_tui import ops
from incident_tui.app import IncidentApp
from incident_tui.cli.demo import seed_demo
from incident_tui.config import Config
from incident_tui.domain.checklists import SEEN_ENTRY
from incident_tui.domain.clock import FrozenClock
from incident_tui.domain.drill_schedule import (
    DrillSource,
    EntryLogged,
    PhaseMoved,
    RoleHandedOver,
    SeverityChanged,
    UpdatePosted,
    drill_title,
    parse_speed,
    schedule,
    severity_at_start,
    source_clock,
    source_events,
)
from incident_tui.domain.errors import IncidentError
from incident_tui.domain.records import (
    Change,
    Entry,
    Holding,
    IncidentDetail,
    IncidentFacts,
    SeverityChange,
    Update,
)
from incident_tui.ops.replay import Replay, StepDone, declare_drill
from incident_tui.screens.war_room import WarRoomScreen
from incident_tui.store import queries
from tests.conftest import FROZEN_AT, CliRunner, row_counts
from tests.test_cli import ok, one_line_error

T0 = FROZEN_AT  # the source's declaration
BACKSTOP_S = 120
"""How long a test waits for what a replay at 1x reaches only in minutes: a limit that
no loaded machine needs, so passing never depends on the machine's speed."""


async def until(pilot, condition) -> None:  # type: ignore[no-untyped-def]
    """Let the app run until `condition()` holds (the backstop only turns a hang into a
    failure)."""
    give_up = time.monotonic() + BACKSTOP_S
    while not condition():
        assert time.monotonic() < give_up, "the app never got there"
        await pilot.pause(0.02)


HOSTILE = "[/] [bold]x[/bold] \x1b[2J tail"


def minutes(m: float) -> timedelta:
    return timedelta(minutes=m)


# --- the schedule (pure) -------------------------------------------------------------------


def entry(id: int, at_min: float, text: str, kind: str = "note", recorded_min: float | None = None):
    occurred = T0 + minutes(at_min)
    recorded = T0 + minutes(recorded_min) if recorded_min is not None else occurred
    return Entry(id, occurred, recorded, kind, "tom", text)


def source(
    *,
    timeline: list[Entry] = (),
    changes: list[Change] = (),
    holdings: list[Holding] = (),
    updates: list = (),
    severity: int = 2,
    severity_changes: list[SeverityChange] = (),
) -> DrillSource:
    detail = IncidentDetail(
        number=3,
        title="Search results empty for EU users",
        severity=severity,
        phase="identified",
        summary="",
        is_drill=False,
        declared_at=T0,
        declared_by="mira",
        milestones={},
        holdings=list(holdings),
        timeline=list(timeline),
        updates=list(updates),
        actions=[],
        facts=IncidentFacts(
            severity=severity,
            phase="identified",
            declared_at=T0,
            started_at=T0 - minutes(7),
            severity_changes=list(severity_changes),
        ),
    )
    return DrillSource(detail, list(changes))


def change(id: int, at_min: float, field: str, old: str, new: str) -> Change:
    at = T0 + minutes(at_min)
    return Change(at, at, field, old, new, "mira", id)


def test_offsets_are_the_source_times_divided_by_the_speed() -> None:
    events = source_events(source(timeline=[entry(1, 1, "one"), entry(2, 10, "two")]))
    at_60 = schedule(events, start=T0, speed=60)
    assert [s.offset for s in at_60] == [timedelta(seconds=1), timedelta(seconds=10)]
    at_half = schedule(events, start=T0, speed=0.5)
    assert [s.offset for s in at_half] == [minutes(2), minutes(20)]
    assert [s.source_offset for s in at_half] == [minutes(1), minutes(10)]


def test_events_before_the_start_fire_at_once_in_the_order_they_happened() -> None:
    # Backdated alerts, typed after the declaration about things seen before it.
    steps = schedule(
        source_events(
            source(
                timeline=[
                    entry(1, -2, "support tickets", recorded_min=3),
                    entry(2, -5, "pager fired", "alert", recorded_min=1),
                    entry(3, 4, "after the start"),
                ],
                holdings=[Holding("commander", "mira", T0, None, "mira")],
            )
        ),
        start=T0,
        speed=10,
    )
    assert [s.offset for s in steps[:3]] == [timedelta(0)] * 3
    assert [s.event for s in steps] == [
        EntryLogged("alert", "pager fired", "tom"),
        EntryLogged("note", "support tickets", "tom"),
        RoleHandedOver("commander", "mira", "mira"),
        EntryLogged("note", "after the start", "tom"),
    ]
    assert [source_clock(s.source_offset) for s in steps] == [
        "T-05:00",
        "T-02:00",
        "T+00:00",
        "T+04:00",
    ]


def test_the_systems_own_entries_are_left_to_the_operations_that_write_them() -> None:
    drill_source = source(
        timeline=[
            entry(1, 0, "Declared SEV2: Search", "status"),
            entry(2, 0, "mira is commander", "role"),
            entry(3, 3, "Phase triage → investigating", "status"),
            entry(4, 4, "Internal update posted: looking", "comm"),
            entry(5, 5, "indexer v2.14 writes to the old shard map", "finding"),
            entry(6, 6, "Severity SEV2 → SEV1", "status"),
        ],
        changes=[
            change(1, 3, "phase", "triage", "investigating"),
            change(2, 6, "severity", "2", "1"),
        ],
        holdings=[Holding("commander", "mira", T0, None, "mira")],
        updates=[Update(1, "internal", "looking", "ana", T0 + minutes(4), "investigating")],
        severity=1,
        severity_changes=[SeverityChange(T0 + minutes(6), 2, 1)],
    )
    events = [s.event for s in schedule(source_events(drill_source), start=T0, speed=1)]
    assert events == [
        RoleHandedOver("commander", "mira", "mira"),
        PhaseMoved("investigating", "mira"),
        UpdatePosted("internal", "looking", "ana"),
        EntryLogged("finding", "indexer v2.14 writes to the old shard map", "tom"),
        SeverityChanged(1, "mira"),
    ]
    assert severity_at_start(drill_source.detail) == 2


def test_events_at_the_same_instant_keep_the_order_they_were_recorded_in() -> None:
    timeline = [entry(i, 2, f"entry {i}", recorded_min=2 + (i % 3)) for i in range(1, 10)]
    steps = schedule(source_events(source(timeline=timeline)), start=T0, speed=3)
    expected = sorted(timeline, key=lambda e: (e.recorded_at, e.id))
    assert [s.event.text for s in steps] == [e.text for e in expected]
    # The same input gives the same schedule, however it was ordered.
    again = schedule(source_events(source(timeline=timeline[::-1])), start=T0, speed=3)
    assert again == steps


def test_a_role_left_vacant_is_replayed_as_vacated() -> None:
    holdings = [
        Holding("scribe", "tom", T0 + minutes(1), T0 + minutes(9), "mira"),
        Holding("sme:db", "li", T0 + minutes(2), T0 + minutes(5), "mira"),
        Holding("sme:db", "raj", T0 + minutes(5), None, "mira"),
    ]
    vacating = Entry(9, T0 + minutes(9), T0 + minutes(9), "role", "ana", "scribe vacated (was tom)")
    steps = schedule(
        source_events(source(holdings=holdings, timeline=[vacating])), start=T0, speed=1
    )
    assert [s.event for s in steps] == [
        RoleHandedOver("scribe", "tom", "mira"),
        RoleHandedOver("sme:db", "li", "mira"),
        RoleHandedOver("sme:db", "raj", "mira"),  # a handover, not a vacating
        RoleHandedOver("scribe", None, "ana"),
    ]


@pytest.mark.parametrize(("text", "speed"), [("1", 1.0), ("60", 60.0), ("0.5", 0.5), ("2x", 2.0)])
def test_speed_accepts_plain_and_fractional_numbers(text: str, speed: float) -> None:
    assert parse_speed(text) == speed


@pytest.mark.parametrize("text", ["0", "-1", "fast", "", "nan", "inf", "1e9", "0.01"])
def test_speed_refuses_what_is_not_a_sane_positive_number(text: str) -> None:
    with pytest.raises(IncidentError, match="speed must be a number"):
        parse_speed(text)
    with pytest.raises(IncidentError):
        schedule([], start=T0, speed=0)


def test_the_drill_title_says_drill_once_and_fits() -> None:
    assert drill_title("EU search", 200) == "Drill: EU search"
    assert drill_title("Drill: EU search", 200) == "Drill: EU search"
    assert len(drill_title("x" * 200, 200)) == 200


def test_the_schedule_imports_neither_textual_nor_the_database() -> None:
    code = (
        "import sys, incident_tui.domain.drill_schedule; "
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('textual', 'sqlalchemy', 'sqlmodel') or m == 'incident_tui.store.database']; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# --- the replay, headless, on a real SQLite file ----------------------------------------------


def seeded_source(db, clock: FrozenClock) -> int:
    """The demo's SEV1 (backdated alerts, roles, phases, a severity change, updates, pins),
    plus a role left vacant and an entry with hostile text."""
    number = seed_demo(db, now=clock.now())
    ops.hand_over_role(db, key=number, role="sme:search", holder=None, author="mira", now=T0)
    ops.log_entry(db, key=number, text=HOSTILE, author="tom", now=T0)
    return number


def fast_replay(db, plan, clock: FrozenClock, **kwargs) -> Replay:
    """A replay whose waits move the frozen clock instead of sleeping."""

    def wait(seconds: float) -> bool:
        clock.advance(seconds=seconds)
        return False

    return Replay(
        db,
        plan,
        clock=clock,
        wait=wait,
        monotonic=lambda: (clock.now() - T0).total_seconds(),
        **kwargs,
    )


def told(detail: IncidentDetail):
    """The entries that tell the story: not status, nor the checklist's seen entries
    (the drill's own operations log those, grouped as the drill did them)."""
    return (e for e in detail.timeline if e.kind != "status" and not e.text.startswith(SEEN_ENTRY))


def mirror(detail: IncidentDetail) -> list[tuple]:
    return [(e.kind, e.author, e.text, e.pinned) for e in told(detail)]


def system_texts(detail: IncidentDetail, prefix: str) -> list[str]:
    return [e.text for e in detail.timeline if e.kind == "status" and e.text.startswith(prefix)]


def source_rows(path: Path, number: int) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        rows = {
            table: conn.execute(
                f"SELECT * FROM {table} WHERE incident_id = ? ORDER BY 1", (number,)
            ).fetchall()
            for table in ("incident_change", "role_holding", "timeline_entry", "status_update")
        }
        rows["incident"] = conn.execute("SELECT * FROM incident WHERE id = ?", (number,)).fetchall()
        return rows
    finally:
        conn.close()


def test_a_replay_mirrors_the_source_and_leaves_it_untouched(db, db_path, clock) -> None:
    number = seeded_source(db, clock)
    before = source_rows(db_path, number)
    original = queries.incident_detail(db, number)
    drill_start = clock.advance(minutes=5)

    plan = declare_drill(db, key=f"INC-{number}", speed=60, author="coach", now=drill_start)
    result = fast_replay(db, plan, clock).run()

    drill = queries.incident_detail(db, plan.number)
    assert (result.replayed, result.skipped, result.stopped) == (len(plan.steps), 0, False)
    assert drill.is_drill and not original.is_drill
    assert drill.title == "Drill: Search results empty for EU users"
    assert drill.declared_by == "coach"
    assert drill.declared_at == drill.milestones["started_at"] == drill_start
    assert drill.timeline[0].text.startswith("Declared SEV2: Drill: Search")  # as it began
    # Same entries, kinds, authors, pins, handovers and updates, each once, in order.
    assert mirror(drill) == mirror(original)
    assert [(h.role, h.holder, h.ended_at is None) for h in drill.holdings] == [
        (h.role, h.holder, h.ended_at is None) for h in original.holdings
    ]
    assert drill.roles == original.roles
    assert "sme:search" not in drill.roles
    assert [(u.audience, u.author, u.text, u.phase) for u in drill.updates] == [
        (u.audience, u.author, u.text, u.phase) for u in original.updates
    ]
    assert (drill.severity, drill.phase) == (original.severity, original.phase) == (1, "identified")
    assert system_texts(drill, "Phase") == system_texts(original, "Phase")
    assert system_texts(drill, "Severity") == system_texts(original, "Severity")
    assert HOSTILE.replace("\x1b[2J", "") in [e.text for e in drill.timeline]
    # On the source's clock, 60 times faster; what came before the declaration, at once.
    for mine, theirs in zip(told(drill), told(original), strict=True):
        late = max(theirs.occurred_at - original.declared_at, timedelta(0))
        assert mine.occurred_at == drill_start + late / 60, (mine.text, theirs.text)

    assert source_rows(db_path, number) == before
    assert queries.incident_detail(db, number) == original


def test_a_rehearsing_commander_acts_in_the_drill_while_it_replays(db, clock) -> None:
    number = seeded_source(db, clock)
    plan = declare_drill(db, key=number, speed=30, author="coach", now=clock.now())
    done: list[StepDone] = []

    def commander_moves_first(step: StepDone) -> None:
        done.append(step)
        if step.index == 0:  # before the replay gets there
            ops.set_phase(db, key=plan.number, phase="investigating", author="kim", now=clock.now())
            ops.log_entry(
                db, key=plan.number, text="kim: I have the bridge", author="kim", now=clock.now()
            )

    result = fast_replay(db, plan, clock, on_step=commander_moves_first).run()

    skipped = [d for d in done if d.error]
    assert [d.step.event for d in skipped] == [PhaseMoved("investigating", "mira")]
    assert "already investigating" in skipped[0].error
    assert (result.replayed, result.skipped) == (len(plan.steps) - 1, 1)
    drill = queries.incident_detail(db, plan.number)
    assert "kim: I have the bridge" in [e.text for e in drill.timeline]
    assert drill.phase == "identified"  # the replay carried on after the refusal


def test_a_stopped_replay_ends_at_once_and_writes_no_more(db, clock) -> None:
    number = seeded_source(db, clock)
    plan = declare_drill(db, key=number, speed=1, author="coach", now=clock.now())
    replay = Replay(db, plan, clock=clock)  # real time: the next event is minutes away
    reports: list[str] = []
    replay.start(reports.append)
    while len(queries.incident_detail(db, plan.number).timeline) < 5:  # the backdated burst
        time.sleep(0.02)
    replay.stop()
    # The next event is minutes away in real time: a replay that ended well within the
    # backstop was stopped, not run out (no bound that depends on the machine's speed).
    replay.join(timeout=BACKSTOP_S)
    assert replay.result is not None and replay.result.stopped
    written = len(queries.incident_detail(db, plan.number).timeline)
    time.sleep(0.1)
    assert len(queries.incident_detail(db, plan.number).timeline) == written
    assert reports[0].startswith(f"{plan.key}: drill of INC-{number} at 1×")


def test_a_missing_source_declares_nothing(db, db_path) -> None:
    before = row_counts(db_path)
    with pytest.raises(IncidentError, match="no incident INC-9"):
        declare_drill(db, key="INC-9", speed=1, author="coach", now=T0)
    with pytest.raises(IncidentError, match="speed"):
        declare_drill(db, key="INC-9", speed=0, author="coach", now=T0)
    assert row_counts(db_path) == before


# --- the command line -----------------------------------------------------------------------


def small_source(db) -> None:
    """INC-1: an alert from before the declaration, a phase change and an update."""
    ops.declare(db, title="Checkout failing", severity=2, author="mira", now=T0, commander="mira")
    ops.log_entry(
        db, key=1, text="payments 5xx", kind="alert", author="tom", at=T0 - minutes(4), now=T0
    )
    ops.set_phase(db, key=1, phase="investigating", author="mira", now=T0 + minutes(1))
    ops.post_update(
        db,
        key=1,
        audience="internal",
        text="Looking at payments",
        author="ana",
        now=T0 + minutes(2),
    )


def test_drill_replays_in_the_terminal_one_line_per_event(cli: CliRunner, db) -> None:
    small_source(db)
    out = ok(cli("drill", "INC-1", "--speed", "600", "--no-open", "--as", "coach")).splitlines()
    assert out[0] == "INC-2"
    assert out[1] == "INC-2: drill of INC-1 at 600×, 4 events within a second"
    events = out[2:-1]
    assert [line.split(None, 2)[1] for line in events] == [
        "T-04:00",
        "T+00:00",
        "T+01:00",
        "T+02:00",
    ]
    assert events[0].endswith("alert · tom: payments 5xx")
    assert events[3].endswith("internal update · ana: Looking at payments")
    assert out[-1] == "INC-2: replay done, 4 of 4 events replayed"
    drill = queries_show(cli, "INC-2")
    assert drill["is_drill"] is True
    assert drill["roles"] == {"commander": "mira"}
    assert drill["phase"] == "investigating"


def queries_show(cli: CliRunner, key: str) -> dict:
    import json

    return json.loads(ok(cli("show", key, "--json")))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("drill", "INC-7"), "no incident INC-7"),
        (("drill", "bogus"), "'bogus' is not an incident key"),
        (("drill", "INC-1", "--speed", "0"), "speed must be a number"),
        (("drill", "INC-1", "--speed", "-2"), "speed must be a number"),
        (("drill", "INC-1", "--speed", "fast"), "speed must be a number"),
        (("drill", "INC-1", "--speed", "1e9"), "speed must be a number"),
    ],
)
def test_drill_refuses_a_bad_key_or_speed_in_one_line_and_writes_nothing(
    cli: CliRunner, db, db_path: Path, args: tuple[str, ...], message: str
) -> None:
    small_source(db)
    before = row_counts(db_path)
    assert message in one_line_error(cli(*args, "--no-open"))
    assert row_counts(db_path) == before


def test_drill_without_a_key_is_a_usage_mistake(cli: CliRunner) -> None:
    one_line_error(cli("drill"), code=2)


def test_ctrl_c_stops_a_headless_replay_with_exit_130(db, db_path: Path) -> None:
    small_source(db)
    env = dict(os.environ, INCIDENT_TUI_DB=str(db_path))
    process = subprocess.Popen(
        [sys.executable, "-m", "incident_tui", "drill", "INC-1", "--no-open"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        lines = [process.stdout.readline() for _ in range(3)]  # key, headline, the alert
        assert lines[0] == "INC-2\n"
        process.send_signal(signal.SIGINT)
        # A backstop only: the replay's next event is minutes away, so an exit at all
        # means the interrupt was handled; a loaded machine may take its time to exit.
        code = process.wait(timeout=BACKSTOP_S)
    finally:
        process.kill()
    stderr = process.stderr.read()
    assert code == 130
    assert "Traceback" not in stderr
    assert stderr.splitlines() == [
        "incident-tui: INC-2: replay stopped (the drill stays, as far as it got)"
    ]


# --- the war room opened on a drill ------------------------------------------------------------


async def test_the_war_room_shows_the_drill_badge_and_replayed_entries_arrive(db, clock) -> None:
    number = seeded_source(db, clock)
    plan = declare_drill(db, key=number, speed=600, author="coach", now=clock.now())
    released = threading.Event()

    def wait(seconds: float) -> bool:
        released.wait(BACKSTOP_S)  # the test says when the replay may go on
        return False

    replay = Replay(db, plan, clock=clock, wait=wait)
    app = IncidentApp(
        database=db,
        config=Config(user_name="kim"),
        clock=clock,
        open_incident=plan.number,
        background=replay,
    )
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(
            pilot,
            lambda: (
                isinstance(pilot.app.screen, WarRoomScreen) and pilot.app.screen.detail is not None
            ),
        )
        screen = pilot.app.screen
        heading = str(screen.query_one("#heading").render())
        assert "DRILL" in heading and "Drill: Search results empty" in heading

        def shown() -> list[str]:
            return [e.text for e in screen.query_one("#timeline").timeline.entries]

        released.set()
        last = "Drafting the next internal update"
        await until(pilot, lambda: last in shown())  # the replay's writes, by the feed
        assert "indexer v2.14 writes to the old shard map" in shown()
        assert screen.detail.roles["commander"] == "mira"
        # The rehearsing scribe types in the same war room while it replays.
        await pilot.press(*"kim takes notes", "enter")
        await until(pilot, lambda: "kim takes notes" in shown())  # a worker writes it
    replay.join(timeout=BACKSTOP_S)
    assert replay.result is not None and not replay.result.stopped


async def test_leaving_the_app_stops_the_replay_without_waiting(db, clock) -> None:
    number = seeded_source(db, clock)
    plan = declare_drill(db, key=number, speed=1, author="coach", now=clock.now())
    replay = Replay(db, plan, clock=clock)  # real time: minutes between events
    app = IncidentApp(
        database=db,
        config=Config(user_name="kim"),
        clock=clock,
        open_incident=plan.number,
        background=replay,
    )
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: getattr(pilot.app.screen, "detail", None) is not None)
        await pilot.press("ctrl+q")
    # Minutes until the next event: stopped (not run out) if it ends within the backstop.
    replay.join(timeout=BACKSTOP_S)
    assert replay.result is not None and replay.result.stopped


async def test_a_drill_starts_from_the_incident_list_by_keyboard(db) -> None:
    """The team lead's way: select a past incident, p, pick a speed: a drill incident
    opens in its war room and the replay fills it."""
    from datetime import UTC, datetime

    from incident_tui.app import IncidentApp
    from incident_tui.cli.demo import seed_demo
    from incident_tui.config import Config
    from incident_tui.domain.clock import SystemClock
    from incident_tui.screens.dialogs import PickScreen
    from incident_tui.screens.war_room import WarRoomScreen
    from tests.test_app import settle

    source = seed_demo(db, now=datetime.now(UTC))
    app = IncidentApp(database=db, config=Config(user_name="lead"), clock=SystemClock())
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = app.screen
        row = [r.number for r in screen.rows].index(source)
        screen.query_one("#incidents").move_cursor(row=row)
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, PickScreen)
        await pilot.press("down", "down", "enter")  # 60×
        await until(
            pilot,
            lambda: (
                isinstance(app.screen, WarRoomScreen)
                and app.screen.detail is not None
                and len(app.screen.detail.timeline) > 3
            ),
        )
        room = app.screen
        assert isinstance(room, WarRoomScreen) and room.number != source
        assert room.detail.is_drill and room.detail.title.startswith("Drill: ")
        assert len(room.detail.timeline) > 3  # the replay is filling it
