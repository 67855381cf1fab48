"""alerts in: alert groups mapped to incidents, alert states taken in

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04

`alert_group`: a sender's group key (Alertmanager's `groupKey`, a PagerDuty incident, a
generic `group`) and the incident its alerts go to. `alert_receipt`: each alert state
taken in (fingerprint, status, start) with the entry it added, unique, so a repeated
notification or a retried delivery adds nothing.
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('alert_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('group_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('first_seen_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('last_seen_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source', 'group_key')
    )
    with op.batch_alter_table('alert_group', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_group_incident_id'), ['incident_id'], unique=False)

    op.create_table('alert_receipt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('fingerprint', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('starts_at', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('received_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['timeline_entry.id'], ),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source', 'fingerprint', 'status', 'starts_at')
    )
    with op.batch_alter_table('alert_receipt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_receipt_incident_id'), ['incident_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('alert_receipt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_receipt_incident_id'))
    op.drop_table('alert_receipt')
    with op.batch_alter_table('alert_group', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_group_incident_id'))
    op.drop_table('alert_group')
