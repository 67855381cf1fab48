"""Alembic environment: our SQLModel metadata, a connection handed in by the store."""

from alembic import context
from sqlalchemy import create_engine
from sqlmodel import SQLModel

from incident_tui.store import models  # noqa: F401  (registers the tables)
from incident_tui.store.migrations import modelled

target_metadata = SQLModel.metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=modelled,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:  # the alembic command line, for developers
    url = context.config.get_main_option("sqlalchemy.url")
    if url is None:
        raise SystemExit("set sqlalchemy.url in alembic.ini (or pass a connection)")
    engine = create_engine(url)
    with engine.begin() as conn:
        _run(conn)
