"""Timestamped lines read as timeline entries (`incident-tui log KEY --lines FILE`): a
scribe's notes, a shell history, a log.

Pure: the file's bytes, the incident's start, `now` and the display zone in; one
`(instant, text)` per line out, in file order, or an error naming the first bad line.

A line is one of:

- `HH:MM text` or `HH:MM:SS text`: a time of day in the display zone. The first one is
  on the day that puts it nearest the incident's start (the day before, of or after:
  `23:55` for an incident that started at 00:10 is the evening before); each later one
  on the day of the line before, or the next day when it would go back in time: `23:58`
  then `00:03` crosses midnight (a note out of order lands a day late, and is refused
  when that is in the future). After a full instant (below), its day.
- an ISO 8601 instant, then the text: `2026-11-24T09:02:03Z deploy started`
  (`2026-11-24 09:02:03 …`, a space for the `T`, too); one without an offset is read in
  the display zone.
- journalctl's `short-iso` (and `short-iso-precise`) output:
  `2026-11-24T09:02:03+0000 host unit[pid]: message`, which is the form above; the
  text keeps `host unit[pid]: message`, so the entry says where it came from.
  journalctl's own markers (`-- Boot 3f… --`, `-- No entries --`) are skipped.

Blank lines are skipped. Bytes that are not UTF-8 become U+FFFD; escape sequences and
control characters are stripped (`text.clean`). A line with no time at its start, a time
that is not one, a time in the future or no text after the time is an error naming the
line's number; nothing of the file is taken then.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from incident_tui.domain.errors import IncidentError
from incident_tui.domain.instants import event_instant
from incident_tui.domain.text import MAX_TEXT, clean, without_surrogates

MAX_LINES = 100_000
"""Entries one file may add (one transaction): a day of a chatty log, not a year of it."""

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\S+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME_OF_DAY = re.compile(r"^\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})?$")
_LOOKS_LIKE_TIME = re.compile(r"^\d{1,4}[:\-]\d")
_JOURNAL_MARKER = re.compile(r"^-- .* --$")
_HALF_DAY = timedelta(hours=12)


@dataclass(frozen=True)
class TimedLine:
    number: int
    """The line's number in the file, from 1."""
    at: datetime
    """UTC."""
    text: str


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (a byte order mark dropped), U+FFFD for what is not."""
    return without_surrogates(data.decode("utf-8", errors="replace").removeprefix("\ufeff"))


def parse_lines(
    data: bytes | str, *, start: datetime, now: datetime, tz: tzinfo = UTC
) -> list[TimedLine]:
    """Every timestamped line of `data`, in file order (equal times keep it)."""
    text = decode(data) if isinstance(data, bytes) else without_surrogates(data)
    result: list[TimedLine] = []
    reference, first = start, True
    # Split on \n only: a stray \r, \v or \f inside a line is a control character (gone
    # in `clean`), not a line break that would shift every number after it.
    for number, raw in enumerate(text.split("\n"), start=1):
        line = clean(raw.removesuffix("\r").replace("\r", " ")).strip()
        if not line or _JOURNAL_MARKER.match(line):
            continue
        if len(result) >= MAX_LINES:
            raise IncidentError(f"more than {MAX_LINES:,} lines; split the file")
        at, body = _timed(line, number, reference=reference, first=first, tz=tz)
        try:
            event_instant(at, now=now, what=f"line {number}'s time")
        except IncidentError as error:
            hint = (
                " (a time of day earlier than the line before's is the next day)"
                if not first and _CLOCK.match(line.split(" ", 1)[0]) and at > now
                else ""
            )
            raise IncidentError(f"{error}{hint}") from None
        if len(body) > MAX_TEXT:
            raise IncidentError(f"line {number} is longer than {MAX_TEXT:,} characters")
        result.append(TimedLine(number, at, body))
        reference, first = at, False
    if not result:
        raise IncidentError("no lines to log (every line was empty)")
    return result


def _timed(
    line: str, number: int, *, reference: datetime, first: bool, tz: tzinfo
) -> tuple[datetime, str]:
    head, _, rest = line.partition(" ")
    rest = rest.strip()
    clock = _CLOCK.match(head)
    if clock:
        return _on_day(clock, number, reference, tz, first=first), _text(rest, number)
    second, _, after = rest.partition(" ")
    if _DATE.match(head) and _TIME_OF_DAY.match(second):
        return _instant(f"{head}T{second}", number, tz), _text(after.strip(), number)
    if _ISO.match(head):
        return _instant(head, number, tz), _text(rest, number)
    if _LOOKS_LIKE_TIME.match(head):
        raise IncidentError(f"line {number}: {head!r} is not a time (HH:MM, HH:MM:SS, ISO 8601)")
    raise IncidentError(
        f"line {number} does not start with a time "
        "(HH:MM text, an ISO 8601 instant then text, or journalctl's short-iso)"
    )


def _text(rest: str, number: int) -> str:
    if not rest:
        raise IncidentError(f"line {number} has a time but no text")
    return rest


def _on_day(
    clock: re.Match[str], number: int, reference: datetime, tz: tzinfo, *, first: bool
) -> datetime:
    """The first time of day goes on the day nearest the incident's start (the day
    before, of, or after it); a later one on the line before's day, or the next day when
    that would go back in time (across midnight)."""
    hour, minute, second = (int(g) if g else 0 for g in clock.groups())
    if hour > 23 or minute > 59 or second > 59:
        raise IncidentError(f"line {number}: {clock.group(0)!r} is not a time of day")
    day: date = reference.astimezone(tz).date()

    def on(shift: int) -> datetime:
        at = datetime.combine(day + timedelta(days=shift), time(hour, minute, second), tzinfo=tz)
        return at.astimezone(UTC)

    if first:
        return min((on(shift) for shift in (-1, 0, 1)), key=lambda at: abs(at - reference))
    same_day = on(0)
    return same_day if same_day >= reference else on(1)


def _instant(text: str, number: int, tz: tzinfo) -> datetime:
    try:
        parsed = datetime.fromisoformat(text.replace("z", "Z").replace(",", "."))
    except ValueError:
        raise IncidentError(f"line {number}: {text!r} is not an ISO 8601 instant") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        raise IncidentError(f"line {number}: {text!r} is out of range") from None
