"""Raw SQL only in store/: SQLAlchemy's `text()` is imported nowhere else.

(import-linter keeps `sqlite3` and `psycopg` inside store/; it cannot tell one name of
`sqlalchemy` from another, so this test watches `text`.)"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "incident_tui"
STORE = PACKAGE / "store"


def _uses_text(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            if any(alias.name == "text" for alias in node.names):
                lines.append(node.lineno)
        elif isinstance(node, ast.Attribute) and node.attr == "text":
            if isinstance(node.value, ast.Name) and node.value.id in {"sqlalchemy", "sa"}:
                lines.append(node.lineno)
    return lines


def test_text_sql_only_in_store():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if STORE in path.parents:
            continue
        for line in _uses_text(ast.parse(path.read_text(encoding="utf-8"))):
            found.append(f"{path.relative_to(PACKAGE.parent)}:{line}")
    assert found == []


def test_the_check_sees_text():
    assert _uses_text(ast.parse("from sqlalchemy import select, text\n")) == [1]
    assert _uses_text(ast.parse("import sqlalchemy\nsqlalchemy.text('SELECT 1')\n")) == [2]
