"""Commands on the database itself: `check` (integrity, schema, WAL, permissions)."""

from __future__ import annotations

import argparse

from incident_tui.cli.command import arg, command


@command(
    "check",
    "check the database: integrity, schema, WAL, permissions, rows (exit 1 on a problem)",
    arg("--full", action="store_true", help="the full integrity_check (slower than quick_check)"),
    context=False,
)
def check(args: argparse.Namespace) -> int:
    from incident_tui.store.checkup import check as check_database

    checkup = check_database(getattr(args, "db", None), full=args.full)
    print("\n".join(checkup.lines()))
    return 1 if checkup.problems else 0
