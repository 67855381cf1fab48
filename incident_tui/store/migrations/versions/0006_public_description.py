"""an incident's words for the public

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03

`incident.public_description`: what customers notice, in plain words ("Search results
may be missing for some users in Europe"), asked for on the first external update and
used by the status-page and SMS drafts instead of the internal title. Null until someone
gives it; an incident whose external updates already said it on their `Affected:` line
takes the words of the last one.
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

AFFECTED = 'Affected:'
PLACEHOLDER_START = 'Say what customers notice'


def _affected(text):
    for line in (text or '').splitlines():
        line = line.strip()
        if line.startswith(AFFECTED):
            value = ' '.join(line.removeprefix(AFFECTED).split())
            if value and not value.startswith(PLACEHOLDER_START):
                return value
    return None


def upgrade() -> None:
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('public_description', sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT incident_id, text FROM status_update WHERE audience = 'external'"
            ' ORDER BY posted_at, id'
        )
    ).fetchall()
    words = {}
    for incident_id, text in rows:
        said = _affected(text)
        if said:
            words[incident_id] = said[:500]
    for incident_id, said in words.items():
        bind.execute(
            sa.text('UPDATE incident SET public_description = :words WHERE id = :id'),
            {'words': said, 'id': incident_id},
        )


def downgrade() -> None:
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_column('public_description')
