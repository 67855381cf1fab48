"""IncidentApp: wiring (database, clock, config, user), the global bindings, the screens.

Start-up stays light: SQLAlchemy is imported and the database opened in a worker after
the first frame, so the window appears at the speed of a bare Textual app.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen

from incident_tui.config import Config
from incident_tui.domain.clock import Clock, SystemClock
from incident_tui.domain.errors import IncidentError
from incident_tui.domain.text import one_line
from incident_tui.screens.wiring import MIN_HEIGHT, MIN_WIDTH
from incident_tui.widgets.app_messages import (
    Background,
    BackgroundReported,
    DatabaseChanged,
    LinkChanged,
)
from incident_tui.widgets.in_order import InOrderApp
from incident_tui.widgets.themes import ThemeMemory

if TYPE_CHECKING:
    from datetime import tzinfo

    from incident_tui.domain.policy import Policy
    from incident_tui.domain.records import IncidentDetail
    from incident_tui.screens.composer import Post
    from incident_tui.screens.declare import Declare
    from incident_tui.screens.handoff import Hand
    from incident_tui.store.change_feed import ChangeFeed
    from incident_tui.store.database import Database


def styles_dir() -> Path:
    """The .tcss folder: packaged inside the wheel, or at the repository root when editable."""
    packaged = Path(__file__).with_name("styles")
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "styles"


def load_every_screen() -> None:
    """Import every screen module, so their bindings are known (the keymap's check)."""
    import importlib
    import pkgutil

    import incident_tui.screens

    for module in pkgutil.iter_modules(incident_tui.screens.__path__, "incident_tui.screens."):
        importlib.import_module(module.name)


def _incident_search():  # type: ignore[no-untyped-def]
    from incident_tui.screens.search import IncidentSearch

    return IncidentSearch


SAFETY_POLL_SECONDS = 10
"""While notifications arrive, screens still poll this often, in case one went missing."""


class IncidentApp(ThemeMemory, InOrderApp, App[None]):
    TITLE = "incident-tui"
    CSS_PATH = [styles_dir() / "app.tcss"]
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="quit", tooltip="Leave incident-tui"),
    ]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    COMMANDS = App.COMMANDS | {lambda: _incident_search()}

    now: reactive[datetime] = reactive(datetime.min, init=False, always_update=True, repaint=False)
    """The injected clock, read once a second by the one app-level tick."""

    changes: reactive[int] = reactive(0, init=False, repaint=False)
    """Counts the change feed's wake-ups: screens watch it and read what is new."""

    link_trouble: reactive[str | None] = reactive(None, init=False, repaint=False)
    """Why the database cannot be followed right now (the screens' banner), or None."""

    def __init__(
        self,
        *,
        db_target: str | None = None,
        database: Database | None = None,
        config: Config | None = None,
        clock: Clock | None = None,
        user: str | None = None,
        open_incident: int | None = None,
        read_only: bool = False,
        read_only_reason: str | None = None,
        background: Background | None = None,
        theme: str | None = None,
        remember_theme: bool = False,
    ) -> None:
        super().__init__()
        self.config = config or Config()
        self.wear(theme, remember=remember_theme, keymap=self.config.keymap)  # widgets/themes
        self.read_only = read_only or read_only_reason is not None
        """Observer mode: everything is shown live, nothing can be written."""
        self.standing_notice = (
            f"read-only database ({read_only_reason}): an observer's view, nothing is written"
            if read_only_reason
            else None
        )
        """Why the app is read-only when the database made it so: the screens' banner."""
        self.clock: Clock = clock or SystemClock()
        self.user = user or self.config.user_name
        self.db_target = db_target
        self.database: Database | None = database
        self.open_incident = open_incident
        self.fatal_error: str | None = None
        self._db_lock = threading.Lock()
        self._feed: ChangeFeed | None = None
        self.background = background
        """Started with the app, stopped when it leaves; its writes reach the screens
        through the change feed, like anyone else's."""
        self._quit_asked = False
        from incident_tui.widgets.paste_input import install

        install()  # pastes reach the widgets whole and in order (see paste_input)

    def on_mount(self) -> None:
        self.link_trouble = self.standing_notice
        self.now = self.clock.now()
        self.clock_timer = self.set_interval(1, self.tick, name="clock")
        if self.open_incident is not None:
            # Straight into the war room: the list is built only if someone goes back.
            from incident_tui.screens.war_room import WarRoomScreen

            self.push_screen(WarRoomScreen(self.open_incident))
        else:
            from incident_tui.screens.incident_list import IncidentListScreen

            self.push_screen(IncidentListScreen())
        self.guard_size()
        if self.background is not None:
            # post_message is thread-safe and never waits: the exit is never held up.
            self.background.start(lambda line: self.post_message(BackgroundReported(line)))

    def start_drill(self, source: int, speed: str) -> None:
        """Declare a drill of incident `source`, replay it beside the app at `speed`, and
        open its war room (the keyboard way to `incident-tui drill`)."""
        from incident_tui.ops.replay import Replay, declare_drill
        from incident_tui.screens.war_room import WarRoomScreen

        db = self.get_database()
        try:
            plan = declare_drill(
                db, key=source, speed=speed, author=self.user, now=self.clock.now()
            )
        except IncidentError as error:
            self.report_error(error)
            return
        if self.background is not None:  # one replay at a time: the newest drill
            self.background.stop()
        self.background = Replay(db, plan, clock=self.clock)
        self.background.start(lambda line: self.post_message(BackgroundReported(line)))
        self.push_screen(WarRoomScreen(plan.number))

    def on_background_reported(self, message: BackgroundReported) -> None:
        self.notify(message.line, markup=False, timeout=6)

    def back_to_list(self) -> None:
        """Leave a war room for the incident list (built now if the app opened on the room)."""
        from incident_tui.screens.incident_list import IncidentListScreen

        below = self.screen_stack[-2] if len(self.screen_stack) > 1 else None
        if isinstance(below, IncidentListScreen):
            self.pop_screen()
        else:
            self.switch_screen(IncidentListScreen())

    # --- navigation: screens open each other through these, never by importing ---------

    def open_incident_at(self, number: int, entry_id: int | None = None) -> None:
        """A war room (from the list, a search hit, an action item), at an entry if given."""
        from incident_tui.screens.war_room import WarRoomScreen

        self.push_screen(WarRoomScreen(number, focus_entry=entry_id))

    def open_declare(self, declare: Declare, declared: Callable[[int | None], None]) -> None:
        """The declare form (this user as the commander it suggests); `declared` gets the
        new incident's number, or None when the form was closed."""
        from incident_tui.screens.declare import DeclareScreen

        types = tuple(sorted(self.config.types))
        self.push_screen(DeclareScreen(declare, self.user, types), declared)

    def open_actions(self) -> None:
        """Action items across every incident."""
        from incident_tui.screens.actions import ActionsScreen

        self.push_screen(ActionsScreen())

    def open_metrics(self) -> None:
        """Metrics across incidents; kept once built (its layout costs more than its sums)."""
        from incident_tui.screens.metrics import MetricsScreen

        if not self.is_screen_installed("metrics"):
            self.install_screen(MetricsScreen(), "metrics")
        self.push_screen("metrics")

    def open_help(self, keys: list[tuple[str, str]]) -> None:
        """Help: `keys` (key, what it does) of the screen asking, then the entry line's."""
        from incident_tui.screens.help import HelpScreen

        self.push_screen(HelpScreen(keys))

    def open_composer(
        self,
        detail: IncidentDetail,
        audience: str,
        *,
        now: datetime,
        tz: tzinfo,
        policy: Policy,
        post: Post,
        drafts: dict[str, str] | None = None,
    ) -> None:
        """The status-update composer for `audience`; `post(audience, text)` posts."""
        from incident_tui.screens.composer import ComposerScreen

        self.push_screen(
            ComposerScreen(
                detail, audience, now=now, tz=tz, policy=policy, post=post, drafts=drafts
            )
        )

    def open_handoff(self, key: str, brief: str, commander: str | None, hand: Hand) -> None:
        """The handover dialog; `hand(text, next_commander)` logs it (see screens/handoff)."""
        from incident_tui.screens.handoff import HandoffScreen

        self.push_screen(HandoffScreen(key, brief, commander, hand))

    def open_postmortem(self, number: int, closed: Callable[[None], None] | None = None) -> None:
        """Incident `number`'s postmortem; `closed` runs when it is left."""
        from incident_tui.screens.postmortem import PostmortemScreen

        self.push_screen(PostmortemScreen(number), closed)

    def tick(self) -> None:
        """The one timer: every countdown, clock and live poll hangs off `now`."""
        self.now = self.clock.now()

    def guard_size(self) -> None:
        """Cover everything with a "too small" message below the smallest usable size."""
        from incident_tui.screens.too_small import TooSmallScreen

        width, height = self.size
        small = width < MIN_WIDTH or height < MIN_HEIGHT
        showing = isinstance(self.screen, TooSmallScreen)
        if small and not showing:
            self.push_screen(TooSmallScreen())
        elif not small and showing:
            self.pop_screen()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The palette offers every action of the screen underneath, by name."""
        commands = getattr(screen, "palette_commands", None)
        if commands is not None:
            for title, help, callback in commands():
                yield SystemCommand(title, help, callback)
        yield from super().get_system_commands(screen)

    def get_database(self) -> Database:
        """The open database; opened on first use (from a worker thread, off the UI path)."""
        with self._db_lock:
            if self.database is None:
                from incident_tui.store.database import open_database

                self.database = open_database(self.db_target)
            if self._feed is None:
                self._start_feed(self.database.url)
                self._start_quick_check(self.database)
            return self.database

    # --- following other writers ------------------------------------------------------

    def _start_feed(self, url: str) -> None:
        """Follow other writers from a thread that only ever posts messages (never waits
        on the UI, so it cannot hold up the exit)."""
        from incident_tui.store.change_feed import ChangeFeed

        self._feed = ChangeFeed(
            url,
            on_change=lambda: self.post_message(DatabaseChanged()),
            on_health=lambda trouble: self.post_message(LinkChanged(trouble)),
        )
        self._feed.start()

    def _start_quick_check(self, database: Database) -> None:
        """SQLite's quick_check, once, in a thread of its own (≈1.4 s at a million
        entries, well after the first frame): a damaged file gets a standing banner."""
        path = database.path
        if path is None:
            return

        def run() -> None:
            from incident_tui.store.checkup import quick_check

            problem = quick_check(path)
            if problem is not None:
                self.standing_notice = problem
                self.post_message(LinkChanged(problem))

        threading.Thread(target=run, name="incident-tui-quick-check", daemon=True).start()

    def on_database_changed(self, _message: DatabaseChanged) -> None:
        self.changes += 1  # the screens' watchers look (and read) right here
        if self._feed is not None:
            self._feed.handled()  # so the feed's next wake-up may come

    def on_link_changed(self, message: LinkChanged) -> None:
        self.link_trouble = message.trouble or self.standing_notice

    def should_poll(self, seconds_since_read: float) -> bool:
        """Whether a screen's tick should look for changes itself: always where looking
        is nearly free (SQLite's data_version) or the feed is down; otherwise as a
        safety net now and then."""
        database, feed = self.database, self._feed
        if database is None or database.is_sqlite or feed is None or not feed.listening:
            return True
        return seconds_since_read >= SAFETY_POLL_SECONDS

    def report_error(self, error: BaseException, *, fatal: bool = False) -> None:
        """Show a failure as one line; leave the app when nothing useful can be shown."""
        if isinstance(error, IncidentError):
            message = str(error)
        else:
            message = f"internal error: {type(error).__name__}: {error}"
        message = one_line(message, 300)
        if fatal:
            self.fail(message)
        else:
            self.notify(message, severity="error", markup=False)

    def fail(self, message: str) -> None:
        """Leave the app and let the CLI print `message` as its one-line error."""
        self.fatal_error = message
        self.exit()

    def unsaved_lines(self) -> int:
        """Lines taken from an entry line and not in the database yet (it is busy)."""
        return sum(len(queue) for queue in self._write_queues())

    def _write_queues(self) -> list:  # type: ignore[type-arg]
        queues = (getattr(screen, "_writes", None) for screen in self.screen_stack)
        return [queue for queue in queues if queue is not None]

    async def action_quit(self) -> None:
        waiting = self.unsaved_lines()
        if waiting and not self._quit_asked:
            self._quit_asked = True
            self.notify(
                f"{waiting} line{'s are' if waiting != 1 else ' is'} not saved yet (the "
                "database is busy): wait for them, or ctrl+q again quits without them",
                severity="warning",
                markup=False,
                timeout=10,
            )
            return
        self.exit()

    def on_unmount(self) -> None:
        for queue in self._write_queues():
            queue.close()
            queue.wait_idle(timeout=2.0)  # a healthy database takes them in milliseconds
        if self.background is not None:
            self.background.stop()
        if self._feed is not None:
            self._feed.stop()
        if self.database is not None and self.db_target is not None:
            self.database.dispose()
