"""Tab completion in bash: commands, options, the words a PHASE or AUDIENCE takes, and
the incident keys read from the database the line names — run by a real bash, and once
through a real terminal's Tab key."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from incident_tui import ops
from tests.conftest import FROZEN_AT
from tests.terminal import Terminal, have_tmux

BIN = str(Path(sys.executable).parent)


@pytest.fixture
def script(tmp_path: Path) -> Path:
    path = tmp_path / "incident-tui.bash"
    done = subprocess.run(
        [sys.executable, "-m", "incident_tui", "completion", "bash"],
        capture_output=True,
        text=True,
        check=True,
    )
    path.write_text(done.stdout)
    return path


@pytest.fixture
def three(db, db_path: Path) -> Path:
    """INC-1 resolved (SEV3), INC-2 open SEV1, INC-3 open SEV2."""
    for title, severity in (("Search empty", 3), ("Checkout down", 1), ("Slow login", 2)):
        ops.declare(db, title=title, severity=severity, author="mira", now=FROZEN_AT)
    ops.set_phase(db, key=1, phase="resolved", author="mira", now=FROZEN_AT)
    return db_path


def offered(script: Path, db_path: Path, *words: str) -> list[str]:
    """What bash's completion function offers for the line `words` (the last one being
    completed), on the database in $INCIDENT_TUI_DB."""
    line = " ".join(shlex.quote(w) for w in words)
    program = (
        f"source {shlex.quote(str(script))}\n"
        f"COMP_WORDS=({line}); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))\n"
        '_incident_tui; printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    env = dict(os.environ, PATH=f"{BIN}:{os.environ['PATH']}", INCIDENT_TUI_DB=str(db_path))
    done = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", program],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return [line for line in done.stdout.splitlines() if line]


def test_keys_open_ones_first_worst_first(script: Path, three: Path) -> None:
    assert offered(script, three, "incident-tui", "log", "") == ["INC-2", "INC-3", "INC-1"]
    assert offered(script, three, "incident-tui", "show", "INC-3") == ["INC-3"]
    # An option's value is not a positional: the KEY is still the next word.
    assert offered(script, three, "incident-tui", "log", "--kind", "note", "") == [
        "INC-2",
        "INC-3",
        "INC-1",
    ]


def test_the_database_on_the_line_is_the_one_read(
    script: Path, three: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "other.db"
    assert offered(script, empty, "incident-tui", "--db", str(three), "show", "") == [
        "INC-2",
        "INC-3",
        "INC-1",
    ]
    assert offered(script, three, "incident-tui", "--db", str(empty), "show", "") == []
    assert not empty.exists()  # completing never creates a database


def test_commands_options_and_the_domain_words(script: Path, three: Path) -> None:
    assert offered(script, three, "incident-tui", "ph") == ["phase"]
    assert "--pin" in offered(script, three, "incident-tui", "log", "--p")
    assert offered(script, three, "incident-tui", "update", "INC-2", "e") == [
        "external",
        "executive",
    ]
    assert "mitigating" in offered(script, three, "incident-tui", "phase", "INC-2", "")
    assert offered(script, three, "incident-tui", "severity", "INC-2", "") == [
        "1",
        "2",
        "3",
        "4",
    ]
    assert offered(script, three, "incident-tui", "export", "--format", "") == [
        "markdown",
        "json",
    ]
    assert "acknowledged" in offered(script, three, "incident-tui", "milestone", "INC-2", "")


@pytest.mark.skipif(not have_tmux(), reason="needs tmux (.ci/run installs it)")
def test_tab_in_a_real_terminal_completes_a_key(script: Path, three: Path) -> None:
    rc = script.with_name("bashrc")
    rc.write_text(
        f"export PATH={shlex.quote(BIN)}:$PATH INCIDENT_TUI_DB={shlex.quote(str(three))}\n"
        f"PS1='$ '\nsource {shlex.quote(str(script))}\n"
    )
    terminal = Terminal(["bash", "--noprofile", "--rcfile", str(rc), "-i"], width=100, height=20)
    try:
        terminal.wait_for_text("$", "the prompt")
        terminal.press("-l", "incident-tui show IN")
        terminal.press("Tab")  # as far as the three keys agree: INC-
        terminal.wait_for_text("$ incident-tui show INC-", "the common part, completed")
        # Readline: the next Tab rings the bell (still ambiguous), the one after lists them.
        terminal.press("Tab")
        terminal.press("Tab")
        terminal.wait_for_text("INC-1  INC-2  INC-3", "the keys listed by a double Tab")
        terminal.press("-l", "2")
        terminal.press("Enter")
        terminal.wait_for_text("Checkout down", "INC-2 shown: the completed key ran")
    finally:
        terminal.close()


def test_the_services_and_types_offered_are_the_database_s_and_the_config_s(
    db, db_path: Path, tmp_path: Path
) -> None:
    from incident_tui.domain.context import context_change

    for services in (["checkout-api", "payments"], ["search", "checkout-api"]):
        ops.declare(
            db,
            title="x",
            severity=2,
            author="mira",
            now=FROZEN_AT,
            context=context_change(services=services),
        )
    env = dict(os.environ, INCIDENT_TUI_DB=str(db_path))

    def words(*args: str) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-m", "incident_tui", "completion", *args],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        return done.stdout.split()

    assert words("--services") == ["checkout-api", "payments", "search"]
    assert words("--types") == ["availability", "security", "data-loss"]
    config = tmp_path / "config.toml"
    config.write_text('[types.privacy]\ntitle = "Privacy"\n')
    assert words("--config", str(config), "--types") == ["privacy"]


needs_fish = pytest.mark.skipif(
    not shutil.which("fish"), reason="needs fish (.ci/run installs it: apt-get install fish)"
)


def fish_offers(db_path: Path, line: str) -> list[str]:
    """What fish's own completion engine offers for `line` with the generated script."""
    script = subprocess.run(
        [sys.executable, "-m", "incident_tui", "completion", "fish"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    env = dict(os.environ, PATH=f"{BIN}:{os.environ['PATH']}", INCIDENT_TUI_DB=str(db_path))
    done = subprocess.run(
        ["fish", "--no-config", "-c", f"{script}\ncomplete -C {shlex.quote(line)}"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return [row.split("\t")[0] for row in done.stdout.splitlines() if row]


@needs_fish
def test_fish_completes_keys_words_and_options(three: Path, tmp_path: Path) -> None:
    assert fish_offers(three, "incident-tui log ") == ["INC-2", "INC-3", "INC-1"]
    assert fish_offers(three, "incident-tui log --kind note ") == ["INC-2", "INC-3", "INC-1"]
    assert fish_offers(three, "incident-tui ph") == ["phase"]
    assert fish_offers(three, "incident-tui update INC-2 e") == ["external", "executive"]
    assert "mitigating" in fish_offers(three, "incident-tui phase INC-2 ")
    assert fish_offers(three, "incident-tui export --format ") == ["markdown", "json"]
    assert "--pin" in fish_offers(three, "incident-tui log --p")
    # The database on the line is the one read, and completing never creates it.
    empty = tmp_path / "other.db"
    assert fish_offers(three, f"incident-tui --db {empty} show ") == []
    assert not empty.exists()
