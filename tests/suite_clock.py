"""The whole suite's wall time, for `make bench`'s `make test` row: a full run (no test
picked by path, -k or -m) writes benchmarks/results/suite.json when it ends."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

RESULT = Path(__file__).resolve().parent.parent / "benchmarks" / "results" / "suite.json"
_started: dict[str, object] = {}
_durations: dict[str, float] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _durations[report.nodeid] = _durations.get(report.nodeid, 0.0) + report.duration


def _by_file() -> dict[str, float]:
    files: dict[str, float] = {}
    for nodeid, seconds in _durations.items():
        name = nodeid.split("::", 1)[0]
        files[name] = files.get(name, 0.0) + seconds
    return files


def _whole_suite(config: pytest.Config) -> bool:
    if hasattr(config, "workerinput"):  # an xdist worker: the controller writes it
        return False
    picked = config.option.keyword or config.option.markexpr or getattr(config.option, "lf", False)
    paths = [Path(a).resolve() for a in config.args]
    return not picked and paths == [Path(config.rootpath, "tests").resolve()]


def pytest_sessionstart(session: pytest.Session) -> None:
    _started.update(at=time.monotonic(), load=os.getloadavg())


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if "at" not in _started or not _whole_suite(session.config):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    counts = (
        {
            outcome: len(reporter.stats.get(outcome, []))  # type: ignore[union-attr]
            for outcome in ("passed", "failed", "error", "skipped")
        }
        if reporter
        else {}
    )
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(
        json.dumps(
            {
                "seconds": time.monotonic() - _started["at"],  # type: ignore[operator]
                "exit_status": int(exitstatus),
                **counts,
                "workers": os.environ.get("PYTEST_XDIST_WORKER_COUNT")
                or getattr(session.config.option, "numprocesses", None),
                "cpus": os.cpu_count(),
                "load_average_at_start": _started["load"],
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "slowest": sorted(_durations.items(), key=lambda kv: -kv[1])[:10],
                "test_seconds": sum(_durations.values()),
                "by_file": sorted(_by_file().items(), key=lambda kv: -kv[1])[:12],
            },
            indent=2,
        )
        + "\n"
    )
