"""deadline snoozes; a version on timeline entries for conflict checks

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('deadline_snooze',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('deadline', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('snoozed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('snoozed_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('deadline_snooze', schema=None) as batch_op:
        batch_op.create_index('ix_deadline_snooze_incident', ['incident_id', 'deadline'], unique=False)

    with op.batch_alter_table('timeline_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))


def downgrade() -> None:
    with op.batch_alter_table('timeline_entry', schema=None) as batch_op:
        batch_op.drop_column('version')
    with op.batch_alter_table('deadline_snooze', schema=None) as batch_op:
        batch_op.drop_index('ix_deadline_snooze_incident')
    op.drop_table('deadline_snooze')
