"""The argument parser: argparse with one-line usage errors, the options every command
takes, relative times as values, and one subparser per command of `cli/table.py`."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from incident_tui import __version__
from incident_tui.cli.command import PROG
from incident_tui.cli.table import COMMANDS
from incident_tui.domain.text import without_surrogates

# `-5m`, `-1h30m`, `-30d`: relative times and dates, which argparse would otherwise take
# for options ("arguments are required: TIME"). None of our options looks like this.
_RELATIVE_ARG = re.compile(r"^-\d+(?:[.]\d+)?(?:[wdhms]\d*)*$", re.IGNORECASE)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line on stderr, like every other error, and a
    relative time (`-5m`) is a value wherever a TIME or DATE goes, no `--` needed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # argparse's own hook for "looks like a negative number, so it is a value".
        self._negative_number_matcher = _RELATIVE_ARG

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{PROG}: error: {message} (see {self.prog} --help)\n")
        raise SystemExit(2)


def _common() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    # SUPPRESS, so an option given before the command is not reset by the subparser.
    common.add_argument(
        "--db",
        default=argparse.SUPPRESS,
        metavar="PATH_OR_URL",
        help="database file or URL (default: $INCIDENT_TUI_DB, else a "
        "SQLite file in the user data dir)",
    )
    common.add_argument(
        "--config",
        default=argparse.SUPPRESS,
        metavar="FILE",
        help="config file (default: config.toml in the user config dir)",
    )
    common.add_argument(
        "--as",
        dest="user",
        default=argparse.SUPPRESS,
        metavar="NAME",
        help="who you are (default: the config's user.name, else the OS user)",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = _Parser(
        prog=PROG,
        parents=[common],
        description="The war room for production outages, in a terminal.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    from incident_tui.cli.sessions import THEME

    parser.add_argument(*THEME.names, **THEME.options)  # `incident-tui --theme NAME`
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for command in COMMANDS:
        p = sub.add_parser(
            command.name,
            parents=[common],
            usage=command.usage,
            help=command.help,
            description=command.description or command.help,
        )
        for argument in command.args:
            p.add_argument(*argument.names, **argument.options)
    return parser


def parse(parser: argparse.ArgumentParser, argv: Sequence[str]) -> argparse.Namespace:
    """The arguments; for `run KEY … -- CMD ARGS…`, everything after the first `--` is the
    command, untouched (its own options are not ours)."""
    # Bytes that are not UTF-8 reach us as lone surrogates (surrogateescape); they can be
    # neither stored nor printed, so each becomes U+FFFD here, once for every command.
    # What follows `run … --` is the command's own and is passed on untouched.
    items = list(argv)
    cut = items.index("--") if "--" in items else len(items)
    running = "run" in items[:cut]
    items = [without_surrogates(item) for item in items[:cut]] + (
        items[cut:] if running else [without_surrogates(item) for item in items[cut:]]
    )
    if running and cut < len(items):
        args = parser.parse_args(items[:cut])
        if args.command == "run":
            if args.command_line:
                parser.error(f"put -- before the command: {PROG} run KEY -- CMD ARGS…")
            args.command_line = items[cut + 1 :]
            if not args.command_line:
                parser.error(f"no command after --: {PROG} run KEY -- CMD ARGS…")
            return args
    args = parser.parse_args(items)
    if args.command == "run":
        parser.error(f"put -- before the command: {PROG} run KEY -- CMD ARGS…")
    return args
