"""The war room's small panes: its heading, who holds which role, the last update per audience.

Each is a Static redrawn from an `IncidentDetail` and the clock; user text goes in as
`Text`, never as markup.
"""

from __future__ import annotations

import textwrap
from datetime import datetime, timedelta, tzinfo

from rich.text import Text
from textual.widgets import Static

from incident_tui.domain.presence import people_here
from incident_tui.domain.records import Deadline, IncidentDetail, Update
from incident_tui.domain.text import one_line
from incident_tui.domain.timeparse import format_duration
from incident_tui.domain.vocabulary import AUDIENCES, CORE_ROLES
from incident_tui.widgets.badges import (
    DIM,
    MARKS,
    OVERDUE,
    WARNING,
    clock_time,
    severity_badge,
    short_duration,
)
from incident_tui.widgets.fit import fit_rows, room_for_lines

ROLE_TITLES = {
    "commander": "commander",
    "tech_lead": "tech lead",
    "comms": "comms",
    "scribe": "scribe",
}
SHORT_ROLE_TITLES = {"commander": "IC", "tech_lead": "TL", "comms": "comms", "scribe": "scribe"}
"""Narrow: the titles incident responders use, so the holder and who held it before fit."""
AUDIENCE_TITLES = {"internal": "internal", "external": "status page", "executive": "executives"}
SHORT_AUDIENCE_TITLES = {"internal": "int", "external": "page", "executive": "exec"}


def _ago(at: datetime, now: datetime) -> str:
    seconds = (now - at).total_seconds()
    if seconds < 60:
        return "just now"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min ago"
    return f"{format_duration(now - at)} ago"


def _for(held: timedelta) -> str:
    """`41 min`, `2 h 5 min`: how long a role has been held, to the minute."""
    if held < timedelta(minutes=1):
        return "just now"
    return format_duration(timedelta(minutes=int(held.total_seconds() // 60)))


def impact_line(milestones: dict, declared_at: datetime, now: datetime) -> str:
    """`impact 52 min` while it lasts; `impact lasted 1 h 3 min` once mitigated."""
    started = milestones.get("started_at") or declared_at
    ended = milestones.get("mitigated_at") or milestones.get("resolved_at")
    if ended is not None:
        return f"impact lasted {format_duration(ended - started)}"
    return f"impact {format_duration(now - started)}"


class Pane(Static):
    """A pane redrawn from state every second or entry: it repaints only when its text
    changed, and lays the screen out again only when its number of lines did."""

    _shown: Text | None = None

    def show_text(self, text: Text) -> None:
        if text == self._shown:
            return
        lines = text.plain.count("\n")
        previous = self._shown.plain.count("\n") if self._shown is not None else -1
        self._shown = text
        self.update(text, layout=lines != previous)


class SidePane(Pane):
    """A pane of the war room's side column (countdowns, roles, checklist, updates): a
    rounded border, lit while it has focus, and a scrollbar when its lines outgrow it."""

    DEFAULT_CSS = """
    SidePane {
        border: round $primary-darken-1;
        padding: 0 1 0 0;
        overflow-y: auto;
    }
    SidePane:focus {
        border: round $accent;
    }
    """


class WarRoomHeading(Pane):
    """Key, severity, phase, time since impact began, the next deadline with its
    countdown, the title as far as it fits, and the clock: the glance, at every width."""

    DEFAULT_CSS = """
    WarRoomHeading {
        height: 1;
        background: $panel;
    }
    """

    def show(
        self,
        detail: IncidentDetail | None,
        now: datetime,
        tz: tzinfo,
        *,
        number: int,
        next_deadline: Deadline | None = None,
    ) -> None:
        width = max(20, self.size.width)
        clock = Text(f" {clock_time(now, tz, seconds=width >= 100)} ", style="bold")
        if detail is None:
            line = Text(f" INC-{number}  loading…")
            line.truncate(max(1, width - clock.cell_len), pad=True)
            line.append_text(clock)
            self.show_text(line)
            return
        line = Text()
        line.append(f" {detail.key} ", style="bold")
        line.append_text(severity_badge(detail.severity))
        line.append(f" {detail.phase.upper()} ", style="bold reverse")
        if detail.is_drill:
            line.append(" DRILL ", style="bold black on #5fd7ff")
        impact = impact_line(detail.milestones, detail.declared_at, now)
        if width < 100:  # "impact" is implied by its place; the deadline needs the room
            impact = impact.replace("impact lasted", "lasted").replace("impact ", "")
        line.append(f" {impact} ", style="bold")
        if next_deadline is not None:
            line.append(" ")
            room = width - line.cell_len - clock.cell_len
            title_cells = len(one_line(detail.title)) + 2
            # A shorter form of the deadline when that lets the whole title fit too.
            shortest = _next_deadline(next_deadline, now, 0).cell_len
            if room - title_cells >= shortest:
                room -= title_cells
            line.append_text(_next_deadline(next_deadline, now, room))
        room = width - line.cell_len - clock.cell_len
        context = context_words(detail)
        if context and room > 12:
            # The context before the title, the title keeping at least a few words.
            shown = one_line(context, max(8, room - 18))
            line.append(" ")
            # (the gap ends the italic run: an SVG renderer drops a run's leading spaces)
            line.append(shown + "  ", style="italic")
            room = width - line.cell_len - clock.cell_len
        if room > 8:
            line.append(
                ("" if context and line.plain.endswith("  ") else "  ") + one_line(detail.title)
            )
        line.truncate(max(1, width - clock.cell_len), overflow="ellipsis", pad=True)
        line.append_text(clock)
        self.show_text(line)


def context_words(detail: IncidentDetail) -> str:
    """`security · checkout-api, payments · region=eu-west-1`: the type, the services, the
    labels, compactly (empty when it has none)."""
    parts = []
    if detail.incident_type:
        parts.append(detail.incident_type)
    if detail.services:
        parts.append(",".join(detail.services))
    if detail.labels:
        parts.append(" ".join(f"{k}={v}" for k, v in detail.labels.items()))
    return " · ".join(parts)


def _next_deadline(deadline: Deadline, now: datetime, room: int) -> Text:
    """`next: internal update in 4:05` or `internal update +5:03 overdue`, shorter when tight."""
    left = (deadline.due_at - now).total_seconds()
    digits = short_duration(left)
    overdue = left <= 0
    short = deadline.name.split(":", 1)[-1] if ":" in deadline.name else deadline.name
    forms = (
        [f"{deadline.title} +{digits} overdue", f"{short} +{digits} overdue"]
        if overdue
        else [
            f"next: {deadline.title} in {digits}",
            f"next {short} in {digits}",
            f"{short} {digits}",
        ]
    )
    chosen = next((f for f in forms if len(f) + 2 <= room), None)
    if chosen is None:  # a long timer label: it gives way, the countdown never does
        tail = f" +{digits} overdue" if overdue else f" {digits}"
        chosen = one_line(short, max(4, room - 2 - len(tail))) + tail
    if overdue:
        return Text(f" {one_line(chosen)} ", style=OVERDUE)
    style = WARNING if left <= 120 else "bold"
    return Text(f" {one_line(chosen)} ", style=style)


class RolesPane(SidePane):
    """Core roles always listed, one line each (a vacant one stands out), then the roles
    the incident's type asks for (vacant too until held), then any other role held.
    After a handover the line ends `← previous holder` while it fits; every holding with
    its times is in the role history (the palette)."""

    def show(
        self, detail: IncidentDetail, now: datetime, tz: tzinfo, *, wanted: tuple[str, ...] = ()
    ) -> None:
        current = {h.role: h for h in detail.holdings if h.ended_at is None}
        before = {h.role: h.holder for h in detail.holdings if h.ended_at is not None}
        width = max(16, self.content_region.width or 40)
        roomy = width >= 40
        listed = tuple(dict.fromkeys((*CORE_ROLES, *wanted)))
        extra = sorted(r for r in current if r not in listed)
        rows: list[Text] = []
        for role in (*listed, *extra):
            titles = ROLE_TITLES if width >= 30 else SHORT_ROLE_TITLES
            title = titles.get(role, one_line(role, 14 if width >= 30 else 8))
            # (at least one space after a long title: `security_lead vacant`)
            line = Text(f"{title:<{10 if width >= 30 else 6}} ", style="bold")
            holding = current.get(role)
            if holding is None:
                line.append("vacant", style=MARKS["vacant"])
            else:
                line.append(one_line(holding.holder, 12))
                previous = before.get(role)
                if previous and previous != holding.holder:
                    # (each styled run starts with a visible character: an SVG renderer
                    # drops leading spaces, so the snapshots show the real spacing)
                    line.append(" ")
                    line.append(f"← {one_line(previous, 12)}", style=DIM)
                since = (
                    f" {clock_time(holding.started_at, tz, seconds=False)}"
                    f" · {_for(now - holding.started_at)}"
                )
                if roomy and max(line.cell_len, 23) + len(since) <= width:
                    line.pad_right(max(0, 23 - line.cell_len))
                    line.append(since, style=DIM)
            # One line per role, always: a long line is cut, never pushes a role out.
            line.truncate(width, overflow="ellipsis")
            rows.append(line)
        # Short of lines (80×24): core roles first, then "+N more" (the role history).
        self.show_text(fit_rows(rows, room_for_lines(self), hint="ctrl+p"))


class UpdatesPane(SidePane):
    """The latest update to each audience, how long ago, and its first line."""

    def show(self, detail: IncidentDetail, now: datetime, tz: tzinfo) -> None:
        roomy = self.content_region.width >= 40
        latest = {}
        for update in detail.updates:
            latest[update.audience] = update
        text = Text()
        for index, audience in enumerate(AUDIENCES):
            if index:
                text.append("\n")
            text.append(
                f"{AUDIENCE_TITLES[audience]:<12}"
                if roomy
                else f"{SHORT_AUDIENCE_TITLES[audience]:<5}",
                style="bold",
            )
            update = latest.get(audience)
            if update is None:
                text.append("none yet", style=DIM)
                continue
            if not roomy:  # narrow: how long ago; the latest words below, as they fit
                text.append(_ago(update.posted_at, now))
                continue
            text.append(f"{clock_time(update.posted_at, tz, seconds=False)} ")
            text.append(f"{_ago(update.posted_at, now)} · {one_line(update.author, 12)}", style=DIM)
            text.append("\n  ")
            text.append(one_line(update.text, 200))
        if not roomy and detail.updates:
            text.append(self._latest_words(detail.updates[-1]))
        self.show_text(text)

    def _latest_words(self, update: Update) -> Text:
        """What was said last, to whom, in the rows under the three audiences."""
        width = max(1, self.content_region.width - 1)
        rows = self.content_region.height - len(AUDIENCES)
        words = Text()
        if rows < 1:
            return words
        said = f"{SHORT_AUDIENCE_TITLES[update.audience]}: {one_line(update.text, 400)}"
        lines = textwrap.wrap(said, width) or [""]
        if len(lines) > rows:  # the last row that fits ends in … (never a scrollbar)
            lines = [*lines[: rows - 1], one_line(" ".join(lines[rows - 1 :]), width)]
        words.append("\n" + "\n".join(lines), style=DIM)
        return words


class PresenceStrip(Pane):
    """Who has this war room open, with the roles they hold: `here: mira (commander) ·
    tom (scribe) · li`. Observers (read-only) are not counted: they write nothing. When
    narrow it drops the roles, then names the first few and counts the rest."""

    DEFAULT_CSS = """
    PresenceStrip {
        height: 1;
        padding: 0 1;
    }
    """

    def show(self, detail: IncidentDetail, now: datetime) -> None:
        people = people_here(detail.presence, detail.holdings, now)
        room = max(20, self.screen.size.width // 2 - 2)
        text = Text()
        if people:
            for with_roles in (True, False):
                text = self._line(people, with_roles, room)
                if text.cell_len <= room:
                    break
        if text != self._shown:
            # Sized to its text: a new width needs a layout, which is rare (arrivals).
            self._shown = text
            self.update(text, layout=True)

    @staticmethod
    def _line(people: list[tuple[str, list[str]]], with_roles: bool, room: int) -> Text:
        text = Text()
        text.append("● ", style="green")
        text.append("here: ", style=DIM)
        for index, (name, roles) in enumerate(people):
            part = Text()
            if index:
                part.append(" ")
                part.append("· ", style=DIM)
            part.append(one_line(name, 16), style="bold")
            if roles and with_roles:
                titles = "+".join(ROLE_TITLES.get(r, one_line(r, 14)) for r in roles)
                part.append(" ")
                part.append(f"({titles})", style=DIM)
            rest = len(people) - index
            if not with_roles and text.cell_len + part.cell_len + 6 > room and rest > 1:
                text.append(f" +{rest} more", style=DIM)
                break
            text.append_text(part)
        return text


class TroubleBanner(Static):
    """A one-line banner while the database cannot be followed or read: what is wrong,
    and that typed text stays put while it retries. Hidden when all is well."""

    DEFAULT_CSS = """
    TroubleBanner {
        display: none;
        height: 1;
        background: $error;
        color: $text;
        text-style: bold;
    }
    """

    _trouble: str | None = None

    @property
    def showing(self) -> bool:
        return self._trouble is not None

    def show(self, trouble: str | None) -> None:
        if trouble == self._trouble:
            return
        self._trouble = trouble
        self.display = trouble is not None
        if trouble is not None:
            # A read-only or damaged database is not being retried: just say what it is.
            lead = (
                ""
                if trouble.startswith(("read-only database", "damaged database"))
                else "Retrying the database; what you type is kept · "
            )
            self.update(
                Text(
                    f" ⚠ {lead}{one_line(trouble, 200)}",
                    no_wrap=True,
                    overflow="ellipsis",
                )
            )
