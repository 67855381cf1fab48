"""The README's screenshots are the snapshot tests' own pictures: a snapshot updated
without `make screenshots` fails here, so the README never shows an old screen."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).parents[1]
spec = importlib.util.spec_from_file_location("screenshots", ROOT / "docs" / "screenshots.py")
assert spec and spec.loader
screenshots = importlib.util.module_from_spec(spec)
spec.loader.exec_module(screenshots)


def test_each_readme_screenshot_is_its_snapshot() -> None:
    stale = [
        name
        for name, source, _caption in screenshots.SHOTS
        if (screenshots.SCREENS / f"{name}.svg").read_bytes()
        != (screenshots.SNAPSHOTS / source).read_bytes()
    ]
    assert not stale, f"run `make screenshots`: {stale} differ from their snapshots"


def test_the_readme_shows_them_all() -> None:
    assert screenshots.gallery() in (ROOT / "README.md").read_text()
