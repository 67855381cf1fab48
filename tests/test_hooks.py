"""Hooks: `[[hooks.run]]` in the config, run by `incident-tui watch --hooks` — one that
succeeds (its stdin checked), one that fails and one that hangs (system entries on the
incident), filters by event, audience and drills, and config errors in one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from incident_tui import ops
from incident_tui.config import config_from_mapping
from incident_tui.domain.errors import ConfigError
from incident_tui.domain.hooks import Hook
from incident_tui.store.queries import incident_detail
from tests.test_watch import now, watch  # noqa: F401  (the fixture)


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _hook_entries(db, number: int) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.text for e in incident_detail(db, number).timeline if e.author == "hooks"]


def test_hooks_run_with_the_event_on_stdin_and_failures_become_entries(
    db,
    db_path,
    tmp_path,
    watch,  # noqa: F811
) -> None:
    got = tmp_path / "got.jsonl"
    record = tmp_path / "record.sh"
    record.write_text(
        f"cat >> '{got}'\n"
        f"echo \"$INCIDENT_TUI_EVENT $INCIDENT_TUI_INCIDENT $INCIDENT_TUI_DB\" >> '{got}.env'\n"
    )
    config = _config(
        tmp_path,
        f"""
[[hooks.run]]
name = "status-page"
command = ["sh", "{record}"]
events = ["update.posted"]
audience = "external"

[[hooks.run]]
name = "ticket"
command = ["sh", "-c", "echo 'tracker said no' >&2; exit 3"]
events = ["phase.changed"]

[[hooks.run]]
name = "slow-chat"
command = ["sh", "-c", "sleep 300 & echo $! > '{got}.pid'; wait"]
events = ["severity.changed"]
timeout = 1
""",
    )
    number = ops.declare(db, title="Checkout failing", severity=2, author="mira", now=now())
    watching = watch(str(db_path), "--json", "--hooks", config=config)
    assert "running 3 hook(s)" in watching.errors[0]
    ops.post_update(
        db, key=number, audience="internal", text="Inside only", author="ana", now=now()
    )
    ops.post_update(
        db, key=number, audience="external", text="We are on it", author="ana", now=now()
    )
    ops.set_phase(db, key=number, phase="investigating", author="mira", now=now())
    ops.set_severity(db, key=number, severity=1, author="mira", now=now())

    watching.wait_for(lambda: len(_hook_entries(db, number)) >= 2, "two failure entries")
    entries = _hook_entries(db, number)
    assert len(entries) == 2
    failed = next(t for t in entries if "ticket" in t)
    assert failed.startswith("Hook ticket failed: exit 3: tracker said no (on phase.changed, ")
    timed_out = next(t for t in entries if "slow-chat" in t)
    assert timed_out.startswith("Hook slow-chat timed out after 1 s, killed (on severity.changed")
    sleeper = int(Path(f"{got}.pid").read_text())
    watching.wait_for(lambda: not _alive(sleeper), "the hung hook's child killed with it")
    kinds = {e.kind for e in incident_detail(db, number).timeline if e.author == "hooks"}
    assert kinds == {"status"}

    watching.wait_for(lambda: got.exists() and got.read_text().endswith("\n"), "the hook's input")
    told = [json.loads(line) for line in got.read_text().splitlines()]
    assert len(told) == 1  # the internal update was not for it
    assert told[0]["event"] == "update.posted"
    assert told[0]["update"]["audience"] == "external"
    assert told[0]["update"]["text"] == "We are on it"
    assert told[0]["incident"] == "INC-1" and told[0]["title"] == "Checkout failing"
    # What a hook needs to call incident-tui back (`log` what it did) on the same database.
    assert Path(f"{got}.env").read_text() == f"update.posted INC-1 sqlite:///{db_path}\n"
    # The failure entries are events too (watch prints them) but run no hook.
    watching.wait_for(
        lambda: sum(e["by"] == "hooks" for e in watching.events()) == 2, "the failures printed"
    )
    assert watching.stop() == 0
    assert "Hook ticket failed: exit 3" in "".join(watching.errors)
    assert "Traceback" not in "".join(watching.errors)


def test_a_hook_that_cannot_start_is_an_entry(db, db_path, tmp_path, watch) -> None:  # noqa: F811
    config = _config(
        tmp_path,
        """
[[hooks.run]]
command = ["/nonexistent/notify-chat"]
events = ["entry.added"]
""",
    )
    number = ops.declare(db, title="Checkout failing", severity=2, author="mira", now=now())
    watching = watch(str(db_path), "--hooks", config=config)
    ops.log_entry(db, key=number, text="EU error rate up", author="li", now=now())
    watching.wait_for(lambda: _hook_entries(db, number), "the failure entry")
    (entry,) = _hook_entries(db, number)
    assert entry.startswith("Hook notify-chat failed: could not start: No such file or directory")
    assert watching.stop() == 0


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _event(name: str, **more) -> dict:  # type: ignore[no-untyped-def]
    return {"event": name, "incident": "INC-3", "by": "ana", "drill": False, **more}


def test_hook_filters_events_audience_incident_and_drills() -> None:
    external = _event("update.posted", update={"audience": "external"})
    internal = _event("update.posted", update={"audience": "internal"})
    hook = Hook("x", ("true",), events=frozenset({"update.posted"}), audience="external")
    assert hook.wants(external) and not hook.wants(internal)
    assert not hook.wants(_event("entry.added"))
    everything = Hook("x", ("true",))
    assert everything.wants(_event("phase.changed"))
    assert not everything.wants({**external, "drill": True})
    assert Hook("x", ("true",), drills=True).wants({**external, "drill": True})
    assert not everything.wants({**external, "by": "hooks"})  # its own failure entries
    assert not Hook("x", ("true",), incident="INC-4").wants(external)


def test_hooks_config_reads_every_setting() -> None:
    config = config_from_mapping(
        {
            "hooks": {
                "run": [
                    {
                        "name": "chat",
                        "command": ["curl", "-d", "@-", "https://chat.example/hook"],
                        "events": ["update.posted", "phase.changed"],
                        "audience": "ext",
                        "incident": "inc-3",
                        "drills": True,
                        "timeout": "30s",
                    },
                    {"command": ["/usr/local/bin/page"]},
                ]
            }
        }
    )
    chat, page = config.hooks
    assert chat == Hook(
        "chat",
        ("curl", "-d", "@-", "https://chat.example/hook"),
        frozenset({"update.posted", "phase.changed"}),
        "external",
        "INC-3",
        True,
        30.0,
    )
    assert page.name == "page" and page.events is None and page.timeout_s == 10.0


@pytest.mark.parametrize(
    ("run", "message"),
    [
        (
            {"command": ["x"], "evnts": ["update.posted"]},
            "unknown setting hooks.run[0].evnts; did you mean hooks.run[0].events?",
        ),
        (
            {"command": ["x"], "events": ["update.post"]},
            "hooks.run[0].events: unknown event 'update.post'; did you mean update.posted?",
        ),
        (
            {"command": "curl x"},
            'hooks.run[0].command: expected a list of strings, e.g. ["sh", "-c", "curl …"]',
        ),
        (
            {"command": ["x"], "audience": "everyone"},
            "hooks.run[0].audience: expected one of internal, external, executive",
        ),
        (
            {"command": ["x"], "timeout": 0},
            'hooks.run[0].timeout: expected seconds (10) or a duration ("30s"), up to 1h',
        ),
        ({"command": ["x"], "drills": "yes"}, "hooks.run[0].drills: expected true or false"),
    ],
)
def test_hooks_config_errors_name_the_setting(run: dict, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_mapping({"hooks": {"run": [run]}})
    assert str(caught.value) == message


def test_a_config_typo_stops_watch_in_one_line(cli, tmp_path) -> None:
    config = _config(tmp_path, '[[hooks.run]]\ncommand = ["true"]\ntimout = 5\n')
    result = cli("watch", "--hooks", "--config", str(config))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert (
        "unknown setting hooks.run[0].timout; did you mean hooks.run[0].timeout?" in result.stderr
    )
    nothing = cli("watch", "--hooks")
    assert nothing.returncode == 1
    assert nothing.stderr.startswith("incident-tui: error: no hooks to run: add [[hooks.run]]")
