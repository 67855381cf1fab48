"""`incident-tui serve` as a process: HTTP answers (200 after the commit, 400, 401,
404, 413), the token off loopback, Ctrl-C, one log line per request — and a real
Prometheus Alertmanager (Debian's package) delivering to it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import CliRunner, patience, table_dump

FIXTURES = Path(__file__).parent / "fixtures" / "alerts"


class Served:
    """A running `incident-tui serve`: its URL and the lines it logged so far."""

    def __init__(self, process: subprocess.Popen, url: str, lines: list[str]) -> None:
        self.process = process
        self.url = url
        self.lines = lines

    def post(self, path: str, body: bytes | str, token: str | None = None) -> tuple[int, dict]:
        data = body.encode() if isinstance(body, str) else body
        request = urllib.request.Request(self.url + path, data=data, method="POST")
        request.add_header("Content-Type", "application/json")
        if token is not None:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=30)


def wait_for(condition: Callable[[], object], what: str) -> None:
    for _ in patience():
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


@pytest.fixture
def serve(db_path: Path, private_home: Path) -> Iterator[Callable[..., Served]]:
    started: list[Served] = []

    def start(*args: str, now: str | None = "2026-11-24T09:02:00Z") -> Served:
        env = dict(os.environ, INCIDENT_TUI_DB=str(db_path))
        if now:
            env["INCIDENT_TUI_NOW"] = now
        process = subprocess.Popen(
            [sys.executable, "-m", "incident_tui", "serve", "--listen", "127.0.0.1:0", *args],
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        assert process.stderr is not None
        first = process.stderr.readline()
        assert "listening on http://127.0.0.1:" in first, first
        url = first.split("listening on ")[1].split()[0]
        lines: list[str] = []

        def read() -> None:
            assert process.stderr is not None
            for line in process.stderr:
                lines.append(line)

        threading.Thread(target=read, daemon=True).start()
        served = Served(process, url, lines)
        started.append(served)
        return served

    yield start
    for served in started:
        if served.process.poll() is None:
            served.process.kill()
            served.process.wait()


def count(path: Path, sql: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def test_a_payload_is_committed_before_the_200(serve, db_path: Path) -> None:
    served = serve()
    body = (FIXTURES / "alertmanager_firing.json").read_text()
    status, answer = served.post("/alertmanager", body)
    assert status == 200
    assert answer == {"incident": "INC-1", "declared": True, "entries_added": 1, "duplicates": 0}
    # Read at once, from another connection: the commit came before the answer.
    assert count(db_path, "SELECT count(*) FROM timeline_entry WHERE kind = 'alert'") == 1
    status, answer = served.post("/alertmanager", body)  # a retry: harmless
    assert (status, answer["entries_added"], answer["duplicates"]) == (200, 0, 1)
    assert served.stop() == 0
    log = "".join(served.lines)
    assert "Traceback" not in log
    requests = [line for line in served.lines if " POST /alertmanager " in line]
    assert len(requests) == 2
    assert " 200 INC-1: declared, 1 alert entry added " in requests[0]
    assert served.lines[-1] == "incident-tui serve: stopped\n"


def test_refusals_write_nothing(serve, db_path: Path, cli: CliRunner) -> None:
    cli("declare", "Something else", "--severity", "3")
    before = table_dump(db_path)
    served = serve()
    status, answer = served.post("/alertmanager", "{oops")
    assert status == 400 and answer["error"].startswith("not JSON")
    status, answer = served.post("/grafana", '{"alerts": [{"startsAt": "soon"}]}')
    assert status == 400 and "alerts[0].startsAt" in answer["error"]
    status, answer = served.post("/nagios", "{}")
    assert status == 404 and "/alertmanager" in answer["error"]
    status, answer = served.post("/generic", b"{" + b" " * (1024 * 1024 + 1) + b"}")
    assert status == 413 and "limit is 1,048,576" in answer["error"]
    assert table_dump(db_path) == before
    assert served.stop() == 0
    assert "Traceback" not in "".join(served.lines)
    assert sum(" 400 " in line for line in served.lines) == 2


def test_the_token(serve, tmp_path: Path, db_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("s3cret-token\n")
    served = serve("--token-file", str(token_file))
    body = (FIXTURES / "generic_firing.json").read_text()
    assert served.post("/generic", body)[0] == 401
    assert served.post("/generic", body, token="wrong")[0] == 401
    assert count(db_path, "SELECT count(*) FROM incident") == 0
    status, answer = served.post("/generic", body, token="s3cret-token")
    assert status == 200 and answer["incident"] == "INC-1"
    assert served.stop() == 0


def test_off_loopback_a_token_is_required(cli: CliRunner, tmp_path: Path) -> None:
    done = cli("serve", "--listen", "0.0.0.0:0")
    assert done.returncode == 2
    assert done.stderr == (
        "incident-tui: error: --listen 0.0.0.0:0: an address other than loopback needs "
        "--token-file\n"
    )
    bad = cli("serve", "--listen", "nowhere")
    assert bad.returncode == 2 and "expected HOST:PORT" in bad.stderr
    empty = tmp_path / "empty"
    empty.write_text("\n")
    refused = cli("serve", "--token-file", str(empty))
    assert refused.returncode == 1 and "expected one token" in refused.stderr


# --- a real Alertmanager ------------------------------------------------------------

ALERTMANAGER = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def post_alerts(port: int, alerts: list[dict]) -> None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v2/alerts",
        data=json.dumps(alerts).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.status == 200


def _instant(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@pytest.mark.skipif(
    ALERTMANAGER is None,
    reason="prometheus-alertmanager is not installed (apt-get install prometheus-alertmanager; "
    ".ci/run installs it)",
)
def test_a_real_alertmanager_round_trip(serve, db_path: Path, tmp_path: Path) -> None:
    served = serve(now=None)  # the real clock: Alertmanager runs on it
    port = free_port()
    config = tmp_path / "alertmanager.yml"
    config.write_text(
        "route:\n"
        "  receiver: incident-tui\n"
        "  group_by: [alertname]\n"
        "  group_wait: 1s\n"
        "  group_interval: 1s\n"
        "  repeat_interval: 2s\n"
        "receivers:\n"
        "  - name: incident-tui\n"
        "    webhook_configs:\n"
        f"      - url: {served.url}/alertmanager\n"
        "        send_resolved: true\n"
    )
    manager = subprocess.Popen(
        [
            str(ALERTMANAGER),
            f"--config.file={config}",
            f"--storage.path={tmp_path / 'am-data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
            "--log.level=warn",
        ],
        stdout=subprocess.DEVNULL,
        stderr=open(tmp_path / "alertmanager.log", "w"),  # noqa: SIM115
        stdin=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: _answers(port), "Alertmanager answering")
        started = datetime.now(UTC) - timedelta(minutes=1)
        first = {
            "labels": {"alertname": "DiskFull", "severity": "critical", "instance": "db-1"},
            "annotations": {"summary": "Disk full on the primary"},
            "startsAt": _instant(started),
            "generatorURL": "http://prometheus.example.org/graph?g0.expr=disk",
        }
        post_alerts(port, [first])
        wait_for(lambda: count(db_path, "SELECT count(*) FROM incident") == 1, "incident declared")
        conn = sqlite3.connect(db_path)
        title, severity, by = conn.execute(
            "SELECT title, severity, declared_by FROM incident"
        ).fetchone()
        conn.close()
        assert (title, severity, by) == ("DiskFull: Disk full on the primary", 1, "alertmanager")

        # Repeats: Alertmanager re-sends the group every repeat_interval (and we post
        # the same alert again): nothing is doubled.
        def delivered() -> int:
            return sum(" POST /alertmanager 200 " in line for line in served.lines)

        post_alerts(port, [first])
        wait_for(lambda: delivered() >= 3, "three deliveries of the group")
        assert count(db_path, "SELECT count(*) FROM incident") == 1
        alerts = "SELECT count(*) FROM timeline_entry WHERE kind = 'alert'"
        assert count(db_path, alerts) == 1

        # A second alert joins the group: its own entry, in the same incident.
        second = dict(first, labels=dict(first["labels"], instance="db-2"))
        post_alerts(port, [first, second])
        wait_for(lambda: count(db_path, alerts) == 2, "the second alert's entry")

        # Resolved: endsAt in the past.
        ended = dict(first, endsAt=_instant(datetime.now(UTC) - timedelta(seconds=5)))
        post_alerts(port, [ended])
        resolved = (
            "SELECT count(*) FROM timeline_entry WHERE kind = 'alert' AND text LIKE 'RESOLVED:%'"
        )
        wait_for(lambda: count(db_path, resolved) == 1, "the resolved entry")
        seen = delivered()
        wait_for(lambda: delivered() >= seen + 2, "two more deliveries")
        assert count(db_path, resolved) == 1
        assert count(db_path, alerts) == 3
        assert count(db_path, "SELECT count(*) FROM incident") == 1
    finally:
        manager.terminate()
        manager.wait(timeout=30)
    assert served.stop() == 0
    assert "Traceback" not in "".join(served.lines)


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready", timeout=5) as answer:
            return answer.status == 200
    except OSError:
        return False
