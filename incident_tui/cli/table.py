"""The CLI's commands, in the order `--help` lists them: the one table the parser is
built from and `main` dispatches through. A new command is a `@command` handler in its
topic's module and one line here."""

from __future__ import annotations

from incident_tui.cli import alerts, database, incident, postmortem, reports, sessions, watch
from incident_tui.cli.command import Command

COMMANDS: tuple[Command, ...] = (
    sessions.open_,
    incident.declare,
    incident.log,
    incident.phase,
    incident.severity,
    incident.role,
    incident.update,
    incident.public,
    incident.action,
    incident.milestone,
    postmortem.export,
    postmortem.import_,
    sessions.run_,
    reports.list_,
    reports.show,
    reports.actions,
    reports.metrics,
    reports.search,
    sessions.drill,
    alerts.serve,
    alerts.ingest,
    watch.watch,
    database.check,
    sessions.demo,
)

_BY_NAME = {command.name: command for command in COMMANDS}


def command_named(name: str | None) -> Command:
    """The command called `name`; no command at all opens the TUI on the incident list."""
    return _BY_NAME[name or sessions.open_.name]
