"""The postmortem draft out (`export`: Markdown, JSON, its schema, its lint) and a JSON
export back in (`import`)."""

from __future__ import annotations

import argparse
import sys

from incident_tui.cli.command import PROG, Context, arg, command
from incident_tui.domain.errors import IncidentError
from incident_tui.domain.vocabulary import EXPORT_FORMATS


@command(
    "export",
    "export the postmortem draft (Markdown or JSON)",
    arg("key", metavar="KEY", nargs="?"),
    arg("--schema", action="store_true", help="print the JSON Schema of the JSON export"),
    arg("--format", "-f", choices=EXPORT_FORMATS, default="markdown"),
    arg("-o", "--output", metavar="FILE", help="write to FILE (default: stdout)"),
    arg("--force", action="store_true", help="overwrite an existing FILE"),
    arg(
        "--check",
        action="store_true",
        help="only lint the draft: blaming phrasing, incomplete action items, missing "
        "whys, milestones and timeline gaps (exit 1 when anything is found)",
    ),
    context=False,
)
def export(args: argparse.Namespace) -> int:
    if args.schema or not args.key:
        return _export_schema(args)  # no config, no database
    run = Context(args)
    try:
        return _export(run)
    finally:
        run.close()


def _export_schema(args: argparse.Namespace) -> int:
    """`export --schema`: the JSON Schema of the JSON export (no database needed)."""
    import json

    from incident_tui.formats.export_model import schema

    if not args.schema:
        raise IncidentError("export needs a KEY (or --schema for the JSON Schema)")
    if args.key:
        raise IncidentError("--schema takes no KEY: the schema is the same for every incident")
    sys.stdout.write(json.dumps(schema(), indent=2, ensure_ascii=False) + "\n")
    return 0


def _export(run: Context) -> int:
    from incident_tui.formats import export
    from incident_tui.formats.progress import working
    from incident_tui.store import postmortem_reads

    a = run.args
    with working(f"export {a.key}: reading"):
        draft = postmortem_reads.postmortem_draft(
            run.db, a.key, now=run.now, policy=run.config.policy
        )
    if a.check:
        from incident_tui.domain.blameless_lint import lint
        from incident_tui.domain.text import one_line

        findings = lint(draft)
        for finding in findings:
            line = f"{finding.rule}: {finding.where}: {finding.message}"
            if finding.suggestion:
                line += f" — {finding.suggestion}"
            print(one_line(line))
        noun = "finding" if len(findings) == 1 else "findings"
        print(
            f"{draft.detail.key}: {len(findings)} {noun}"
            if findings
            else f"{draft.detail.key}: clean"
        )
        return 1 if findings else 0
    with working(f"export {a.key}: {a.format}"):
        text = export.render(draft, a.format, tz=run.config.display_tz)
    if a.output:
        from pathlib import Path

        print(export.write_atomically(Path(a.output), text, force=a.force))
    else:
        sys.stdout.write(text)
    return 0


@command(
    "import",
    "read a JSON export back in as a new incident; prints its KEY",
    arg("file", metavar="FILE", help="a file from `export KEY --format json`; '-' reads stdin"),
)
def import_(run: Context) -> int:
    from incident_tui.domain.vocabulary import incident_key
    from incident_tui.formats import importer

    a = run.args
    # The whole file is read and checked before the database is even opened; its
    # entries are read again as they are written (a million never sit in memory).
    with importer.streamed(a.file, now=run.now) as imported:
        result = importer.import_incident(run.db, imported, now=run.now)
    if not result.created:
        sys.stderr.write(
            f"{PROG}: {_exported_as(imported.source_key)} is already here as "
            f"{incident_key(result.number)} (same title, declared_at and declared_by); "
            "nothing imported\n"
        )
    print(incident_key(result.number))
    return 0


def _exported_as(key: str | None) -> str:
    return f"the incident exported as {key}" if key else "this incident"
