"""The README's screenshots, copied from the snapshot tests (frozen clock, 120×36) so
they never go stale: `make screenshots` (after `--snapshot-update`); a test checks that
each copy equals its snapshot."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOTS = ROOT / "tests" / "__snapshots__"
SCREENS = ROOT / "docs" / "screens"
README = ROOT / "README.md"
START, END = "<!-- screens: made by docs/screenshots.py -->", "<!-- /screens -->"

SHOTS: tuple[tuple[str, str, str], ...] = (
    ("incident-list", "test_app/TestSnapshots.test_incident_list[120x36].svg", "The incident list"),
    (
        "war-room",
        "test_commander/TestSnapshots.test_war_room_an_hour_in[120x36].svg",
        "The war room, an hour into a SEV1",
    ),
    ("composer", "test_app/TestSnapshots.test_composer[120x36].svg", "The status-update composer"),
    (
        "postmortem",
        "test_postmortem_screen/test_snapshot_postmortem[120x36].svg",
        "The postmortem draft",
    ),
    ("action-items", "test_across/TestSnapshots.test_action_items[120x36].svg", "Action items"),
    ("metrics", "test_across/TestSnapshots.test_metrics[120x36].svg", "Metrics"),
    ("help", "test_app/TestSnapshots.test_help[120x36].svg", "Help"),
)


def gallery() -> str:
    lines = [START]
    for name, _source, caption in SHOTS:
        lines.append(f"![{caption} (120×36)](docs/screens/{name}.svg)")
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def main() -> int:
    SCREENS.mkdir(parents=True, exist_ok=True)
    for name, source, _caption in SHOTS:
        shutil.copyfile(SNAPSHOTS / source, SCREENS / f"{name}.svg")
    text = README.read_text(encoding="utf-8")
    if START not in text or END not in text:
        sys.stderr.write(f"README.md has no {START} … {END} block to fill\n")
        return 1
    head, rest = text.split(START, 1)
    README.write_text(head + gallery() + rest.split(END, 1)[1], encoding="utf-8")
    print(f"{len(SHOTS)} screenshots in {SCREENS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
