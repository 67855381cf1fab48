"""The Markdown template is compiled once per source and renders in the sandbox: a user's
template that loops over `narrative` itself writes what the packaged table writes, an
edited template is used at once, and a template still cannot reach Python."""

from __future__ import annotations

import pytest

from incident_tui.domain.errors import IncidentError
from incident_tui.formats import export
from tests.test_export import draft, scenario

LOOP = (
    "|---|---|---|---|\n"
    "{% for row in narrative %}\n"
    "| {{ row.time }} | {{ row.kind }} | {{ row.event | cell }} | {{ row.actor | cell }} |\n"
    "{% endfor %}\n"
)


def test_a_user_loop_over_the_narrative_matches_the_packaged_table(db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    number = scenario(db)
    (tmp_path / export.TEMPLATE_NAME).write_text(LOOP)
    own = export.to_markdown(draft(db, number), override_dir=tmp_path)
    packaged = export.to_markdown(draft(db, number))
    table = own.removeprefix("|---|---|---|---|\n")
    assert table.count("\n") >= 1 and ("|---|---|---|---|\n" + table) in packaged
    (tmp_path / export.TEMPLATE_NAME).write_text("{{ narrative_table }}")
    assert export.to_markdown(draft(db, number), override_dir=tmp_path) == table


def test_an_edited_template_is_used_and_the_sandbox_still_holds(db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    number = scenario(db)
    path = tmp_path / export.TEMPLATE_NAME
    path.write_text("one {{ detail.key }}")
    assert export.to_markdown(draft(db, number), override_dir=tmp_path) == "one INC-1"
    path.write_text("two {{ detail.key }}")
    assert export.to_markdown(draft(db, number), override_dir=tmp_path) == "two INC-1"
    path.write_text("{{ cycler.__init__.__globals__.os.getcwd() }}")
    with pytest.raises(IncidentError, match="template"):
        export.to_markdown(draft(db, number), override_dir=tmp_path)
