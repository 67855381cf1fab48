"""presence; PostgreSQL notifications for live refresh

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

# Every table a screen shows. Each committed change notifies channel `incident_tui`
# with the incident's number, so screens on other hosts refresh without polling
# (incident_tui/live.py listens). Notifications are sent at commit, never for a
# rolled-back transaction. SQLite needs none: screens watch its data_version.
NOTIFYING_TABLES = (
    'incident', 'incident_change', 'role_holding', 'timeline_entry', 'status_update',
    'action_item', 'postmortem', 'five_why', 'timer', 'deadline_snooze', 'presence',
)

NOTIFY_FUNCTION = """
CREATE OR REPLACE FUNCTION incident_tui_notify() RETURNS trigger AS $$
DECLARE
    changed jsonb := to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END);
BEGIN
    PERFORM pg_notify('incident_tui', COALESCE(changed->>'incident_id', changed->>'id', ''));
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.create_table('presence',
    sa.Column('session', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('host', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('opened_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('seen_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], ),
    sa.PrimaryKeyConstraint('session')
    )
    with op.batch_alter_table('presence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_presence_incident_id'), ['incident_id'], unique=False)

    if op.get_bind().dialect.name == 'postgresql':
        op.execute(NOTIFY_FUNCTION)
        for table in NOTIFYING_TABLES:
            op.execute(
                f'CREATE TRIGGER {table}_notify AFTER INSERT OR UPDATE OR DELETE ON {table} '
                'FOR EACH ROW EXECUTE FUNCTION incident_tui_notify()'
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for table in NOTIFYING_TABLES:
            op.execute(f'DROP TRIGGER IF EXISTS {table}_notify ON {table}')
        op.execute('DROP FUNCTION IF EXISTS incident_tui_notify()')
    with op.batch_alter_table('presence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_presence_incident_id'))
    op.drop_table('presence')
