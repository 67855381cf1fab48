"""The wheel ships the styles and the migrations, and runs from them."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    pytest.importorskip("hatchling", reason="building the wheel needs hatchling")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("incident_tui-*.whl")
    return built


def test_wheel_contains_styles_and_migrations(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "incident_tui/styles/app.tcss" in names
    assert "incident_tui/store/migrations/env.py" in names
    assert "incident_tui/store/migrations/script.py.mako" in names
    assert "incident_tui/formats/templates/postmortem.md.j2" in names
    assert "incident_tui/cli/web_page/app_index.html" in names  # `incident-tui web`'s page
    assert any(n.startswith("incident_tui/store/migrations/versions/0001_") for n in names)


def test_wheel_opens_a_database_and_starts_the_app(wheel: Path, tmp_path: Path) -> None:
    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    env = dict(os.environ, PYTHONPATH=str(unpacked), INCIDENT_TUI_DB=str(tmp_path / "w.db"))
    script = (
        "import asyncio, incident_tui.app as a\n"
        f"assert a.styles_dir().is_relative_to({str(unpacked)!r}), a.styles_dir()\n"
        "from incident_tui.cli import main\n"
        "assert main(['declare', 'From the wheel', '--severity', '2']) == 0\n"
        "async def run():\n"
        "    app = a.IncidentApp()\n"
        "    async with app.run_test() as pilot:\n"
        "        await pilot.pause(0.5)\n"
        "        await app.workers.wait_for_complete()\n"
        "        await pilot.pause()\n"
        "        assert app.screen.query_one('#incidents').row_count == 1\n"
        "asyncio.run(run())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "INC-1"
