"""The war room's actions by name, for the command palette (`palette_commands`, which the
app asks the screen on top for). A mixin of `WarRoomScreen`.
"""

from __future__ import annotations

from typing import Any

from incident_tui.domain.vocabulary import AUDIENCES, PHASES


class WarRoomPalette:
    """Every action of the war room by name, with the slash commands, audiences, phases
    and severities spelled out."""

    def palette_commands(self) -> list[tuple[str, str, Any]]:
        """Every action by name, for the command palette (observers: only the views)."""
        if self.incident_app.read_only:
            return [
                ("Toggle UTC / local time", "how times are shown", self.action_toggle_tz),
                ("Go to the timeline", "read any entry whole", self.action_focus_timeline),
                ("Reload the incident", "read everything again", self.action_reload),
                ("Help", "keys and slash commands", self.action_help),
            ]
        commands: list[tuple[str, str, Any]] = [
            ("Change phase…", "move the incident to a phase", self.action_pick_phase),
            (
                "Change severity…",
                "cadences and countdowns follow at once",
                self.action_pick_severity,
            ),
            ("Hand over a role…", "/role ROLE NAME", self.action_hand_over),
            ("Role history", "every holder of every role, with times", self.action_role_history),
            ("Pin the selected (or last) entry", "mark it as a key event", self.action_pin),
            (
                "Edit the selected (or last) entry",
                "the previous text is kept",
                self.action_edit_entry,
            ),
            ("Delete the selected entry", "asks first; kept as a mark", self.action_delete_entry),
            (
                "Go to the timeline",
                "select an entry to pin, edit or delete",
                self.action_focus_timeline,
            ),
            ("Reload the incident", "read everything again", self.action_reload),
            ("Back to the incident list", "from an empty entry line", self.action_leave),
            ("Toggle UTC / local time", "how times are shown", self.action_toggle_tz),
            ("Snooze a countdown…", "5, 10 or 15 minutes, logged", self.action_focus_countdowns),
            (
                "Tick a checklist item…",
                "The phase's checklist; logged",
                self.action_focus_checklist,
            ),
            ("Help", "keys and slash commands", self.action_help),
            (
                "Postmortem",
                "write the blameless draft, see metrics and lint, export",
                self.action_postmortem,
            ),
        ]
        from incident_tui.domain.entry_syntax import SLASH_COMMANDS

        for slash in SLASH_COMMANDS:
            commands.append(
                (slash.usage, slash.help, lambda name=slash.name: self.start_command(name))
            )
        for audience in AUDIENCES:
            commands.append(
                (
                    f"Status update: {audience}",
                    "open the composer",
                    lambda a=audience: self.open_composer(a),
                )
            )
        from incident_tui.domain.entry_syntax import SetPhase, SetSeverity

        for phase in PHASES:
            commands.append(
                (f"Phase → {phase}", "change phase", lambda p=phase: self.submit(SetPhase(p)))
            )
        for sev in (1, 2, 3, 4):
            commands.append(
                (
                    f"Severity → SEV{sev}",
                    "change severity",
                    lambda s=sev: self.submit(SetSeverity(s)),
                )
            )
        return commands
