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


def log_slack(run: Context) -> int:
    """`log KEY --slack DIR`: a Slack channel export's messages, one entry each."""
    from pathlib import Path

    from incident_tui.domain.errors import IncidentError
    from incident_tui.domain.slack_export import chat_lines, is_day_file, user_names
    from incident_tui.domain.timeparse import iso_z
    from incident_tui.domain.vocabulary import incident_key, parse_key
    from incident_tui.ops.entries import log_entries

    a = run.args
    if a.text is not None or a.at is not None or a.pin or a.lines is not None or a.actor:
        return usage(
            "--slack takes no TEXT, --at, --pin, --lines or --actor: each message has its own"
        )
    folder = Path(a.slack)
    if not folder.is_dir():
        raise IncidentError(f"{folder} is not a folder (a Slack export's channel folder)")
    days = sorted(p for p in folder.iterdir() if is_day_file(p.name))
    if not days:
        raise IncidentError(f"{folder} holds no day files (YYYY-MM-DD.json) of a Slack export")
    users = next(
        (p for p in (folder / "users.json", folder.parent / "users.json") if p.is_file()), None
    )
    names = user_names(read_source(str(users)) if users else None)
    lines = chat_lines({p.name: read_source(str(p)) for p in days}, names)
    if not lines:
        raise IncidentError(f"no messages with text in {folder}")
    entries = log_entries(
        run.db,
        key=a.key,
        lines=[(line.at, line.text) for line in lines],
        actors=[line.who for line in lines],
        author=a.author or run.user,
        now=run.now,
        kind=a.kind,
    )
    print(
        f"{incident_key(parse_key(a.key))}: {len(entries)} messages logged from {len(days)} "
        f"day files, {iso_z(entries[0].occurred_at)} to {iso_z(entries[-1].occurred_at)}"
    )
    return 0
