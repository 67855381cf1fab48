"""Team mode: several people, several processes, one incident — on a SQLite file and on
the real PostgreSQL server (127.0.0.1:5432, a schema per test; see conftest)."""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from textual.widgets import Input

from incident_tui import ops
from incident_tui.app import IncidentApp
from incident_tui.config import Config
from incident_tui.screens.dialogs import EditEntryScreen
from incident_tui.screens.war_room import WarRoomScreen
from incident_tui.store import queries
from incident_tui.store.database import open_database
from tests.conftest import FROZEN_AT, row_counts
from tests.terminal import PATIENCE_S
from tests.test_war_room import ready, settled

NOW = FROZEN_AT


def declare(db) -> int:
    return ops.declare(
        db, title="Checkout failing", severity=1, author="mira", now=NOW, commander="mira"
    )


def make_app(db, clock, number: int, user: str = "tom", **kwargs) -> IncidentApp:
    return IncidentApp(
        database=db, config=Config(user_name=user), clock=clock, open_incident=number, **kwargs
    )


async def until(pilot, condition, what: str, seconds: float = PATIENCE_S) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"never happened: {what}")


def shown_texts(screen) -> list[str]:
    return [e.text for e in screen.query_one("#timeline").timeline.entries]


def presence_text(screen) -> str:
    return str(screen.query_one("#presence").render())


# --- seeing each other -------------------------------------------------------------------


async def test_another_writer_wakes_the_screen_without_waiting_for_the_tick(db, clock) -> None:
    """The change feed, not the 1 s tick, brings another writer's entry: the app's tick is
    stopped here, so only the feed can have done it."""
    number = declare(db)
    async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        pilot.app.clock_timer.pause()
        other = open_database(db.url)
        try:
            ops.log_entry(other, key=number, text="seen from the next desk", author="raj", now=NOW)
        finally:
            other.dispose()
        await until(pilot, lambda: "seen from the next desk" in shown_texts(screen), "entry")
        assert pilot.app.changes > 0


async def test_presence_strip_shows_who_has_the_room_open_and_their_role(db, clock) -> None:
    number = declare(db)
    ops.hand_over_role(db, key=number, role="comms", holder="ana", author="mira", now=NOW)
    async with make_app(db, clock, number, user="tom").run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        assert "tom" in presence_text(screen)  # this screen counts itself
        other = open_database(db.url)
        try:
            for session_id, name in (("a", "ana"), ("m", "mira")):
                ops.mark_present(
                    other, session_id=session_id, key=number, name=name, host="h2", now=NOW
                )
            await until(pilot, lambda: "ana" in presence_text(screen), "ana arrives")
            strip = presence_text(screen)
            assert strip.index("mira (commander)") < strip.index("ana (comms)") < strip.index("tom")
            ops.leave(other, session_id="a")
            await until(pilot, lambda: "ana" not in presence_text(screen), "ana leaves")
        finally:
            other.dispose()
        # Someone whose screen died is gone once not heard from for 45 s.
        clock.advance(timedelta(seconds=60))
        pilot.app.tick()
        await pilot.pause()
        assert "mira" not in presence_text(screen)
    assert row_counts(db.path)["presence"] == 1  # mira's stale row; ours left with us


async def test_an_observer_is_not_recorded_as_present(db, clock, db_path) -> None:
    number = declare(db)
    app = make_app(db, clock, number, user="exec", read_only=True)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        assert "exec" not in presence_text(screen)
    assert row_counts(db_path)["presence"] == 0


# --- conflicts ----------------------------------------------------------------------------


async def test_an_edit_that_crossed_anothers_shows_theirs_and_overwrites_only_on_purpose(
    db, clock
) -> None:
    number = declare(db)
    entry = ops.log_entry(db, key=number, text="db failover at 08:55", author="tom", now=NOW)
    async with make_app(db, clock, number, user="tom").run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        await pilot.press("f8")
        await pilot.pause()
        dialog = pilot.app.screen
        assert isinstance(dialog, EditEntryScreen)
        # Meanwhile the commander corrects the same entry at another desk.
        ops.edit_entry(
            db,
            key=number,
            entry_id=entry.id,
            text="db failover at 08:53",
            author="mira",
            now=NOW + timedelta(seconds=5),
        )
        dialog.query_one("#edit-text", Input).value = "db failover at 08:56"
        await pilot.press("enter")
        await pilot.pause()
        assert pilot.app.screen is dialog  # not saved, not closed
        error = str(dialog.query_one("#edit-error").render())
        assert "changed by mira at 09:02:05Z" in error and "db failover at 08:53" in error
        assert queries.incident_detail(db, number).timeline[-1].text == "db failover at 08:53"
        assert dialog.query_one("#edit-text", Input).value == "db failover at 08:56"  # kept
        await pilot.press("enter")  # the scribe is sure: theirs goes to the history
        await pilot.pause()
        assert isinstance(pilot.app.screen, WarRoomScreen)
        assert queries.incident_detail(db, number).timeline[-1].text == "db failover at 08:56"
        await until(pilot, lambda: "db failover at 08:56" in shown_texts(screen), "shown")
    conn = sqlite3.connect(db.path)
    history = conn.execute(
        "SELECT changed_by, text FROM entry_revision WHERE entry_id = ? ORDER BY id", (entry.id,)
    ).fetchall()
    conn.close()
    assert history == [("mira", "db failover at 08:55"), ("tom", "db failover at 08:53")]


RACER = """
import json, sys, time
from datetime import datetime, timezone
from incident_tui import ops
from incident_tui.domain.errors import IncidentError
from incident_tui.store.database import open_database
url, who, phases, holder, start = sys.argv[1:6]
db = open_database(url)
done = {"phases": 0, "roles": 0, "refused": []}
while time.time() < float(start):
    time.sleep(0.001)
for i in range(30):
    try:
        ops.set_phase(db, key=1, phase=phases.split(",")[i % 2], author=who,
                      now=datetime.now(timezone.utc))
        done["phases"] += 1
    except IncidentError as error:
        done["refused"].append(str(error))
    try:
        ops.hand_over_role(db, key=1, role="commander", holder=f"{holder}{i % 3}", author=who,
                           now=datetime.now(timezone.utc))
        done["roles"] += 1
    except IncidentError as error:
        done["refused"].append(str(error))
db.dispose()
print(json.dumps(done))
"""


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_processes_racing_on_phase_and_role_are_both_recorded(
    backend, request, tmp_path
) -> None:
    """Both writers' changes land in the timeline, serialised: every phase entry starts
    where the one before it ended, and the last one recorded is the one that stands."""
    url = str(tmp_path / "race.db") if backend == "sqlite" else request.getfixturevalue("pg_url")
    db = open_database(url)
    try:
        declare(db)
        script = tmp_path / "racer.py"
        script.write_text(RACER)
        start = str(time.time() + 1.5)  # both begin together, past their start-up
        racers = [
            subprocess.Popen(
                [sys.executable, str(script), url, who, phases, holder, start],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for who, phases, holder in (
                ("mira", "investigating,identified", "alex"),
                ("raj", "monitoring,investigating", "bea"),
            )
        ]
        results = []
        for racer in racers:
            out, err = racer.communicate(timeout=120)
            assert racer.returncode == 0, err
            results.append(json.loads(out))
        for result in results:  # refused only as a no-op, never "busy" or "locked"
            assert all("already" in message for message in result["refused"]), result
        detail = queries.incident_detail(db, 1)
        # In commit order (ids: each writer holds the incident's row while it writes),
        # not by time: a writer reads the clock before it waits for the other.
        by_commit = sorted(detail.timeline, key=lambda e: e.id)
        phase_entries = [e.text for e in by_commit if e.text.startswith("Phase ")]
        assert len(phase_entries) == sum(r["phases"] for r in results)
        chain = [
            (text.split()[1], text.split()[3].rstrip(";")) for text in phase_entries
        ]  # "Phase investigating → identified; notes…"
        for (_, ended), (began, _) in zip(chain, chain[1:], strict=False):
            assert began == ended
        assert detail.phase == chain[-1][1]
        role_entries = [e for e in by_commit if e.kind == "role"]
        assert len(role_entries) == 1 + sum(r["roles"] for r in results)  # + the declared one
        open_holdings = [h for h in detail.holdings if h.role == "commander" and h.ended_at is None]
        assert len(open_holdings) == 1
        assert role_entries[-1].text.startswith(f"{open_holdings[0].holder} is commander")
    finally:
        db.dispose()


# --- PostgreSQL: notifications and a lost connection -----------------------------------------


class Proxy:
    """A TCP forwarder in front of the PostgreSQL server that a test can cut and restore,
    as a network would."""

    def __init__(self, upstream: tuple[str, int] = ("127.0.0.1", 5432)) -> None:
        self.upstream = upstream
        self.port = 0
        self._sockets: list[socket.socket] = []
        self._server: socket.socket | None = None

    def start(self) -> None:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(16)
        self.port = server.getsockname()[1]
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.upstream)
            self._sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for s in (source, sink):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self) -> None:
        if self._server is not None:
            try:
                self._server.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
            except OSError:
                pass
            self._server.close()
            self._server = None
        for s in self._sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass
        self._sockets.clear()


def banner(screen) -> str | None:
    widget = screen.query_one("#trouble")
    return str(widget.render()) if widget.display else None


async def test_postgresql_notifications_bring_changes_from_another_host(pg, clock) -> None:
    number = declare(pg)
    async with make_app(pg, clock, number).run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        await until(pilot, lambda: pilot.app._feed.listening, "listening")  # type: ignore[attr-defined]
        other = open_database(pg.url)
        try:
            ops.log_entry(other, key=number, text="from the other site", author="raj", now=NOW)
            ops.hand_over_role(other, key=number, role="comms", holder="ana", author="raj", now=NOW)
        finally:
            other.dispose()
        await until(pilot, lambda: "from the other site" in shown_texts(screen), "entry")
        await until(pilot, lambda: "ana" in str(screen.query_one("#roles").render()), "role")
        assert pilot.app.changes > 0
        assert pilot.app.should_poll(1.0) is False  # listening: no polling each tick


async def test_a_lost_connection_shows_a_banner_keeps_the_text_and_recovers(pg_url, clock) -> None:
    proxy = Proxy()
    proxy.start()
    url = pg_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    db = open_database(url)
    number = declare(db)
    try:
        async with make_app(db, clock, number).run_test(size=(120, 36)) as pilot:
            screen = await ready(pilot)
            await until(pilot, lambda: pilot.app._feed.listening, "listening")  # type: ignore[attr-defined]
            assert banner(screen) is None
            proxy.cut()
            await until(pilot, lambda: banner(screen) is not None, "the banner")
            assert "Retrying" in banner(screen) and "kept" in banner(screen)
            assert pilot.app.should_poll(1.0) is True  # the feed is down: poll instead
            entry = screen.query_one("#entry", Input)
            entry.value = "written while the network was down"
            await pilot.press("enter")
            await settled(pilot)
            assert entry.value == "written while the network was down"
            assert screen.query_one("#entry-status").has_class("-error")
            proxy.start()  # the network is back, on the same port
            await until(pilot, lambda: banner(screen) is None, "the banner goes")
            clock.advance(timedelta(minutes=2))  # the network was down a while
            await pilot.press("enter")
            await settled(pilot)
            assert entry.value == ""
            assert "written while the network was down" in shown_texts(screen)
            [kept] = [
                e
                for e in queries.incident_detail(db, number).timeline
                if e.text == "written while the network was down"
            ]
            assert kept.occurred_at == NOW  # when it was typed, not when it got through
            assert kept.recorded_at == NOW + timedelta(minutes=2)
        assert [e.text for e in queries.incident_detail(db, number).timeline].count(
            "written while the network was down"
        ) == 1
    finally:
        proxy.cut()
        db.dispose()
