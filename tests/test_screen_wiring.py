"""How the screens hang together: they open each other through the app, never by
importing one another (read with `ast`), and a worker that fails says so in one line and
leaves its screen usable."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from incident_tui.screens.actions import ActionsScreen
from incident_tui.screens.metrics import MetricsScreen
from incident_tui.store import reports
from tests.conftest import patience
from tests.test_across import make_app, seed_history
from tests.test_app import settle

PACKAGE = Path(__file__).resolve().parent.parent / "incident_tui"
SCREENS = PACKAGE / "screens"
SHARED = {"dialogs", "wiring", "service_filter"}
"""Modules of screens/ that are not screens: any screen may import them."""
"""Being split on its own branch; its imports go through the app once that lands."""


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported(path: Path, *, runtime_only: bool = False) -> set[str]:
    """Every module `path` imports, at the top or inside functions; with `runtime_only`,
    not what it imports for the type checker alone (under `if TYPE_CHECKING:`)."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if runtime_only and isinstance(node, ast.If) and _type_checking_only(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def screen_of(name: str) -> str:
    """The screen a module of screens/ belongs to: `postmortem_items` is a part of
    `postmortem` (a module named after a screen, then `_` and its job)."""
    names = {path.stem for path in SCREENS.glob("*.py")}
    owners = [n for n in names if name.startswith(f"{n}_")]
    return min(owners, key=len) if owners else name


def screen_modules() -> list[str]:
    return sorted(p.stem for p in SCREENS.glob("*.py") if p.stem != "__init__")


@pytest.mark.parametrize(
    "name",
    screen_modules(),
)
def test_a_screen_imports_no_other_screen(name: str) -> None:
    prefix = "incident_tui.screens."
    others = {
        module.removeprefix(prefix).split(".")[0]
        for module in imported(SCREENS / f"{name}.py")
        if module.startswith(prefix)
    }
    wrong = {
        other
        for other in others
        if other in screen_modules() and other not in SHARED and screen_of(other) != screen_of(name)
    }
    assert not wrong, f"screens/{name}.py imports {sorted(wrong)}: open it through the app"


def test_only_the_app_imports_screens_and_no_screen_or_widget_imports_the_app() -> None:
    importers = sorted(
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if SCREENS not in path.parents
        and any(
            m == "incident_tui.screens" or m.startswith("incident_tui.screens.")
            for m in imported(path)
        )
    )
    assert importers == ["app.py"]
    for folder in (SCREENS, PACKAGE / "widgets"):
        for path in folder.glob("*.py"):
            assert "incident_tui.app" not in imported(path, runtime_only=True), (
                f"{path.relative_to(PACKAGE)} imports the app: reach it through `incident_app`"
            )


def test_the_too_small_screen_does_not_read_its_size_from_the_app() -> None:
    assert "incident_tui.app" not in imported(SCREENS / "too_small.py")


# --- a worker that fails -------------------------------------------------------------------


def _toasts(app) -> list[str]:
    return [str(toast.render()) for toast in app.screen.query("Toast")]


async def _until(pilot, done) -> None:
    for _ in patience():
        if done():
            return
        await pilot.pause(0.02)
    raise AssertionError("never happened")


@pytest.mark.parametrize(
    ("key", "read", "screen_type"),
    [("m", "trends", MetricsScreen), ("i", "action_items", ActionsScreen)],
    ids=["metrics", "actions"],
)
async def test_an_unexpected_failure_in_a_worker_is_one_line_and_the_screen_answers_keys(
    db, clock, monkeypatch, key, read, screen_type
) -> None:
    seed_history(db)
    real = getattr(reports, read)
    broken = {"yes": True}

    def failing(*args, **kwargs):
        if broken["yes"]:
            raise RuntimeError("disk on fire [bold]x[/bold]")
        return real(*args, **kwargs)

    monkeypatch.setattr(reports, read, failing)
    app = make_app(db, clock)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press(key)
        await settle(pilot)
        assert isinstance(app.screen, screen_type)
        line = "internal error: RuntimeError: disk on fire [bold]x[/bold]"
        await _until(pilot, lambda: any(line in toast for toast in _toasts(app)))
        # Still usable: its keys work, and the next read (the database mended) shows.
        broken["yes"] = False
        screen = app.screen
        if screen_type is MetricsScreen:
            await pilot.press("1")
            await settle(pilot)
            title = str(screen.query_one("#metrics-title", Static).render())
            assert "the last 7 days" in title
        else:
            await pilot.press("v")
            await settle(pilot)
            assert screen.overdue
            assert screen.query_one("#actions", DataTable).row_count >= 1
            assert "overdue only" in str(screen.query_one("#actions-status", Static).render())
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is not screen
