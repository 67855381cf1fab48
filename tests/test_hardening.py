"""Secrets, templates, config typos and file modes: nothing leaked, nothing run, nothing
silently ignored, nothing more open than the user's own umask."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CliRunner, _server_answers

SECRET = "S3CRETPW"


def _needs_server() -> None:
    reason = _server_answers()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.mark.parametrize(
    ("url", "said"),
    [
        (f"postgresql+psycopg://postgres:{SECRET}@127.0.0.1:5432/no_such_db", "does not exist"),
        (f"postgresql+psycopg://nobody_here:{SECRET}@127.0.0.1:5432/test", "authentication"),
        (f"postgresql+psycopg://postgres:{SECRET}@127.0.0.1:1/test", "cannot reach"),
        (f"postgresql+psycopg://postgres:{SECRET}@127.0.0.1:notaport/test", "cannot open"),
        (f"postgresql+nodriver://postgres:{SECRET}@127.0.0.1/test", "cannot open"),
    ],
)
def test_a_postgres_failure_is_told_apart_and_never_shows_the_password(
    cli: CliRunner, url: str, said: str
) -> None:
    if "psycopg" in url and "notaport" not in url:
        _needs_server()
    for argv in (("list",), ("show", "INC-1"), ("log", "INC-1", "x")):
        result = cli("--db", url, *argv)
        assert result.returncode == 1, result.stderr
        assert SECRET not in result.stderr + result.stdout
        assert said in result.stderr, result.stderr
        assert len(result.stderr.splitlines()) == 1


def test_a_live_feed_error_is_redacted() -> None:
    from incident_tui.store.failures import redacted

    url = f"postgresql+psycopg://u:{SECRET}@h/d"
    assert SECRET not in redacted(f'connection to "u:{SECRET}@h" failed', url)


# --- the user's template runs sandboxed ------------------------------------------------


@pytest.fixture
def inc1(cli: CliRunner, migrated_path: Path) -> str:
    # migrated_path: the file at the schema head already, so no process migrates it.
    result = cli("declare", "Search empty", "-s", "2")
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def _template(private_home: Path, text: str) -> Path:
    folder = private_home / "config" / "incident-tui"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "postmortem.md.j2"
    path.write_text(text)
    return path


def test_a_template_cannot_reach_python(
    cli: CliRunner, inc1: str, private_home: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "ran"
    _template(
        private_home,
        "{{ cycler.__init__.__globals__.os.popen('touch " + str(marker) + "').read() }}\n",
    )
    result = cli("export", inc1)
    assert not marker.exists()
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "postmortem.md.j2" in lines[0] and "line 1" in lines[0]


def test_a_broken_template_is_one_line_naming_it_and_the_line(
    cli: CliRunner, inc1: str, private_home: Path
) -> None:
    _template(private_home, "# {{ title }}\n\n{% for x in %}\n")
    result = cli("export", inc1)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "postmortem.md.j2" in lines[0] and "line 3" in lines[0], lines


def test_a_plain_user_template_still_renders(cli: CliRunner, inc1: str, private_home: Path):
    _template(private_home, "# {{ detail.title }} ({{ detail.key }})\n")
    result = cli("export", inc1)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# Search empty")


# --- strict config ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("toml", "named", "nearest"),
    [
        ("[severty.1]\nacknowledge = 5\n", "severty", "severity"),
        ('[user]\nnmae = "mira"\n', "user.nmae", "user.name"),
        ("user = 5\n", "user", "a table"),
        ('[display]\ntimezon = "UTC"\n', "display.timezon", "display.timezone"),
        ("[severity.1]\nacknowlege = 5\n", "severity.1.acknowlege", "acknowledge"),
        ("[severity.1.updates]\ninternl = 5\n", "severity.1.updates.internl", "internal"),
        ("[postmortem]\ndeu = 5\n", "postmortem.deu", "postmortem.due"),
        ('[checklists.first]\nitems = ["a"]\ntitel = "x"\n', "checklists.first.titel", "title"),
        ("[postmortem]\ndue = 99999999999999999999\n", "postmortem.due", "ten years"),
        ("[severity.2]\nresolve = -1\n", "severity.2.resolve", "positive"),
    ],
)
def test_a_config_typo_is_an_error_naming_the_key_and_the_nearest_one(
    cli: CliRunner, tmp_path: Path, toml: str, named: str, nearest: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(toml)
    result = cli("--config", str(config), "list")
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert named in lines[0] and nearest in lines[0], lines[0]


def test_every_documented_key_is_accepted(cli: CliRunner, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[user]\nname = "mira"\n[display]\ntimezone = "Europe/Berlin"\n'
        '[severity.1]\nacknowledge = "10m"\nresolve = "2h"\nescalate = false\n'
        '[severity.1.updates]\ninternal = 10\nexternal = "20m"\nexecutive = "off"\n'
        '[postmortem]\ndue = "72h"\n'
        '[checklists.db]\ntitle = "Database"\nitems = ["page the DBA"]\n'
        'phases = ["triage"]\nseverities = [1, 2]\n'
    )
    result = cli("--config", str(config), "list")
    assert result.returncode == 0, result.stderr


# --- private folders, exports with the user's umask -----------------------------------


def _in_umask(umask: int, *argv: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    code = (
        f"import os, sys; os.umask({umask:#o}); "
        "from incident_tui.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    return subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, text=True, env=env
    )


@pytest.fixture
def env(private_home: Path) -> dict[str, str]:
    from tests.conftest import FROZEN_AT

    return {**os.environ, "INCIDENT_TUI_NOW": FROZEN_AT.isoformat()}


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_every_folder_the_app_creates_is_private_even_under_umask_000(
    tmp_path: Path, env: dict[str, str]
) -> None:
    db = tmp_path / "x" / "sub" / "p.db"
    result = _in_umask(0o000, "--db", str(db), "declare", "t", "-s", "3", env=env)
    assert result.returncode == 0, result.stderr
    assert _mode(tmp_path / "x") == 0o700
    assert _mode(tmp_path / "x" / "sub") == 0o700
    assert _mode(db) == 0o600


def test_the_default_data_folder_is_private(private_home: Path, env: dict[str, str]) -> None:
    env = {k: v for k, v in env.items() if k != "INCIDENT_TUI_DB"}
    result = _in_umask(0o000, "declare", "t", "-s", "3", env=env)
    assert result.returncode == 0, result.stderr
    made = private_home / "data"
    for folder in (made, made / "incident-tui"):
        assert _mode(folder) == 0o700, folder


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o027])
def test_an_export_file_follows_the_users_umask(
    tmp_path: Path, env: dict[str, str], umask: int
) -> None:
    db = tmp_path / "e.db"
    assert _in_umask(umask, "--db", str(db), "declare", "t", "-s", "3", env=env).returncode == 0
    out = tmp_path / "draft.md"
    result = _in_umask(umask, "--db", str(db), "export", "INC-1", "-o", str(out), env=env)
    assert result.returncode == 0, result.stderr
    assert _mode(out) == 0o666 & ~umask
