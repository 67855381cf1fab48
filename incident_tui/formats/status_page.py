"""The static status page: `index.html` (a Jinja template, autoescaped) and an Atom 1.0
`feed.xml`, rendered from what the public may see, and written so no reader ever sees
half of either.

Rendering is pure (records and `now` in, text out); `write_status_page` is the one
function that touches files.
"""

from __future__ import annotations

import os
import re
import secrets
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from xml.etree import ElementTree as ET

from incident_tui.domain.errors import IncidentError
from incident_tui.domain.public_status import PublicIncident, PublicUpdate, public_text
from incident_tui.domain.timeparse import iso_z

TEMPLATE = Path(__file__).with_name("templates") / "status_page.html.j2"
DEFAULT_TITLE = "Service status"
INDEX, FEED = "index.html", "feed.xml"
ATOM = "http://www.w3.org/2005/Atom"

# Characters XML 1.0 cannot hold at all (escaping does not help): C0 controls other than
# tab, newline and carriage return, lone surrogates, U+FFFE and U+FFFF. `clean` already
# keeps the first two out of stored text; this keeps the feed well-formed regardless.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_safe(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def shown_at(at: datetime | None, tz: tzinfo = UTC) -> str:
    """`2026-11-24 09:02 UTC` (or the zone's abbreviation), `—` for none."""
    if at is None:
        return "—"
    local = at.astimezone(tz)
    zone = "UTC" if local.utcoffset() == timedelta(0) else local.strftime("%Z")
    return f"{local:%Y-%m-%d %H:%M} {zone}"


def render_index(
    incidents: Sequence[PublicIncident],
    *,
    now: datetime,
    days: int,
    tz: tzinfo = UTC,
    title: str = DEFAULT_TITLE,
) -> str:
    """The page: incidents in progress with their updates newest first, then those
    resolved in the last `days` days (folded, readable without JavaScript). Every user
    text goes through Jinja's autoescape; the template is ours, in a sandbox all the same."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True
    )
    env.filters.update(
        iso=lambda at: iso_z(at) or "",
        when=lambda at: shown_at(at, tz),
        words=public_text,
    )
    source = TEMPLATE.read_text(encoding="utf-8")
    return env.from_string(source).render(
        title=title,
        now=now,
        days=days,
        current=[i for i in incidents if i.current],
        resolved=[i for i in incidents if not i.current],
    )


def feed_id(folder: Path) -> str:
    """The feed's permanent id: a name-based UUID of the folder the page is written to,
    so rewriting the page keeps it (a feed reader tells feeds apart by it)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"incident-tui:statuspage:{folder}").urn


def _entry_id(feed: str, incident: PublicIncident, update: PublicUpdate) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{feed}/incident/{incident.number}/{update.id}").urn


def render_feed(
    incidents: Sequence[PublicIncident],
    *,
    now: datetime,
    feed: str,
    title: str = DEFAULT_TITLE,
) -> str:
    """Atom 1.0: one entry per external update, newest first (title: the state and the
    incident's public words; content: the update, as text)."""
    ET.register_namespace("", ATOM)

    def add(parent: ET.Element, name: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{name}", attrs)
        if text is not None:
            element.text = _xml_safe(text)
        return element

    entries = sorted(
        ((update, incident) for incident in incidents for update in incident.updates),
        key=lambda pair: (pair[0].posted_at, pair[0].id),
        reverse=True,
    )
    root = ET.Element(f"{{{ATOM}}}feed")
    add(root, "id", feed)
    add(root, "title", title)
    add(root, "updated", iso_z(entries[0][0].posted_at if entries else now))
    add(add(root, "author"), "name", title)
    add(root, "link", rel="self", href=FEED)
    add(root, "link", rel="alternate", type="text/html", href=INDEX)
    add(root, "generator", "incident-tui")
    for update, incident in entries:
        entry = add(root, "entry")
        add(entry, "id", _entry_id(feed, incident, update))
        add(entry, "title", f"{update.state}: {incident.heading}")
        add(entry, "updated", iso_z(update.posted_at))
        add(entry, "published", iso_z(update.posted_at))
        add(entry, "link", rel="alternate", type="text/html", href=f"{INDEX}#{incident.anchor}")
        add(entry, "content", public_text(update), type="text")
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{body}\n'


def write_status_page(folder: Path, files: dict[str, str]) -> list[Path]:
    """Write each of `files` (name → text) into `folder` (made if missing) through a
    temporary file in the same folder and a rename: a reader sees the old page or the
    new one, never half of one. Everything is written before anything is replaced."""
    folder = folder.expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise IncidentError(f"cannot make {folder}: {error.strerror}") from None
    if not folder.is_dir():
        raise IncidentError(f"{folder} is not a folder")
    staged: list[tuple[str, Path]] = []
    try:
        for name, text in files.items():
            temporary = str(folder / f".{name}.{secrets.token_hex(6)}.tmp")
            # 0666 less the umask: a page for the public, served as any file would be.
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            staged.append((temporary, folder / name))
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
        for temporary, final in staged:
            os.replace(temporary, final)
    except OSError as error:
        for temporary, _ in staged:
            Path(temporary).unlink(missing_ok=True)
        raise IncidentError(f"cannot write the status page in {folder}: {error.strerror}") from None
    return [final.resolve() for _, final in staged]
