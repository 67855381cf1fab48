"""What a CLI command is: its name, help and arguments bound to its handler in one place
(`@command`), and the context a handler runs in (config, clock, user, database)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PROG = "incident-tui"


@dataclass(frozen=True)
class Arg:
    """One `add_argument` call, kept for the parser."""

    names: tuple[str, ...]
    options: dict[str, Any] = field(default_factory=dict)


def arg(*names: str, **options: Any) -> Arg:
    """An argument of a command, exactly as `ArgumentParser.add_argument` takes it."""
    return Arg(names, options)


@dataclass(frozen=True)
class Command:
    """A subcommand: what `--help` says of it, its arguments, and its handler.

    The handler takes the `Context` and returns the exit code; with `context=False` it
    takes the parsed arguments instead (commands that need neither config nor database,
    or open them their own way)."""

    name: str
    help: str
    handler: Callable[[Any], int]
    args: tuple[Arg, ...] = ()
    context: bool = True
    usage: str | None = None
    description: str | None = None


def command(
    name: str,
    help: str,
    *args: Arg,
    context: bool = True,
    usage: str | None = None,
    description: str | None = None,
) -> Callable[[Callable[[Any], int]], Command]:
    """Bind a handler to its subcommand: `@command("log", "add a timeline entry", arg(…))`.
    The decorated name is the `Command`; list it in `cli/table.py` to make it a command."""

    def bind(handler: Callable[[Any], int]) -> Command:
        return Command(name, help, handler, args, context, usage, description)

    return bind


class Context:
    """What every command needs: config, clock, the user's name, the database (lazily)."""

    def __init__(self, args: argparse.Namespace) -> None:
        from incident_tui.config import load_config
        from incident_tui.domain.clock import clock_from_env

        self.args = args
        self.config = load_config(getattr(args, "config", None))
        self.clock = clock_from_env()
        self.now = self.clock.now()
        self.user = getattr(args, "user", None) or self.config.user_name
        self._db = None

    @property
    def db(self):  # type: ignore[no-untyped-def]
        if self._db is None:
            from incident_tui.store.database import open_database

            self._db = open_database(getattr(self.args, "db", None))
        return self._db

    def time(self, text: str | None):  # type: ignore[no-untyped-def]
        if text is None:
            return None
        from incident_tui.domain.timeparse import parse_past_time

        return parse_past_time(text, now=self.now, tz=self.config.display_tz)

    def target(self, key: str, author: str | None = None):  # type: ignore[no-untyped-def]
        """Incident `key`, as `author` (default: you), now: where `ops.dispatch.perform` acts."""
        from incident_tui.ops.dispatch import Target

        return Target(self.db, key, author or self.user, self.now)

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()


def text_arg(value: str) -> str:
    """A TEXT argument; `-` means standard input (for long or multi-line text)."""
    if value == "-":
        # Bytes, so text that is not UTF-8 is logged with U+FFFD in place of the bad
        # bytes rather than failing the command.
        return sys.stdin.buffer.read().decode("utf-8", errors="replace")
    return value


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")
