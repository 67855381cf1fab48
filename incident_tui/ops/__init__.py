"""The operations people perform on an incident: one implementation for CLI, slash
commands and screens alike.

Each function validates its input, then does its work in one write transaction (retried
whole when the database is busy) that also writes the system timeline entry, if any.
Times are passed in (`now`, `at`) so callers decide the clock.
"""

from incident_tui.ops.action_items import TRACKED_ACTION_FIELDS, add_action, update_action
from incident_tui.ops.checklist_ticks import tick_checklist
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
