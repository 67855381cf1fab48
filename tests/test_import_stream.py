"""The import streams: a big export is read without holding its entries in memory, from a
file or from standard input, still checked whole before anything is written."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

from incident_tui.formats.progress import Progress
from tests.conftest import FROZEN_AT, CliRunner, row_counts

ENTRIES = 100_000
PEAK_LIMIT_MB = 150
"""The whole-file reader peaked at ~260 MB for this file; streaming stays near 80 MB."""


def _big_export(cli: CliRunner, tmp_path: Path, entries: int) -> Path:
    assert cli("declare", "Kafka throttled", "-s", "2").returncode == 0
    assert cli("log", "INC-1", "first").returncode == 0
    doc = json.loads(cli("export", "INC-1", "--format", "json").stdout)
    model, shown = doc["record"]["entries"][-1], doc["timeline"][-1]
    texts = [f"entry {i}: partition {i % 97} lag rising" for i in range(entries)]
    doc["record"]["entries"] = [dict(model, text=t) for t in texts]
    doc["timeline"] = [dict(shown, event=t) for t in texts]
    doc["record"]["title"] = "Kafka throttled (copy)"
    path = tmp_path / "big.json"
    path.write_text(json.dumps(doc))
    return path


def _peak_mb(argv: list[str], env: dict[str, str], stdin=None) -> tuple[int, float, str]:  # type: ignore[no-untyped-def]
    """Exit code, peak resident memory (MB) and stdout of one CLI run, in a child that
    reports its own peak: VmHWM, which exec resets (ru_maxrss would keep the high-water
    mark of the forked pytest process)."""
    code = (
        "import sys\n"
        "from incident_tui.cli import main\n"
        "try:\n    status = main(sys.argv[1:])\n"
        "finally:\n"
        "    hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
        "    sys.stderr.write(f'PEAK {hwm.split()[1]}\\n')\n"
        "sys.exit(status)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *argv], env=env, stdin=stdin, capture_output=True, text=True
    )
    peak = next(line for line in done.stderr.splitlines() if line.startswith("PEAK "))
    return done.returncode, int(peak.split()[1]) / 1024, done.stdout


def test_a_big_import_streams_from_a_file_and_from_stdin(
    cli: CliRunner, tmp_path: Path, db_path: Path
) -> None:
    path = _big_export(cli, tmp_path, ENTRIES)
    env = dict(os.environ, INCIDENT_TUI_DB=str(db_path), INCIDENT_TUI_NOW=FROZEN_AT.isoformat())
    code, peak, out = _peak_mb(["import", str(path)], env)
    assert code == 0 and out.strip() == "INC-2"
    assert peak < PEAK_LIMIT_MB, f"peak {peak:.0f} MB"
    # + INC-1: declared, its checklist entry (seen), first
    assert row_counts(db_path)["timeline_entry"] == ENTRIES + 3
    detail = json.loads(cli("show", "INC-2", "--json").stdout)
    texts = [e["text"] for e in detail["timeline"] if e["kind"] == "note"]
    assert texts[:2] == ["entry 0: partition 0 lag rising", "entry 1: partition 1 lag rising"]
    assert len(texts) == ENTRIES
    # The same file on standard input is the same incident: found, nothing written.
    with open(path, "rb") as handle:
        code, peak, out = _peak_mb(["import", "-"], env, stdin=handle)
    assert code == 0 and out.strip() == "INC-2"
    assert peak < PEAK_LIMIT_MB


def test_a_bad_entry_late_in_a_big_file_writes_nothing(
    cli: CliRunner, tmp_path: Path, db_path: Path
) -> None:
    path = _big_export(cli, tmp_path, 20_000)
    doc = json.loads(path.read_text())
    doc["record"]["entries"][19_999]["kind"] = "gossip"
    path.write_text(json.dumps(doc))
    before = row_counts(db_path)
    result = cli("import", str(path))
    assert result.returncode == 1
    assert "record.entries[19999].kind" in result.stderr
    assert row_counts(db_path) == before


def test_the_progress_line_shows_only_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    data = io.BytesIO(b"x" * 1000)
    data.fileno = lambda: (_ for _ in ()).throw(OSError())  # type: ignore[method-assign]
    assert not isinstance(Progress.wrap(data, "reading", Terminal()), Progress)  # no size
    shown = Terminal()
    with open(__file__, "rb") as handle:
        reader = Progress.wrap(handle, "reading", shown)
        while reader.read(100):
            pass
        reader.done()
    assert "reading:" in shown.getvalue() and "%" in shown.getvalue()
    quiet = io.StringIO()
    with open(__file__, "rb") as handle:
        Progress.wrap(handle, "reading", quiet).read()
    assert quiet.getvalue() == ""


def test_lone_surrogates_in_a_streamed_import_become_u_fffd(cli: CliRunner, tmp_path: Path) -> None:
    """As everywhere else (argv and stdin bytes that are not UTF-8, the whole-text
    reader): a lone surrogate escape is U+FFFD, a pair is its character, an escaped
    backslash before `ud800` is text. yajl alone made the lone ones "?"."""
    path = _big_export(cli, tmp_path, 3)
    doc = json.loads(path.read_text())
    entries = doc["record"]["entries"]
    entries[0]["text"] = "high \ud800 alone, low \udc00 alone"
    entries[1]["text"] = "a pair \U0001f600 stays"
    entries[2]["text"] = "typed \\ud800 as text"
    doc["record"]["title"] = "copy \udbff"
    path.write_text(json.dumps(doc))  # ensure_ascii: "\ud800", "\ud83d\ude00", "\\ud800"
    assert "\\ud800" in path.read_text() and "\\ud83d\\ude00" in path.read_text()
    result = cli("import", str(path))
    assert result.returncode == 0, result.stderr
    detail = json.loads(cli("show", result.stdout.strip(), "--json").stdout)
    assert detail["title"] == "copy \ufffd"
    texts = [e["text"] for e in detail["timeline"] if e["kind"] == "note"]
    assert texts == [
        "high \ufffd alone, low \ufffd alone",
        "a pair \U0001f600 stays",
        "typed \\ud800 as text",
    ]


def test_the_surrogate_filter_agrees_with_json_whatever_the_chunks() -> None:
    import random

    from incident_tui.domain.text import without_surrogates
    from incident_tui.formats.import_stream import LoneSurrogates

    pieces = ["\\ud800", "\\udc00", "\\uD83D\\uDE00", "\\\\", "\\\\ud800", "a", "\\n", '\\"']
    pieces += ["\\u00e9", "ud800", "\\udbff", "\\udfff", "\\u0041", "\\\\\\ud800"]
    rnd = random.Random(16)
    for _ in range(500):
        strings = ["".join(rnd.choices(pieces, k=rnd.randint(0, 10))) for _ in range(2)]
        data = ("[" + ", ".join(f'"{s}"' for s in strings) + "]").encode()
        expected = [without_surrogates(s) for s in json.loads(data)]
        for size in (1, 2, 5, 7, 4096):
            source = io.BytesIO(data)
            reader = LoneSurrogates(source)
            got = b"".join(iter(lambda r=reader, n=size: r.read(n), b""))
            assert json.loads(got) == expected, (data, size, got)
