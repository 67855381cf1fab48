"""The postmortem draft as Markdown (a Jinja2 template) and JSON, and writing it safely.

Markdown stays well-formed whatever people typed: table cells and paragraphs escape
what Markdown would read as structure (pipes, line starts like `#` or `-`, backticks,
HTML). A template called `postmortem.md.j2` in the user's config dir replaces ours.
"""

from __future__ import annotations

import os
import re
import secrets
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from incident_tui.config import config_dir
from incident_tui.domain import MILESTONES, Entry
from incident_tui.errors import IncidentError
from incident_tui.postmortem import TEXT_SECTIONS, PostmortemDraft
from incident_tui.text import clean
from incident_tui.timeparse import format_duration, iso_z

TEMPLATE_NAME = "postmortem.md.j2"
PACKAGED_TEMPLATES = Path(__file__).with_name("templates")
FORMATS = ("markdown", "json")
JSON_FORMAT = "incident-tui"
JSON_FORMAT_VERSION = 1
"""The JSON export's `formatVersion`: `incident-tui import` reads this version and older.
Bump it when the `record` section changes in a way an older reader would misread."""

# Inline: characters Markdown could read as emphasis, code, links, HTML, tables.
_INLINE = re.compile(r"([\\`*_\[\]<>|~&])")
# A line start Markdown could read as a heading, list, quote, rule or numbered item.
_BLOCK_START = re.compile(r"^(\s*)([#>+\-*=]|\d+[.)])")


def md_inline(text: object) -> str:
    """One line of user text, safe anywhere in a Markdown line."""
    flat = " ".join(clean(str(text or "")).split())
    return _INLINE.sub(r"\\\1", flat)


def md_cell(text: object) -> str:
    """User text in a table cell: one line, pipes escaped, line breaks as <br>."""
    if isinstance(text, str) and text.isprintable():  # one line, nothing to clean (fast)
        return _INLINE.sub(r"\\\1", " ".join(text.split())) or " "
    lines = [md_inline(line) for line in clean(str(text or "")).splitlines() if line.strip()]
    return "<br>".join(lines) or " "


def md_block(text: object) -> str:
    """User text as paragraphs: line breaks kept, nothing read as structure."""
    paragraphs = []
    for paragraph in re.split(r"\n\s*\n", clean(str(text or "")).strip()):
        lines = []
        for line in paragraph.splitlines():
            escaped = md_inline(line)
            escaped = _BLOCK_START.sub(
                lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], escaped
            )
            lines.append(escaped)
        if lines:
            paragraphs.append("\\\n".join(lines))
    return "\n\n".join(paragraphs)


def _duration(delta: timedelta | None) -> str:
    return format_duration(delta) if delta is not None else "unknown"


def _seconds(delta: timedelta | None) -> int | None:
    return int(delta.total_seconds()) if delta is not None else None


def _when(draft: PostmortemDraft, tz: tzinfo):  # type: ignore[no-untyped-def]
    with_date = draft.spans_days

    def when(at: datetime | None) -> str:
        if at is None:
            return "—"
        local = at if tz is UTC and at.tzinfo is UTC else at.astimezone(tz)
        zone = "Z" if tz is UTC or local.utcoffset() == timedelta(0) else local.strftime(" %Z")
        clock = f"{local.hour:02d}:{local.minute:02d}{zone}"
        return f"{local.date().isoformat()} {clock}" if with_date else clock

    return when


def iso_exact(at: datetime | None) -> str | None:
    """An instant as ISO 8601 UTC with `Z`, microseconds kept when there are any (the
    `record` section must give back the very instant that was stored)."""
    if at is None:
        return None
    if at.tzinfo is not UTC:
        at = at.astimezone(UTC)
    return at.isoformat()[:-6] + "Z"  # "+00:00" → "Z"; a replace() would cost twice this


def _entries(timeline: list[Entry]) -> list[dict[str, Any]]:
    """The record's entries: 100k of them in a big incident, so most entries (recorded
    when they happened) format their instant once."""
    rows = []
    for e in timeline:
        occurred = iso_exact(e.occurred_at)
        rows.append(
            {
                "occurredAt": occurred,
                "recordedAt": occurred
                if e.recorded_at == e.occurred_at
                else iso_exact(e.recorded_at),
                "kind": e.kind,
                "author": clean(e.author),
                "text": clean(e.text),
                "pinned": e.pinned,
            }
        )
    return rows


def record(draft: PostmortemDraft) -> dict[str, Any]:
    """Everything stored about the incident, exactly: what `incident-tui import` rebuilds
    it from. The rest of the JSON export is the postmortem view computed from this."""
    detail, fields = draft.detail, draft.fields
    return {
        "title": clean(detail.title),
        "severity": detail.severity,
        "phase": detail.phase,
        "summary": clean(detail.summary),
        "isDrill": detail.is_drill,
        "declaredAt": iso_exact(detail.declared_at),
        "declaredBy": clean(detail.declared_by),
        "milestones": {
            name.removesuffix("_at"): iso_exact(detail.milestones[name]) for name in MILESTONES
        },
        "entries": _entries(detail.timeline),
        "roles": [
            {
                "role": h.role,
                "holder": clean(h.holder),
                "startedAt": iso_exact(h.started_at),
                "endedAt": iso_exact(h.ended_at),
                "assignedBy": clean(h.assigned_by),
            }
            for h in detail.holdings
        ],
        "changes": [
            {
                "at": iso_exact(c.at),
                "recordedAt": iso_exact(c.recorded_at),
                "field": c.field,
                "old": clean(c.old) if c.old is not None else None,
                "new": clean(c.new) if c.new is not None else None,
                "author": clean(c.author),
            }
            for c in draft.changes
        ],
        "updates": [
            {
                "postedAt": iso_exact(u.posted_at),
                "audience": u.audience,
                "author": clean(u.author),
                "text": clean(u.text),
                "phase": u.phase,
            }
            for u in detail.updates
        ],
        "actionItems": [
            {
                "description": clean(a.description),
                "owner": clean(a.owner) if a.owner else None,
                "dueDate": a.due_date.isoformat() if a.due_date else None,
                "priority": a.priority,
                "type": a.type,
                "status": a.status,
                "ticket": clean(a.ticket) if a.ticket else None,
                "createdAt": iso_exact(a.created_at),
                "createdBy": clean(a.created_by),
            }
            for a in draft.actions
        ],
        "postmortem": {
            "status": fields.status,
            "summary": clean(fields.summary),
            "rootCause": clean(fields.root_cause),
            "contributingFactors": clean(fields.contributing_factors),
            "whatWentWell": clean(fields.what_went_well),
            "whatWentPoorly": clean(fields.what_went_poorly),
            "luckyBreaks": clean(fields.lucky_breaks),
            "lessonsLearned": clean(fields.lessons_learned),
            "usersAffected": clean(fields.users_affected),
            "revenueImpact": clean(fields.revenue_impact),
            "slaBreached": fields.sla_breached,
            "authors": clean(fields.authors),
        },
        "fiveWhys": [
            {"question": clean(w.question), "answer": clean(w.answer)} for w in draft.whys
        ],
    }


def timeline_entries(draft: PostmortemDraft):  # type: ignore[no-untyped-def]
    """The key events when some are chosen (pinned), else the whole timeline."""
    return draft.key_events or draft.detail.timeline


def to_json(draft: PostmortemDraft, *, with_timeline: bool = True) -> dict[str, Any]:
    """The postmortem as JSON; with the timeline, also the exact `record` (the full JSON
    export, which `incident-tui import` reads back)."""
    detail, fields, metrics = draft.detail, draft.fields, draft.metrics
    started = detail.milestones.get("started_at") or detail.declared_at
    doc = {
        "format": JSON_FORMAT,
        "formatVersion": JSON_FORMAT_VERSION,
        "id": detail.key,
        "title": clean(detail.title),
        "date": started.astimezone(UTC).date().isoformat(),
        "severity": f"SEV-{detail.severity}",
        "incidentCommander": clean(draft.commander) if draft.commander else None,
        "authors": [clean(a) for a in draft.authors],
        "status": fields.status,
        "summary": clean(fields.summary or detail.summary),
        "impact": {
            "duration": _duration(metrics.impact_duration),
            "durationSeconds": _seconds(metrics.impact_duration),
            "usersAffected": clean(fields.users_affected),
            "revenueImpact": clean(fields.revenue_impact),
            "slaBreached": draft.sla_breached,
        },
        "timeline": [
            {
                "time": iso_z(e.occurred_at),
                "event": clean(e.text),
                "actor": clean(e.author),
                "kind": e.kind,
            }
            for e in (timeline_entries(draft) if with_timeline else ())
        ],
        "rootCause": clean(fields.root_cause),
        "contributingFactors": clean(fields.contributing_factors),
        "whatWentWell": clean(fields.what_went_well),
        "whatWentPoorly": clean(fields.what_went_poorly),
        "luckyBreaks": clean(fields.lucky_breaks),
        "actionItems": [
            {
                "description": clean(a.description),
                "type": a.type,
                "owner": clean(a.owner) if a.owner else None,
                "priority": a.priority,
                "dueDate": a.due_date.isoformat() if a.due_date else None,
                "status": a.status,
                "jiraTicket": clean(a.ticket) if a.ticket else None,
            }
            for a in draft.actions
        ],
        "fiveWhys": [
            {"question": clean(w.question), "answer": clean(w.answer)} for w in draft.whys
        ],
        "lessonsLearned": clean(fields.lessons_learned),
        "metrics": {
            "timeToDetectSeconds": _seconds(metrics.time_to_detect),
            "timeToAcknowledgeSeconds": _seconds(metrics.time_to_acknowledge),
            "timeToMitigateSeconds": _seconds(metrics.time_to_mitigate),
            "timeToResolveSeconds": _seconds(metrics.time_to_resolve),
            "cadence": {
                c.audience: {
                    "required": c.required,
                    "onTime": c.on_time,
                    "worstLateSeconds": _seconds(c.worst_late),
                    "summary": c.describe(),
                }
                for c in metrics.cadence
            },
            "reconstructedEntries": metrics.reconstructed,
            "reconstructedWorstLateSeconds": _seconds(metrics.reconstructed_worst),
        },
        "updates": [
            {
                "postedAt": iso_z(u.posted_at),
                "audience": u.audience,
                "author": clean(u.author),
                "text": clean(u.text),
                "phase": u.phase,
            }
            for u in detail.updates
        ],
        "milestones": {
            name.removesuffix("_at"): iso_z(detail.milestones[name]) for name in MILESTONES
        },
    }
    if with_timeline:
        doc["record"] = record(draft)
    return doc


def template_source(override_dir: Path | None = None) -> tuple[str, Path]:
    """Our template, or the user's `postmortem.md.j2` from the config dir."""
    for folder in (override_dir or config_dir(), PACKAGED_TEMPLATES):
        path = folder / TEMPLATE_NAME
        if path.is_file():
            return path.read_text(encoding="utf-8"), path
    raise IncidentError(f"the postmortem template {TEMPLATE_NAME} is missing")  # pragma: no cover


def to_markdown(
    draft: PostmortemDraft, *, tz: tzinfo = UTC, override_dir: Path | None = None
) -> str:
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    source, path = template_source(override_dir)
    # The user's template is data, not code: the sandbox keeps it from reaching Python
    # (`cycler.__init__.__globals__.os`), an attempt is a one-line template error.
    env = SandboxedEnvironment(
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(inline=md_inline, cell=md_cell, block=md_block, duration=_duration)
    try:
        template = env.from_string(source)
        return template.render(
            draft=draft,
            detail=draft.detail,
            fields=draft.fields,
            metrics=draft.metrics,
            sections=[
                (heading, getattr(draft.fields, name)) for name, heading in TEXT_SECTIONS[1:]
            ],
            timeline=timeline_entries(draft),
            when=_when(draft, tz),
            json=to_json(draft, with_timeline=False),  # the template has `timeline`
        )
    except jinja2.TemplateError as error:
        line = _template_line(error)
        where = f"template {path}, line {line}" if line else f"template {path}"
        message = " ".join(str(error).split()) or type(error).__name__
        raise IncidentError(f"{where}: {message}") from None


def _template_line(error: Exception) -> int | None:
    """The template line a Jinja error arose on: syntax errors carry it, runtime errors
    have it in the frames Jinja rewrites to point into the template."""
    if getattr(error, "lineno", None):
        return error.lineno  # type: ignore[attr-defined]
    line, tb = None, error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def render(draft: PostmortemDraft, fmt: str, *, tz: tzinfo = UTC) -> str:
    import json

    if fmt == "json":
        # Indented, but the timeline (100k entries, say) one compact entry a line: an
        # indent sends json.dumps to its pure-Python encoder, five times slower.
        doc = to_json(draft)
        lists = [(doc, "timeline", "  "), (doc["record"], "entries", "    ")]
        markers = []
        for holder, name, indent in lists:
            marker = f"{name}-{secrets.token_hex(8)}"
            markers.append((marker, holder[name], indent))
            holder[name] = marker
        text = json.dumps(doc, ensure_ascii=False, indent=2)
        for marker, items, indent in markers:
            text = text.replace(f'"{marker}"', _one_per_line(items, indent), 1)
        return text + "\n"
    if fmt == "markdown":
        return to_markdown(draft, tz=tz)
    raise IncidentError(f"format must be markdown or json, not {fmt!r}")


def _one_per_line(items: list[dict[str, Any]], indent: str) -> str:
    """A list of flat objects as JSON, one compact object a line, encoded in one call of
    the C encoder (one call per object took most of a 100k-entry export). When every
    object begins with the same key, `}, {"key": ` only ever sits between two objects: a
    raw `"` never occurs inside an encoded string."""
    import json

    if not items:
        return "[]"
    encode = json.JSONEncoder(ensure_ascii=False).encode
    key = next(iter(items[0]), None)
    if key is None or any(next(iter(item), None) != key for item in items):
        body = f",\n{indent}  ".join(map(encode, items))
    else:
        first = "{" + encode(key) + ": "
        body = encode(items)[1:-1].replace("}, " + first, "},\n" + indent + "  " + first)
    return f"[\n{indent}  {body}\n{indent}]"


def write_atomically(path: Path, text: str, *, force: bool = False) -> Path:
    """Write `text` to `path` through a temporary file and a rename: a reader never sees
    half a file. An existing file stays unless `force`; problems are one line."""
    path = path.expanduser()
    if path.is_dir():
        raise IncidentError(f"{path} is a folder")
    if path.exists() and not force:
        raise IncidentError(f"{path} exists; --force overwrites it")
    folder = path.parent if str(path.parent) else Path(".")
    temporary = str(folder / f".{path.name}.{secrets.token_hex(6)}")
    try:
        # 0666 less the user's umask, like any file they create: a draft can be as private
        # as the database (umask 077) or shared with the team (022).
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as error:
        raise IncidentError(f"cannot write {path}: {error.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise IncidentError(f"cannot write {path}: {error.strerror}") from None
    return path.resolve()
