"""The small panes never cut their last row: at 80×24 the countdowns (and roles) show the
rows that fit whole and `+N more`; the heading keeps a long timer's countdown."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rich.text import Text

from incident_tui import ops
from incident_tui.widgets.fit import fit_rows
from tests.test_commander import NOW, long_incident, rendered
from tests.test_war_room import make_app, ready

SIZES = [(120, 36), (80, 24)]


def test_fit_rows_keeps_whole_rows_and_counts_the_rest() -> None:
    rows = [Text("a"), Text("b\n  b2"), Text("c"), Text("d")]
    assert fit_rows(rows, None).plain == "a\nb\n  b2\nc\nd"
    assert fit_rows(rows, 5).plain == "a\nb\n  b2\nc\nd"
    assert fit_rows(rows, 4).plain == "a\nb\n  b2\n+2 more"
    assert fit_rows(rows, 3, hint="ctrl+o").plain == "a\n+3 more · ctrl+o"
    # The selected row stays in sight.
    assert fit_rows(rows, 3, keep=3).plain.splitlines() == ["c", "d", "+2 more"]


@pytest.mark.parametrize("size", SIZES, ids=["120x36", "80x24"])
async def test_every_countdown_row_is_whole_or_counted(db, clock, size) -> None:
    number = long_incident(db)
    ops.hand_over_role(db, key=number, role="sme:database", holder="kai", author="mira", now=NOW)
    ops.hand_over_role(db, key=number, role="sme:network", holder="lu", author="mira", now=NOW)
    async with make_app(db, clock, number).run_test(size=size) as pilot:
        screen = await ready(pilot)
        pane = screen.query_one("#countdowns")
        lines = rendered(screen, "#countdowns").splitlines()
        assert len(lines) <= pane.content_region.height
        shown = [d for d in screen.deadlines if d.title.split(":")[0].split()[0] in str(lines)]
        if len(lines) < len(screen.deadlines) + 1:  # short of room: the rest counted
            hidden = len(screen.deadlines) - sum(
                1
                for line in lines[:-1]
                if not line.startswith("    ")  # a row's first line
            )
            assert lines[-1].startswith(f"+{hidden} more")
        assert shown
        words = " ".join(" ".join(lines).replace("+12:00 overdue", "").split())
        if size == (120, 36):
            assert "check shard map after rollback" in words  # the timer's label, whole
        else:  # short of lines: labels give way first, so four countdowns show
            assert len(lines) == 5 and lines[-1].startswith("+2 more")
            assert all("overdue" in line for line in lines[:4])
        roles = rendered(screen, "#roles").splitlines()
        assert len(roles) <= screen.query_one("#roles").content_region.height
        if size == (80, 24):
            assert roles[-1].startswith("+2 more")
        else:
            assert any("kai" in line for line in roles) and any("lu" in line for line in roles)


@pytest.mark.parametrize("size", SIZES, ids=["120x36", "80x24"])
async def test_a_long_timer_label_gives_way_to_its_countdown_in_the_heading(db, clock, size):
    number = long_incident(db)
    ops.start_timer(
        db,
        key=number,
        duration=timedelta(minutes=1),
        label="check the shard map of every EU index after the exclude of data-07",
        author="li",
        now=NOW - timedelta(minutes=50),
    )
    async with make_app(db, clock, number).run_test(size=size) as pilot:
        screen = await ready(pilot)
        heading = rendered(screen, "#heading")
        assert "overdue" in heading and "check the" in heading
        assert len(heading) <= size[0]


async def test_at_80x24_the_updates_pane_says_what_was_said_last(db, clock) -> None:
    number = long_incident(db)
    ops.post_update(
        db, key=number, audience="internal", text="Rollback underway", author="ana", now=NOW
    )
    ops.post_update(
        db,
        key=number,
        audience="external",
        text="Search results may be missing for some users in Europe; next update 09:30",
        author="ana",
        now=NOW,
    )
    async with make_app(db, clock, number).run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        pane = screen.query_one("#updates")
        lines = rendered(screen, "#updates").splitlines()
        assert len(lines) <= pane.content_region.height  # nothing scrolls out of sight
        assert all(len(line) <= pane.content_region.width for line in lines)
        below = " ".join(lines[3:])
        assert below.startswith("page: Search results")  # the latest, to whom
        assert "Rollback" not in below
