"""The CLI's commands, in the order `--help` lists them: the one table the parser is
built from and `main` dispatches through. A new command is a `@command` handler in its
topic's module and one line here."""

from __future__ import annotations

from incident_tui.cli import (
    alerts,
    completion,
    database,
    incident,
    postmortem,
    reports,
    sessions,
    settings,
    statuspage,
    watch,
    web,
)
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
    incident.context,
    incident.action,
    incident.milestone,
    postmortem.export,
    postmortem.import_,
    sessions.run_,
    reports.list_,
    reports.show,
    reports.handoff,
    reports.actions,
    reports.metrics,
    reports.search,
    sessions.drill,
    alerts.serve,
    alerts.ingest,
    statuspage.statuspage,
    watch.watch,
    database.check,
    settings.config_,
    completion.completion,
    sessions.demo,
    web.web,
)

_BY_NAME = {command.name: command for command in COMMANDS}


def command_named(name: str | None) -> Command:
    """The command called `name`; no command at all opens the TUI on the incident list."""
    return _BY_NAME[name or sessions.open_.name]
