"""The postmortem draft as Markdown (a Jinja2 template) and JSON, and writing it safely."""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache
from itertools import compress
from operator import attrgetter
from pathlib import Path

from incident_tui.config import config_dir
from incident_tui.domain.bulk import collector_paused
from incident_tui.domain.errors import IncidentError
from incident_tui.domain.postmortem_draft import (
    LIST_SECTIONS,
    PostmortemDraft,
    impact_duration_text,
)
from incident_tui.formats.export_json import (  # noqa: F401  (the export's JSON side, re-exported)
    JSON_FORMAT,
    JSON_FORMAT_VERSION,
    iso_exact,
    record,
    timeline_entries,
    to_json,
)
from incident_tui.formats.json_rows import json_text
from incident_tui.formats.markdown_text import (
    duration_text,
    md_block,
    md_cell,
    md_inline,
    md_point,
    without_boilerplate,
)
from incident_tui.formats.narrative import (  # noqa: F401  (in_narrative re-exported)
    NARRATIVE_KEYS,
    in_narrative,
    narrative_columns,
    narrative_table,
)
from incident_tui.formats.narrative import narrative_rows as rows

TEMPLATE_NAME = "postmortem.md.j2"


PACKAGED_TEMPLATES = Path(__file__).with_name("templates")


def _when(draft: PostmortemDraft, tz: tzinfo):
    with_date = draft.spans_days

    def when(at: datetime | None) -> str:
        if at is None:
            return "—"
        local = at if tz is UTC and at.tzinfo is UTC else at.astimezone(tz)
        zone = "Z" if tz is UTC or local.utcoffset() == timedelta(0) else local.strftime(" %Z")
        clock = f"{local.hour:02d}:{local.minute:02d}{zone}"
        return f"{local.date().isoformat()} {clock}" if with_date else clock

    return when


def _clock(at: datetime | None, with_date: bool) -> str:
    if at is None:
        return "—"
    at = at.astimezone(UTC)
    return f"{at:%Y-%m-%d %H:%M}Z" if with_date else f"{at:%H:%M}Z"


def commanders_text(draft: PostmortemDraft) -> list[str]:
    """Each commander with their span: `Ana 23:50Z – 00:55Z`, `Bo from 00:55Z`."""
    with_date = draft.spans_days
    return [
        f"{h.holder} {_clock(h.started_at, with_date)} – {_clock(h.ended_at, with_date)}"
        if h.ended_at
        else f"{h.holder} from {_clock(h.started_at, with_date)}"
        for h in draft.commanders
    ]


def phase_spans(draft: PostmortemDraft, now: datetime) -> list[tuple[str, datetime, datetime]]:
    """(phase, from, to) in the order they were passed through, from the recorded phase
    changes; the last runs until resolution (or now)."""
    detail = draft.detail
    changes = sorted((c for c in draft.changes if c.field == "phase"), key=lambda c: (c.at, c.id))
    first = min([detail.declared_at, *(c.at for c in changes)])
    marks = [("triage", first), *((c.new or "", c.at) for c in changes)]
    end = detail.milestones.get("resolved_at") or now
    spans = []
    for (phase, start), (_, until) in zip(marks, [*marks[1:], ("", end)], strict=True):
        if phase in ("resolved", "closed"):
            break
        if until > start:
            spans.append((phase, start, until))
    return spans


def gantt(draft: PostmortemDraft, now: datetime) -> str:
    """The phases and milestones as a Mermaid gantt block (no user text in it)."""
    milestones = draft.detail.milestones
    started, resolved = milestones.get("started_at"), milestones.get("resolved_at")

    def stamp(at: datetime) -> str:
        return f"{at.astimezone(UTC):%Y-%m-%d %H:%M:%S}"

    lines = [
        "```mermaid",
        "gantt",
        f"    title {draft.detail.key} (UTC)",
        "    dateFormat YYYY-MM-DD HH:mm:ss",
        "    axisFormat %H:%M",
    ]
    if started is not None:
        lines += [
            "    section Impact",
            f"    impact :crit, {stamp(started)}, {stamp(resolved or now)}",
        ]
    spans = phase_spans(draft, now)
    if spans:
        lines.append("    section Phases")
        lines += [f"    {phase} :{stamp(start)}, {stamp(end)}" for phase, start, end in spans]
    marks = [(n.removesuffix("_at"), at) for n, at in milestones.items() if at is not None]
    if marks:
        lines.append("    section Milestones")
        lines += [f"    {name} :milestone, {stamp(at)}, 0m" for name, at in marks]
    lines.append("```")
    return "\n".join(lines)


def _end(draft: PostmortemDraft) -> datetime:
    """Where an open incident's picture ends: its latest known instant (not the clock,
    so the same draft renders the same)."""
    detail = draft.detail
    known = [detail.declared_at, *(at for at in detail.milestones.values() if at)]
    if detail.timeline:
        known.append(detail.timeline[-1].occurred_at)
    return max(known)


_KIND = attrgetter("kind")
_DONE = frozenset(("decision", "action"))


def story(draft: PostmortemDraft) -> dict[str, object]:
    """Trigger, detection and resolution as the record tells them (plain facts, user
    text left for the template to escape)."""
    detail, metrics = draft.detail, draft.metrics
    m = detail.milestones
    with_date = draft.spans_days
    kinds = list(map(_KIND, detail.timeline))
    first_alert = next(compress(detail.timeline, map("alert".__eq__, kinds)), None)
    done = list(compress(detail.timeline, map(_DONE.__contains__, kinds)))
    return {
        "date": _clock(m.get("started_at") or detail.declared_at, True),
        "started": _clock(m.get("started_at"), with_date),
        "detected": _clock(m.get("detected_at"), with_date),
        "acknowledged": _clock(m.get("acknowledged_at"), with_date),
        "mitigated": _clock(m.get("mitigated_at"), with_date),
        "resolved": _clock(m.get("resolved_at"), with_date),
        "time_to_detect": duration_text(metrics.time_to_detect),
        "time_to_acknowledge": duration_text(metrics.time_to_acknowledge),
        "time_to_mitigate": duration_text(metrics.time_to_mitigate),
        "first_alert": first_alert,
        "first_alert_at": _clock(first_alert.occurred_at, with_date) if first_alert else "",
        "done": [(_clock(e.occurred_at, with_date), e) for e in done],
        "duration": impact_duration_text(m.get("started_at"), m.get("resolved_at")),
    }


def template_source(override_dir: Path | None = None) -> tuple[str, Path]:
    """Our template, or the user's `postmortem.md.j2` from the config dir."""
    for folder in (override_dir or config_dir(), PACKAGED_TEMPLATES):
        path = folder / TEMPLATE_NAME
        if path.is_file():
            return path.read_text(encoding="utf-8"), path
    raise IncidentError(f"the postmortem template {TEMPLATE_NAME} is missing")  # pragma: no cover


@lru_cache(maxsize=1)
def template_environment():
    """The Jinja environment the Markdown template renders in (one place to make it),
    made once: its filters are ours, the same for every render."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    # The user's template is data, not code: the sandbox keeps it from reaching Python
    # (`cycler.__init__.__globals__.os`), an attempt is a one-line template error.
    env = SandboxedEnvironment(
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(
        inline=md_inline,
        cell=md_cell,
        block=md_block,
        point=md_point,
        duration=duration_text,
        update=without_boilerplate,
    )
    return env


@lru_cache(maxsize=8)
def _compiled(source: str):
    """The template compiled once per source text (compiling took ~20 ms a render), with
    the names it reads (a 100k-row context value it never reads is not built); an
    edited user template is a new source, compiled afresh, in the same sandbox."""
    from jinja2 import meta

    env = template_environment()
    return env.from_string(source), frozenset(meta.find_undeclared_variables(env.parse(source)))


def to_markdown(
    draft: PostmortemDraft, *, tz: tzinfo = UTC, override_dir: Path | None = None
) -> str:
    import jinja2

    source, path = template_source(override_dir)
    try:
        template, names = _compiled(source)
        columns = narrative_columns(draft, tz)
        return template.render(
            draft=draft,
            detail=draft.detail,
            fields=draft.fields,
            metrics=draft.metrics,
            timeline=timeline_entries(draft),
            narrative=[dict(zip(NARRATIVE_KEYS, row, strict=True)) for row in rows(columns)]
            if "narrative" in names
            else [],
            narrative_table=narrative_table(columns) if "narrative_table" in names else "",
            lists=[(heading, getattr(draft.fields, name)) for name, heading in LIST_SECTIONS],
            commanders=commanders_text(draft),
            story=story(draft),
            gantt=gantt(draft, _end(draft)),
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
    """The draft as Markdown or JSON text (100k entries' strings and the tuples that
    carry them, no cycles among them: the cyclic collector paused, domain/bulk.py)."""
    if fmt not in ("json", "markdown"):
        raise IncidentError(f"format must be markdown or json, not {fmt!r}")
    with collector_paused():
        return json_text(draft) if fmt == "json" else to_markdown(draft, tz=tz)


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
