"""PostgreSQL change feed: a channel per schema, one notification per statement, txids

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

PostgreSQL only (SQLite follows its data_version; nothing changes there):

- Notifications go to a channel of the schema's own, `incident_tui.<schema>` (or
  `incident_tui.<md5 of schema>` past PostgreSQL's 63-byte names): two teams, or two
  test schemas, in one database no longer wake each other's screens. The payload is the
  table's name. The listener works out the same name (store/change_feed.py).
- The triggers fire once per statement, not once per row: a bulk import of 10k entries
  in one statement costs one trigger call, and PostgreSQL folds the identical
  notifications of one transaction into one.
- `timeline_entry.txid` and `entry_revision.txid`: the id of the transaction that wrote
  the row (`pg_current_xact_id()`). Ids are handed out at insert but commit in any
  order; a reader that notes the snapshot's xmin at each read finds every row committed
  since by `id > cursor OR txid >= xmin`, however many were in flight
  (store/timeline_reads.py). Rows written before this revision keep NULL: they were
  all committed before it. Added without a default first, so no table is rewritten.
"""
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

NOTIFYING_TABLES = (
    'incident', 'incident_change', 'role_holding', 'timeline_entry', 'status_update',
    'action_item', 'postmortem', 'five_why', 'timer', 'deadline_snooze', 'presence',
    'checklist_tick',
)
TXID_TABLES = ('timeline_entry', 'entry_revision')

NOTIFY_FUNCTION = """
CREATE OR REPLACE FUNCTION incident_tui_notify() RETURNS trigger AS $$
DECLARE
    channel text := 'incident_tui.' || TG_TABLE_SCHEMA;
BEGIN
    IF octet_length(channel) > 63 THEN
        channel := 'incident_tui.' || md5(TG_TABLE_SCHEMA);
    END IF;
    PERFORM pg_notify(channel, TG_TABLE_NAME);
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""

OLD_NOTIFY_FUNCTION = """
CREATE OR REPLACE FUNCTION incident_tui_notify() RETURNS trigger AS $$
DECLARE
    changed jsonb := to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END);
BEGIN
    PERFORM pg_notify('incident_tui', COALESCE(changed->>'incident_id', changed->>'id', ''));
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""


def _triggers(level: str) -> None:
    for table in NOTIFYING_TABLES:
        op.execute(f'DROP TRIGGER IF EXISTS {table}_notify ON {table}')
        op.execute(
            f'CREATE TRIGGER {table}_notify AFTER INSERT OR UPDATE OR DELETE ON {table} '
            f'FOR EACH {level} EXECUTE FUNCTION incident_tui_notify()'
        )


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(NOTIFY_FUNCTION)
    _triggers('STATEMENT')
    for table in TXID_TABLES:
        op.execute(f'ALTER TABLE {table} ADD COLUMN txid xid8')
        op.execute(f'ALTER TABLE {table} ALTER COLUMN txid SET DEFAULT pg_current_xact_id()')
        op.execute(f'CREATE INDEX ix_{table}_txid ON {table} (txid)')


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table in TXID_TABLES:
        op.execute(f'DROP INDEX IF EXISTS ix_{table}_txid')
        op.execute(f'ALTER TABLE {table} DROP COLUMN IF EXISTS txid')
    op.execute(OLD_NOTIFY_FUNCTION)
    _triggers('ROW')
