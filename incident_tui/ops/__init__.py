"""The operations people perform on an incident: one implementation for CLI, slash
commands and screens alike.

Each function validates its input, then does its work in one write transaction (retried
whole when the database is busy) that also writes the system timeline entry, if any.
Times are passed in (`now`, `at`) so callers decide the clock.

The names below are imported on first use (module `__getattr__`), so `ops.log_entry`
loads `ops.entries` alone: a CLI command pays for the operation it performs, not all.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from incident_tui.ops.action_items import TRACKED_ACTION_FIELDS, add_action, update_action
    from incident_tui.ops.checklist_ticks import tick_checklist
    from incident_tui.ops.context import set_context
    from incident_tui.ops.declaring import declare
    from incident_tui.ops.entries import (
        delete_entry,
        edit_entry,
        log_entries,
        log_entry,
        log_lines,
        pin_entry,
    )
    from incident_tui.ops.hook_failures import record_hook_failure
    from incident_tui.ops.incident_state import set_phase, set_severity
    from incident_tui.ops.milestones import set_milestone
    from incident_tui.ops.postmortem_edits import (
        delete_why,
        move_why,
        save_postmortem_field,
        save_why,
        stored_points,
    )
    from incident_tui.ops.presence import leave, mark_present
    from incident_tui.ops.roles import hand_over_role
    from incident_tui.ops.rows import MAX_NAME, MAX_TITLE, UNSET, valid_name, valid_text
    from incident_tui.ops.timers import TimerStarted, cancel_timer, snooze_deadline, start_timer
    from incident_tui.ops.updates import post_update

__all__ = [
    "MAX_NAME",
    "MAX_TITLE",
    "TRACKED_ACTION_FIELDS",
    "TimerStarted",
    "UNSET",
    "add_action",
    "cancel_timer",
    "declare",
    "delete_entry",
    "delete_why",
    "edit_entry",
    "hand_over_role",
    "leave",
    "log_entries",
    "log_entry",
    "log_lines",
    "mark_present",
    "move_why",
    "pin_entry",
    "post_update",
    "record_hook_failure",
    "save_postmortem_field",
    "save_why",
    "set_context",
    "set_milestone",
    "set_phase",
    "set_severity",
    "snooze_deadline",
    "start_timer",
    "stored_points",
    "tick_checklist",
    "update_action",
    "valid_name",
    "valid_text",
]

_HOMES: dict[str, str] = {
    "TRACKED_ACTION_FIELDS": "action_items",
    "add_action": "action_items",
    "update_action": "action_items",
    "tick_checklist": "checklist_ticks",
    "set_context": "context",
    "declare": "declaring",
    "delete_entry": "entries",
    "edit_entry": "entries",
    "log_entries": "entries",
    "log_entry": "entries",
    "log_lines": "entries",
    "pin_entry": "entries",
    "record_hook_failure": "hook_failures",
    "set_phase": "incident_state",
    "set_severity": "incident_state",
    "set_milestone": "milestones",
    "delete_why": "postmortem_edits",
    "move_why": "postmortem_edits",
    "save_postmortem_field": "postmortem_edits",
    "save_why": "postmortem_edits",
    "stored_points": "postmortem_edits",
    "leave": "presence",
    "mark_present": "presence",
    "hand_over_role": "roles",
    "MAX_NAME": "rows",
    "MAX_TITLE": "rows",
    "UNSET": "rows",
    "valid_name": "rows",
    "valid_text": "rows",
    "TimerStarted": "timers",
    "cancel_timer": "timers",
    "snooze_deadline": "timers",
    "start_timer": "timers",
    "post_update": "updates",
}
"""Each public name → the module of `incident_tui.ops` that defines it."""


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # the next lookup is a plain module attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})
