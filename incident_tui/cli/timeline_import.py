"""`log KEY --lines FILE|-`: a file of timestamped lines logged as entries at their own
times, in one transaction (the formats: `domain/line_import.py`, and the README)."""

from __future__ import annotations

import sys

from incident_tui.cli.command import PROG, Context


def usage(message: str) -> int:
    """A usage mistake, as the parser reports one: one line, exit 2."""
    sys.stderr.write(f"{PROG}: error: {message} (see {PROG} log --help)\n")
    return 2


def read_source(name: str) -> bytes:
    """FILE's bytes, or standard input's for '-' (decoded later: odd bytes are U+FFFD)."""
    from incident_tui.domain.errors import IncidentError

    if name == "-":
        return sys.stdin.buffer.read()
    try:
        with open(name, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise IncidentError(f"cannot read {name}: {error.strerror or error}") from None


def log_lines(run: Context) -> int:
    from incident_tui.domain.timeparse import iso_z
    from incident_tui.domain.vocabulary import incident_key, parse_key
    from incident_tui.ops.entries import log_lines as log_them

    a = run.args
    if a.text is not None or a.at is not None or a.pin:
        return usage("--lines takes no TEXT, --at or --pin: each line has its time and text")
    entries = log_them(
        run.db,
        key=a.key,
        data=read_source(a.lines),
        author=a.author or run.user,
        now=run.now,
        tz=run.config.display_tz,
        kind=a.kind,
        actor=a.actor,
    )
    times = sorted(e.occurred_at for e in entries)
    print(
        f"{incident_key(parse_key(a.key))}: {len(entries)} {entries[0].kind} entries logged, "
        f"{iso_z(times[0])} to {iso_z(times[-1])}"
    )
    return 0
