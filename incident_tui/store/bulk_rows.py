"""Many rows into one table inside the caller's transaction, fast (the store side of a big
import): multi-row `INSERT … VALUES (…), (…), …` statements through the session's own
connection, each value converted by its column's type exactly as the ORM would.

Why not `session.execute(insert(table), rows)`: SQLAlchemy hands SQLite an executemany,
one statement per row, and every statement is a savepoint at which FTS5 flushes its
pending terms, so the search triggers cost ~30 µs a row; one statement of thousands of
rows lets FTS5 batch them (~5 µs a row) and skips SQLAlchemy's per-row parameter
processing. PostgreSQL takes the same statement (with its own placeholders).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from itertools import chain, repeat
from operator import attrgetter, getitem, methodcaller
from typing import Any

from sqlalchemy import Dialect, Table
from sqlalchemy.sql.schema import ScalarElementColumnDefault
from sqlalchemy.types import DateTime, TypeEngine
from sqlmodel import Session

SQLITE_VARIABLES = 32_766
"""SQLite's default limit of parameters in one statement (since 3.32); we ask the
connection for its own limit and never go above this."""
PG_VARIABLES = 65_535
_TZINFO = attrgetter("tzinfo")


class RowWriter:
    """Writes tuples of `columns` into `table` (columns left out get their scalar
    defaults) on the session's connection: `writer.write(rows)` as often as needed."""

    def __init__(self, session: Session, table: Table, columns: Sequence[str]) -> None:
        self._connection = session.connection()
        dialect = self._connection.dialect
        defaults = {
            column.name: column.default.arg
            for column in table.columns
            if column.name not in columns and isinstance(column.default, ScalarElementColumnDefault)
        }
        self._extra = tuple(defaults.values())
        names = [*columns, *defaults]
        self._converters = [_converter(table.c[name].type, dialect) for name in names]
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        self._row_sql = "(" + ", ".join([mark] * len(names)) + ")"
        quote = dialect.identifier_preparer.quote
        self._head = (
            f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) VALUES "
        )
        self._per_statement = max(1, self._variables() // len(names))
        self._full_sql = self._sql(self._per_statement)

    def _variables(self) -> int:
        if self._connection.dialect.name != "sqlite":
            return PG_VARIABLES
        raw = self._connection.connection.driver_connection
        try:
            limit = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)  # type: ignore[union-attr]
        except (AttributeError, sqlite3.Error):  # pragma: no cover — Python < 3.11
            limit = 999
        return min(limit, SQLITE_VARIABLES)

    def _sql(self, rows: int) -> str:
        return self._head + ", ".join([self._row_sql] * rows)

    def write(self, rows: Iterable[Sequence[Any]]) -> int:
        """Insert `rows` (in order: the ids follow it); returns how many."""
        rows = [tuple(row) + self._extra for row in rows] if self._extra else list(rows)
        count = len(rows)
        for start in range(0, count, self._per_statement):
            chunk = rows[start : start + self._per_statement]
            columns = [  # column by column: no Python call per cell where it can be helped
                convert(values) if convert is not None else values
                for convert, values in zip(self._converters, zip(*chunk, strict=True), strict=True)
            ]
            flat = tuple(chain.from_iterable(zip(*columns, strict=True)))
            sql = self._full_sql if len(chunk) == self._per_statement else self._sql(len(chunk))
            self._connection.exec_driver_sql(sql, flat)
        return count


_PROBES = [
    datetime(2026, 12, 2, 0, 35, 12, 897700, tzinfo=UTC),
    datetime(1970, 1, 1, tzinfo=UTC),
    datetime(2036, 2, 29, 23, 59, 59, 1, tzinfo=UTC),
]
_AS_TEXT = methodcaller("isoformat", " ", "microseconds")
_NAIVE = repeat(slice(0, 26))  # "2026-12-02 00:35:12.897700" without "+00:00"


def _converter(kind: TypeEngine, dialect: Dialect) -> Callable[[Sequence[Any]], Any] | None:
    """A column's values → what the driver gets, by the column type's own bind processor;
    for UTC datetimes on SQLite, by builtins alone (no Python call per value, ~10×
    quicker), used only when it gives the very text the type's processor gives for the
    probes, and only for a column whose every value is a datetime in UTC."""
    process = kind.dialect_impl(dialect).bind_processor(dialect)
    if process is None:
        return None

    def slow(values: Sequence[Any]) -> list[Any]:
        return list(map(process, values))

    stored_as = getattr(kind, "impl", kind)  # a TypeDecorator (UTCDateTime) stores its impl
    if dialect.name != "sqlite" or not isinstance(stored_as, DateTime):
        return slow

    def fast(values: Sequence[Any]) -> list[Any]:
        if set(map(type, values)) <= {datetime} and set(map(_TZINFO, values)) <= {UTC}:
            return list(map(getitem, map(_AS_TEXT, values), _NAIVE))
        return slow(values)

    return fast if fast(_PROBES) == slow(_PROBES) else slow
