"""Keys handled in the order they were typed, by the widget they were typed into.

Textual delivers a printable key to the focused widget's own queue, but a key bound to
an action (Enter → submit, Backspace, Tab → next field, the arrows) only runs once the
event has bubbled up through the parents' queues to the App. Keys typed in a burst
overtake it: the characters of the next line land in the Input before the Enter of the
previous one is acted on (lines merged, submitted twice), and the first letters meant
for the next field land in the current one before the Tab moves the focus.

`InOrderKeys` runs the widget's own bound keys (and Tab / Shift+Tab) in the widget's own
queue, in order with the characters; and a key that reaches it after the focus moved on
is handed to the widget that has the focus now.
"""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.widget import Widget


def _own_keys(widget_type: type) -> dict[str, str]:
    """Key → action of the widget's BINDINGS (a subclass's binding wins)."""
    keys: dict[str, str] = {}
    for cls in reversed(widget_type.__mro__):
        for binding in cls.__dict__.get("BINDINGS", ()):
            if isinstance(binding, Binding):
                key, action = binding.key, binding.action
            else:
                key, action = binding[0], binding[1]
            for one in key.split(","):
                keys[one.strip()] = action
    return keys


class InOrderKeys:
    """Mix in before a text widget class: `class Field(InOrderKeys, Input)`. (A plain
    class: as a Widget it would shadow the text widget's component classes.)"""

    FOCUS_KEYS = {"tab": "focus_next", "shift+tab": "focus_previous"}
    _key_actions: dict[str, str] | None = None

    async def _on_key(self: Widget, event: events.Key) -> None:  # type: ignore[misc]
        focused = self.app.focused
        if focused is not None and focused is not self:
            # Typed after a Tab or a dialog took the focus, but queued here first.
            event.stop()
            event.prevent_default()
            focused.post_message(events.Key(event.key, event.character))
            return
        cls = type(self)
        actions = cls.__dict__.get("_key_actions")
        if actions is None:
            actions = _own_keys(cls)
            cls._key_actions = actions  # type: ignore[attr-defined]
        for key in event.aliases:
            action = actions.get(key)
            if action is not None:
                event.stop()
                event.prevent_default()
                await self.run_action(action)
                return
            move = InOrderKeys.FOCUS_KEYS.get(key)
            if move is not None:
                event.stop()
                event.prevent_default()
                getattr(self.screen, move)()
                return
