"""full-text search over incidents; checklist ticks

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

Search covers incident titles and summaries, timeline entries, status updates,
postmortem sections, five whys and action items. SQLite: two FTS5 tables kept in step by
triggers — `search_entry` for the timelines (a million rows), `search_doc` for the rest
(a few per incident), so the many entries never slow the ranking of the documents; each
document's rowid is its row id × 8 + its kind, so an edit or a delete finds its document
without a scan. PostgreSQL: GIN indexes on the same texts' tsvectors, which stay in step
by themselves.
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# kind code → (table, the text expression, the incident id expression, a live-row condition)
SQLITE_DOCUMENTS = {
    0: ('incident', "{r}.title || ' ' || {r}.summary", '{r}.id', '1'),
    1: ('timeline_entry', '{r}.text', '{r}.incident_id', '{r}.deleted_at IS NULL'),
    2: ('status_update', '{r}.text', '{r}.incident_id', '1'),
    3: (
        'postmortem',
        "{r}.summary || ' ' || {r}.root_cause || ' ' || {r}.contributing_factors || ' ' || "
        "{r}.what_went_well || ' ' || {r}.what_went_poorly || ' ' || {r}.lucky_breaks || ' ' || "
        "{r}.lessons_learned",
        '{r}.incident_id',
        '1',
    ),
    4: ('five_why', "{r}.question || ' ' || {r}.answer", '{r}.incident_id', '1'),
    5: ('action_item', '{r}.description', '{r}.incident_id', '1'),
}
"""The postmortem's key is its incident id: its rowid is incident_id × 8 + 3."""

PG_INDEXES = {
    'incident': "title || ' ' || summary",
    'timeline_entry': 'text',
    'status_update': 'text',
    'postmortem': (
        "summary || ' ' || root_cause || ' ' || contributing_factors || ' ' || what_went_well"
        " || ' ' || what_went_poorly || ' ' || lucky_breaks || ' ' || lessons_learned"
    ),
    'five_why': "question || ' ' || answer",
    'action_item': 'description',
}


def _rowid(table: str, code: int, r: str) -> str:
    key = 'incident_id' if table == 'postmortem' else 'id'
    return f'{r}.{key} * 8 + {code}'


def _fts_table(code: int) -> str:
    return 'search_entry' if code == 1 else 'search_doc'


def _sqlite_search() -> None:
    for name in ('search_entry', 'search_doc'):
        op.execute(
            f"CREATE VIRTUAL TABLE {name} USING fts5("
            "body, incident_id UNINDEXED, tokenize = 'porter unicode61 remove_diacritics 2')"
        )
    for code, (table, body, incident, live) in SQLITE_DOCUMENTS.items():
        search_index = _fts_table(code)
        insert = (
            f"INSERT INTO {search_index} (rowid, body, incident_id) SELECT "
            f"{_rowid(table, code, 'new')}, {body.format(r='new')}, {incident.format(r='new')} "
            f"WHERE {live.format(r='new')};"
        )
        remove = f"DELETE FROM {search_index} WHERE rowid = {_rowid(table, code, 'old')};"
        op.execute(f"CREATE TRIGGER {table}_search_ai AFTER INSERT ON {table} BEGIN {insert} END")
        op.execute(
            f"CREATE TRIGGER {table}_search_au AFTER UPDATE ON {table} BEGIN {remove} {insert} END"
        )
        op.execute(f"CREATE TRIGGER {table}_search_ad AFTER DELETE ON {table} BEGIN {remove} END")
        op.execute(
            f"INSERT INTO {search_index} (rowid, body, incident_id) SELECT "
            f"{_rowid(table, code, table)}, {body.format(r=table)}, {incident.format(r=table)} "
            f"FROM {table} WHERE {live.format(r=table)}"
        )


def _pg_search() -> None:
    for table, body in PG_INDEXES.items():
        op.execute(
            f"CREATE INDEX ix_{table}_search ON {table} "
            f"USING gin (to_tsvector('english', {body}))"
        )
    op.execute(
        'CREATE TRIGGER checklist_tick_notify AFTER INSERT OR UPDATE OR DELETE ON checklist_tick '
        'FOR EACH ROW EXECUTE FUNCTION incident_tui_notify()'
    )


def upgrade() -> None:
    op.create_table('checklist_tick',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('checklist', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('item', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('ticked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('ticked_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('incident_id', 'checklist', 'item')
    )
    if op.get_bind().dialect.name == 'postgresql':
        _pg_search()
    else:
        _sqlite_search()


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS checklist_tick_notify ON checklist_tick')
        for table in PG_INDEXES:
            op.execute(f'DROP INDEX IF EXISTS ix_{table}_search')
    else:
        for table, *_ in SQLITE_DOCUMENTS.values():
            for suffix in ('ai', 'au', 'ad'):
                op.execute(f'DROP TRIGGER IF EXISTS {table}_search_{suffix}')
        op.execute('DROP TABLE IF EXISTS search_entry')
        op.execute('DROP TABLE IF EXISTS search_doc')
    op.drop_table('checklist_tick')
