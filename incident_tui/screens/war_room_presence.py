"""The war room in the presence table: said when it opens, kept by a heartbeat, gone when
it closes, so the others' presence strip shows who is in the room.

Presence is a courtesy: a failure here is never shown (the trouble banner reports real
trouble with the database), and a session that stops being heard from drops off anyway.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from incident_tui.screens.war_room import WarRoomScreen
    from incident_tui.store.database import Database


class Presence:
    """One war room's row in the presence table, owned by the screen."""

    def __init__(self, screen: WarRoomScreen) -> None:
        self._screen = screen
        self.session_id = uuid.uuid4().hex
        """This screen, in the presence table."""
        self.present = False
        """Said at least once, so there is a row to take away on leaving."""

    def say(self, db: Database) -> None:
        """Here (again): the row's time moves on. From a worker thread too."""
        from incident_tui.ops import mark_present

        screen = self._screen
        try:
            mark_present(
                db,
                session_id=self.session_id,
                key=screen.number,
                name=screen.user,
                host=socket.gethostname(),
                now=screen.now(),
            )
            self.present = True
        except Exception:  # presence is a courtesy: the banner reports real trouble
            pass

    def leave(self, database: Callable[[], Database]) -> None:
        """Gone: the row is taken away, if there is one."""
        if not self.present:
            return
        from incident_tui.ops import leave

        try:
            leave(database(), session_id=self.session_id)
        except Exception:  # gone anyway once it is not heard from
            pass
