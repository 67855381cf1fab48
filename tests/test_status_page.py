"""`incident-tui statuspage DIR`: the static page and its Atom feed, from what the public
was told only; escaped, written atomically, checked by a real feed parser and a real
browser (headless chromium, when installed)."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from incident_tui import ops
from incident_tui.formats import status_page as page
from incident_tui.ops.public_words import set_public_description
from incident_tui.store.public_reads import public_incidents
from tests.conftest import FROZEN_AT

SECRET = "ZEBRA-SECRET"
NASTY = "<script>alert('x')</script> & \"quotes\" ]]> <b>"


def _story(db, now=FROZEN_AT):  # type: ignore[no-untyped-def]
    """One open incident told twice to the public (and more to everyone else), one
    resolved three days ago, one resolved ten days ago, one never told, a drill."""
    t = now - timedelta(hours=2)
    open_ = ops.declare(
        db, title=f"indexer {SECRET} shard map", severity=1, author="li", now=t,
        summary=f"summary {SECRET}",
    )  # fmt: skip
    ops.post_update(
        db, key=open_, audience="internal", text=f"internal {SECRET}", author="li", now=t
    )
    ops.post_update(db, key=open_, audience="executive", text=f"exec {SECRET}", author="li", now=t)
    ops.log_entry(db, key=open_, text=f"entry {SECRET}", author="li", now=t)
    ops.post_update(
        db,
        key=open_,
        audience="external",
        text=f"Affected: Search may miss results {NASTY}\nWe are investigating.\n"
        f"internal: {SECRET} line\nSeverity: SEV1",
        author="li",
        now=t + timedelta(minutes=5),
    )
    ops.set_phase(db, key=open_, phase="identified", author="li", now=t + timedelta(minutes=20))
    ops.post_update(
        db,
        key=open_,
        audience="external",
        text="NEWEST: a fix is rolling out.",
        author="li",
        now=t + timedelta(minutes=30),
    )
    old = []
    for days in (3, 10):
        at = now - timedelta(days=days)
        number = ops.declare(db, title=f"old {SECRET} {days}", severity=2, author="li", now=at)
        set_public_description(
            db, key=number, text=f"Checkout was slow ({days} days ago)", author="li", now=at
        )
        ops.post_update(
            db, key=number, audience="external", text=f"Slow checkout {days}", author="li", now=at
        )
        ops.set_phase(db, key=number, phase="resolved", author="li", now=at + timedelta(hours=1))
        old.append(number)
    ops.declare(db, title=f"untold {SECRET}", severity=3, author="li", now=t)
    drill = ops.declare(db, title="drill", severity=1, author="li", now=t, is_drill=True)
    ops.post_update(db, key=drill, audience="external", text="DRILL words", author="li", now=t)
    return open_, old


def _render(db, folder: Path, days: int = 7) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    incidents = public_incidents(db, resolved_since=FROZEN_AT - timedelta(days=days))
    html = page.render_index(incidents, now=FROZEN_AT, days=days)
    feed = page.render_feed(incidents, now=FROZEN_AT, feed=page.feed_id(folder))
    return html, feed


class _Text(HTMLParser):
    """The page's text as a browser shows it, and every tag that was opened."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.tags.append(tag)

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        self.text.append(data)


def _parsed(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    return parser


def test_page_holds_public_words_newest_first_and_escapes(db, tmp_path):
    _story(db)
    html, _ = _render(db, tmp_path)
    parsed = _parsed(html)
    text = "".join(parsed.text)
    assert "Search may miss results " + NASTY in text  # shown as typed …
    assert "<script>" not in html and "&lt;script&gt;" in html  # … never as markup
    assert "script" not in parsed.tags and "b" not in parsed.tags
    assert text.index("NEWEST: a fix is rolling out.") < text.index("We are investigating.")
    assert "Checkout was slow (3 days ago)" in text
    assert "10 days ago" not in text  # resolved before the window
    assert "DRILL" not in text and "untold" not in text
    assert "1 incident in progress" in text
    # Self-contained: no script, no external asset of any kind.
    assert (
        "<script" not in html
        and "src=" not in html
        and "http"
        not in html.replace('http-equiv="Content-Security-Policy"', "").replace(
            "http://www.w3.org", ""
        )
    )
    assert "prefers-color-scheme: dark" in html


def test_no_internal_word_reaches_either_file(db, tmp_path, cli):
    _story(db)
    out = cli("statuspage", str(tmp_path / "site"))
    assert out.returncode == 0, out.stderr
    for name in ("index.html", "feed.xml"):
        body = (tmp_path / "site" / name).read_text(encoding="utf-8")
        assert SECRET not in body, name
        assert "Severity" not in body and "SEV1" not in body, name
    assert "1 in progress, 1 resolved in 7 days, 3 updates" in out.stdout


def test_feed_is_atom_a_feed_parser_reads(db, tmp_path):
    feedparser = pytest.importorskip("feedparser")
    open_, old = _story(db)
    _, feed = _render(db, tmp_path)
    parsed = feedparser.parse(feed)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == page.DEFAULT_TITLE
    assert parsed.feed.id == page.feed_id(tmp_path)
    assert parsed.feed.updated == "2026-11-24T07:32:00Z"  # the newest update
    titles = [e.title for e in parsed.entries]
    heading = f"Search may miss results {NASTY}"
    assert titles == [
        f"Identified: {heading}",
        f"Investigating: {heading}",
        "Investigating: Checkout was slow (3 days ago)",
    ]
    first = parsed.entries[0]
    assert first.content[0].type == "text/plain"
    assert first.content[0].value == "NEWEST: a fix is rolling out."
    assert parsed.entries[1].content[0].value.endswith("We are investigating.")
    assert len({e.id for e in parsed.entries}) == 3
    assert all(e.id.startswith("urn:uuid:") for e in parsed.entries)
    assert first.link.endswith(f"index.html#incident-{open_}")
    # Rendering again gives the same ids: a reader shows nothing twice.
    assert (
        page.render_feed(
            public_incidents(db, resolved_since=FROZEN_AT - timedelta(days=7)),
            now=FROZEN_AT,
            feed=page.feed_id(tmp_path),
        )
        == feed
    )


def test_empty_page_and_feed(db, tmp_path):
    html, feed = _render(db, tmp_path)
    assert "No incidents in progress" in html
    feedparser = pytest.importorskip("feedparser")
    parsed = feedparser.parse(feed)
    assert not parsed.bozo and parsed.entries == []
    assert parsed.feed.updated == "2026-11-24T09:02:00Z"


def test_days_widens_and_narrows_the_window(db, tmp_path, cli):
    _story(db)
    text, _ = _render(db, tmp_path, days=30)
    assert "(10 days ago)" in text and "(3 days ago)" in text
    assert "last 30 days" in text
    text, feed = _render(db, tmp_path, days=0)
    assert "days ago" not in text and "days ago" not in feed and "NEWEST" in text
    bad = cli("statuspage", str(tmp_path / "site"), "--days", "-1")
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and "--days" in bad.stderr
    assert not (tmp_path / "site").exists()


def test_written_atomically(tmp_path, monkeypatch):
    """Each file is replaced whole by a rename of a complete temporary file in the same
    folder; when writing fails, the old page stays and no temporary file is left."""
    site = tmp_path / "site"
    page.write_status_page(site, {"feed.xml": "old feed", "index.html": "old page"})
    renames: list[tuple[str, str, str]] = []
    real_replace = os.replace

    def watching(src, dst):  # type: ignore[no-untyped-def]
        assert Path(src).parent == site  # same folder: a rename, never a copy
        renames.append((Path(src).name, Path(dst).name, Path(src).read_text()))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", watching)
    page.write_status_page(site, {"feed.xml": "new feed", "index.html": "new page"})
    assert [(d, t) for _, d, t in renames] == [("feed.xml", "new feed"), ("index.html", "new page")]
    assert sorted(p.name for p in site.iterdir()) == ["feed.xml", "index.html"]

    def failing(src, dst):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing)
    from incident_tui.domain.errors import IncidentError

    with pytest.raises(IncidentError, match="No space left"):
        page.write_status_page(site, {"feed.xml": "x", "index.html": "y"})
    assert (site / "index.html").read_text() == "new page"
    assert sorted(p.name for p in site.iterdir()) == ["feed.xml", "index.html"]


def test_a_file_where_the_folder_should_be(tmp_path, cli):
    (tmp_path / "taken").write_text("x")
    out = cli("statuspage", str(tmp_path / "taken"))
    assert out.returncode == 1 and out.stderr.count("\n") == 1, out.stderr


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_a_real_browser_shows_the_public_words_and_newest_update(db, tmp_path, cli):
    _story(db)
    site = tmp_path / "site"
    assert cli("statuspage", str(site)).returncode == 0
    dom = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            (site / "index.html").as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    parsed = _parsed(dom)
    text = "".join(parsed.text)
    assert "Search may miss results " + NASTY in text
    assert "NEWEST: a fix is rolling out." in text
    assert "script" not in parsed.tags  # the browser built no element from user text
    assert SECRET not in dom
