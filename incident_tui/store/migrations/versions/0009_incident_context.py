"""incident context: its type, the services it affects, its labels

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07

- `incident.incident_type`: the kind of incident (`[types.NAME]` in the config), null
  when not set (every incident before this revision).
- `incident_service`: one row per service an incident affects, unique per incident;
  indexed by name, so the list, actions, metrics and search filter by service cheaply.
- `incident_label`: one value per key per incident.

On PostgreSQL both new tables notify the change feed like the others (0008).
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

NEW_TABLES = ('incident_service', 'incident_label')


def upgrade() -> None:
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('incident_type', sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
    op.create_table('incident_service',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('added_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('added_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('incident_id', 'name')
    )
    with op.batch_alter_table('incident_service', schema=None) as batch_op:
        batch_op.create_index('ix_incident_service_name', ['name', 'incident_id'], unique=False)

    op.create_table('incident_label',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('value', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('set_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('set_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('incident_id', 'key')
    )
    with op.batch_alter_table('incident_label', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_incident_label_incident_id'), ['incident_id'], unique=False
        )

    if op.get_bind().dialect.name == 'postgresql':
        for table in NEW_TABLES:
            op.execute(
                f'CREATE TRIGGER {table}_notify AFTER INSERT OR UPDATE OR DELETE ON {table} '
                'FOR EACH STATEMENT EXECUTE FUNCTION incident_tui_notify()'
            )


def downgrade() -> None:
    with op.batch_alter_table('incident_label', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_label_incident_id'))
    op.drop_table('incident_label')
    with op.batch_alter_table('incident_service', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_service_name')
    op.drop_table('incident_service')
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_column('incident_type')
