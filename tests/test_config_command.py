"""`incident-tui config`: the config file's path and every setting in effect, each with
where it came from: a flag, the environment, the file, or the default."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from incident_tui.cli import main


def shown(capsys, *argv: str) -> dict:
    assert main(["config", "--json", *argv]) == 0
    return json.loads(capsys.readouterr().out)


def by_key(doc: dict) -> dict[str, tuple[str, str]]:
    return {row["key"]: (row["value"], row["source"]) for row in doc["settings"]}


@pytest.fixture
def no_config(private_home: Path) -> Path:
    """No config file, no INCIDENT_TUI_* variables: a fresh machine."""
    return private_home


def test_without_a_file_every_setting_is_its_default(no_config, capsys) -> None:
    doc = shown(capsys)
    assert doc["config_file"]["exists"] is False
    assert doc["config_file"]["source"] == "default"
    assert doc["config_file"]["path"].endswith("incident-tui/config.toml")
    settings = by_key(doc)
    assert settings["database"][1] == "default"
    assert settings["database"][0].endswith("incident-tui/incidents.db")
    assert settings["severity.1.acknowledge"] == ("15m", "default")
    assert settings["severity.2.escalate"] == ("off", "default")
    assert settings["postmortem.due"] == ("2d", "default")
    assert {source for _value, source in settings.values()} == {"default"}


def test_the_file_the_environment_and_the_flags_each_say_so(
    no_config, capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "team.toml"
    config.write_text(
        '[user]\nname = "mira"\n[display]\ntimezone = "Europe/Paris"\n'
        '[severity.1]\nacknowledge = "10m"\n[severity.1.updates]\nexternal = "1h30m"\n'
    )
    monkeypatch.setenv("INCIDENT_TUI_CONFIG", str(config))
    monkeypatch.setenv("INCIDENT_TUI_DB", str(tmp_path / "team.db"))
    doc = shown(capsys)
    assert doc["config_file"] == {
        "path": str(config),
        "exists": True,
        "source": "$INCIDENT_TUI_CONFIG",
    }
    settings = by_key(doc)
    assert settings["database"] == (str(tmp_path / "team.db"), "$INCIDENT_TUI_DB")
    assert settings["user.name"] == ("mira", "file")
    assert settings["display.timezone"] == ("Europe/Paris", "file")
    assert settings["severity.1.acknowledge"] == ("10m", "file")
    assert settings["severity.1.updates.external"] == ("1h30m", "file")
    # A table in the file does not make its other settings the file's.
    assert settings["severity.1.resolve"] == ("1h", "default")
    assert settings["severity.1.updates.internal"] == ("15m", "default")

    flags = by_key(
        shown(capsys, "--as", "sam", "--db", "postgresql+psycopg://ic:S3CRET@db.example/inc")
    )
    assert flags["user.name"] == ("sam", "--as")
    assert flags["database"] == ("postgresql+psycopg://ic:***@db.example/inc", "--db")


def test_the_readable_form_is_one_line_a_setting(no_config, capsys) -> None:
    assert main(["config"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("config file: ") and "every setting is its default" in lines[0]
    assert any(line.split() == ["severity.1.acknowledge", "15m", "default"] for line in lines)


def test_a_bad_file_is_its_one_line_error(no_config, capsys, tmp_path: Path) -> None:
    config = tmp_path / "typo.toml"
    config.write_text("[severty.1]\nacknowledge = '5m'\n")
    assert main(["config", "--config", str(config)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "did you mean severity" in err[0]
