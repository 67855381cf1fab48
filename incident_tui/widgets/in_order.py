"""Keys handled in the order they were typed, by the widget they were typed into.

Textual delivers a printable key to the focused widget's own queue, but a key bound to
an action (Enter → submit, Backspace, Tab → next field, F9 → delete) only runs once the
event has bubbled up through the parents' queues to the App. Keys typed in a burst
overtake it: the characters of the next line land in the Input before the Enter of the
previous one is acted on (lines merged, submitted twice), the first letters meant for
the next field land in the current one before the Tab moves the focus, and the `y` meant
for a confirmation lands in the entry line before the dialog opens.

`InOrderKeys` runs every bound key (the widget's own, its screen's, the App's) in the
widget's own queue, in order with the characters; and a key that reaches it after the
focus moved on (another field, a dialog) is handed to where the focus is now.
"""

from __future__ import annotations

import asyncio
import sys
import time
import weakref

from textual import events
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input


def _is_text_area(widget: object) -> bool:
    """A TextArea, asked without importing it (≈10 ms before the first frame): until some
    screen has imported TextArea, no widget can be one."""
    module = sys.modules.get("textual.widgets._text_area")
    return module is not None and isinstance(widget, module.TextArea)


class InOrderKeys:
    """Mix in before a text widget class: `class Field(InOrderKeys, Input)`. (A plain
    class: as a Widget it would shadow the text widget's component classes.)"""

    TYPED_KEYS: frozenset[str] = frozenset()
    """Keys the widget itself types, though not printable (a TextArea's Enter)."""

    async def _on_key(self: Widget, event: events.Key) -> None:  # type: ignore[misc]
        try:
            await InOrderKeys._handle(self, event)
        finally:
            done = getattr(event, "_in_order_done", None)
            if done is not None:
                done.set()  # the App hands on the next key only now

    async def _handle(self: Widget, event: events.Key) -> None:  # type: ignore[misc]
        app = self.app
        if self.screen is not app.screen or (app.focused not in (None, self)):
            # Queued here before a Tab or a dialog took the focus: it belongs there now.
            event.stop()
            event.prevent_default()
            (app.focused or app.screen).post_message(events.Key(event.key, event.character))
            return
        if event.is_printable or event.key in self.TYPED_KEYS:  # type: ignore[attr-defined]
            return  # typed into the widget, by the widget's own handler
        bindings = self.screen.active_bindings
        for key in event.aliases:
            active = bindings.get(key)
            if active is None or active.binding.priority:  # priority ones ran already
                continue
            event.stop()
            event.prevent_default()
            if active.enabled:
                await app.run_action(active.binding.action, active.node)
            return


FOCUS_GRACE_S = 0.5
"""How long after its mount a new screen may take to focus a field (its on_mount asks
for the focus with a call later) while keys typed for it wait."""
KEY_PATIENCE_S = 1.0
"""Longest the App waits for a text field to handle one key before handing on the next."""
HOLD_LIMIT = 2000
"""Refreshes keys may wait for a screen that never mounts (a bug): then they go anyway."""


class InOrderApp:
    """Mix in before App: keys reach the screen in the order typed.

    - While a screen is opening (pushed, not yet mounted or focused), keys wait and then
      go where the user will type next, instead of to a screen with nothing focused.
    - With a widget focused that is not a text field, a bound key (F9, `n` on the list,
      Enter in a table) runs here, before the next key is handed on, so the `y` typed
      after F9 reaches the confirmation, not the pane behind it. (Text fields run their
      keys themselves, in their own queue: `InOrderKeys`.)
    """

    _held_keys: list[events.Key | events.Paste] | None = None
    _holding_for = 0
    _fresh: weakref.WeakSet | None = None  # type: ignore[type-arg]
    """Screens pushed a moment ago, still to take the focus."""

    def push_screen(self, screen, *args, **kwargs):  # type: ignore[no-untyped-def]
        self._opened(screen)
        return super().push_screen(screen, *args, **kwargs)  # type: ignore[misc]

    def switch_screen(self, screen, *args, **kwargs):  # type: ignore[no-untyped-def]
        self._opened(screen)
        return super().switch_screen(screen, *args, **kwargs)  # type: ignore[misc]

    def _opened(self, screen: object) -> None:
        if isinstance(screen, Screen):
            if self._fresh is None:
                self._fresh = weakref.WeakSet()
            self._fresh.add(screen)
            self._age(screen, None, HOLD_LIMIT)

    def _age(self, screen: Screen, mounted_at: float | None, limit: int) -> None:
        if self._fresh is None or screen not in self._fresh:
            return
        if screen.is_mounted and mounted_at is None:
            mounted_at = time.monotonic()
        if (
            limit <= 0
            or screen.focused is not None
            or (mounted_at is not None and not screen.focus_chain)
            or (mounted_at is not None and time.monotonic() - mounted_at > FOCUS_GRACE_S)
        ):
            self._fresh.discard(screen)
            return
        self.call_after_refresh(self._age, screen, mounted_at, limit - 1)  # type: ignore[attr-defined]

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            app = self  # type: ignore[assignment]
            if self._held_keys is None:
                self._held_keys = []
            if self._held_keys or self._opening():  # a paste waits in line with the keys
                self._held_keys.append(event)  # type: ignore[arg-type]
                if len(self._held_keys) == 1:
                    self._holding_for = 0
                    app.call_after_refresh(self._release_keys)  # type: ignore[attr-defined]
                return
            await self._deliver(event)
            return
        await super().on_event(event)  # type: ignore[misc]

    async def _deliver(self, event: events.Key | events.Paste) -> None:
        """Hand one key on. To a text field, wait until the field has handled it (its
        action run: a Tab's focus moved, F5's dialog pushed) before the next key goes,
        so the next key goes where the focus is then."""
        if isinstance(event, events.Key):
            if await self._run_bound_key(event):
                return
            # A character only types (nothing to wait for); a bound key may move the focus.
            if not event.is_printable and isinstance(self.focused, InOrderKeys):  # type: ignore[attr-defined]
                done = asyncio.Event()
                event._in_order_done = done  # type: ignore[attr-defined]
                await super().on_event(event)  # type: ignore[misc]
                try:
                    await asyncio.wait_for(done.wait(), KEY_PATIENCE_S)
                except TimeoutError:  # never hold the keyboard up for a stuck widget
                    pass
                return
        await super().on_event(event)  # type: ignore[misc]

    def _opening(self) -> bool:
        screen = self.screen  # type: ignore[attr-defined]
        return self._fresh is not None and screen in self._fresh

    async def _release_keys(self) -> None:
        self._holding_for += 1
        if self._opening() and self._holding_for < HOLD_LIMIT:
            self.call_after_refresh(self._release_keys)  # type: ignore[attr-defined]
            return
        held = self._held_keys or []
        while held:
            event = held.pop(0)
            await self._deliver(event)
            if held and self._opening():  # that key opened a screen: the rest wait for it
                self._holding_for = 0
                self.call_after_refresh(self._release_keys)  # type: ignore[attr-defined]
                return

    async def _run_bound_key(self, event: events.Key) -> bool:
        """Run the key's binding now when the focused widget is not a text field."""
        app = self  # type: ignore[assignment]
        focused = app.focused  # type: ignore[attr-defined]
        if focused is None or isinstance(focused, (InOrderKeys, Input)) or _is_text_area(focused):
            return False  # a text field's own queue may hold keys typed before this one
        bindings = app.screen.active_bindings  # type: ignore[attr-defined]
        for key in event.aliases:
            active = bindings.get(key)
            if active is None:
                continue
            if active.binding.priority:
                return False  # Textual runs those first anyway
            app.app_focus = True  # type: ignore[attr-defined]
            if active.enabled:
                await app.run_action(active.binding.action, active.node)  # type: ignore[attr-defined]
            return True
        return False
