"""The command line: parse arguments, call the operations, print. No logic of its own.

`command.py` says what a command is (`@command`: name, help, arguments and handler in
one place) and the context it runs in; `table.py` lists the commands in `--help`'s
order; `parser.py` builds argparse from that table; one module per topic holds the
handlers (`incident`, `reports`, `postmortem`, `database`, `sessions`). `main` here
dispatches through the table and turns every failure into an exit code.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from incident_tui.cli.command import PROG, Context
from incident_tui.cli.parser import build_parser, parse
from incident_tui.cli.sessions import read_only_reason as _read_only_reason
from incident_tui.cli.table import command_named
from incident_tui.domain.errors import IncidentError

__all__ = ["PROG", "_read_only_reason", "build_parser", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; its exit code: 0 done, 1 refused (a one-line error), 2 a usage
    mistake, 70 an internal error, 130 interrupted (or the code of `run`'s command)."""
    parser = build_parser()
    args = parse(parser, sys.argv[1:] if argv is None else argv)
    chosen = command_named(args.command)
    run: Context | None = None
    try:
        if not chosen.context:
            return chosen.handler(args)
        run = Context(args)
        return chosen.handler(run)
    except IncidentError as error:
        sys.stderr.write(f"{PROG}: error: {error}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG}: interrupted\n")
        return 130
    except BrokenPipeError:
        return 0
    except OverflowError as error:
        # A number or date too big for a conversion we missed: bad input, not a bug.
        sys.stderr.write(f"{PROG}: error: a value is out of range ({error})\n")
        return 1
    except Exception as error:  # never a traceback in the user's face
        if os.environ.get("INCIDENT_TUI_DEBUG"):
            raise
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        sys.stderr.write(
            f"{PROG}: internal error: {type(error).__name__}: {first} "
            "(set INCIDENT_TUI_DEBUG=1 for details)\n"
        )
        return 70
    finally:
        if run is not None:
            run.close()
