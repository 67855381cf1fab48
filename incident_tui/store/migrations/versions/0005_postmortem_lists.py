"""postmortem list sections as lists; an entry's actor

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01

The four list sections of the postmortem (contributing factors, what went well, what
went poorly, lucky breaks) held free text; they now hold a JSON array of strings, one
point each: older text becomes one point per non-empty line, a leading list marker
("- ", "* ", "1. ") dropped. The columns stay text (the search index reads them as
such). Timeline entries gain `actor`: who did it, apart from who typed it.

Detection: an incident whose `detected_at` was never set by hand (it was the
declaration) now defaults to the earlier of the declaration and its first alert, never
before the impact began.
"""
import json
import re

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

LIST_SECTIONS = ('contributing_factors', 'what_went_well', 'what_went_poorly', 'lucky_breaks')
_MARKER = re.compile(r'^\s*(?:[-*+•]|\d+[.)])\s+')


def _points(text):
    if text is None or not text.strip():
        return []
    stripped = text.strip()
    if stripped.startswith('['):
        try:
            value = json.loads(stripped)
        except ValueError:
            value = None
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value
    return [_MARKER.sub('', line).strip() for line in text.splitlines() if line.strip()]


def upgrade() -> None:
    with op.batch_alter_table('timeline_entry', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'actor', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=''
            )
        )
    bind = op.get_bind()
    columns = ', '.join(LIST_SECTIONS)
    rows = bind.execute(sa.text(f'SELECT incident_id, {columns} FROM postmortem')).fetchall()
    for row in rows:
        values = {
            name: json.dumps([p for p in _points(row[i + 1]) if p], ensure_ascii=False)
            for i, name in enumerate(LIST_SECTIONS)
        }
        sets = ', '.join(f'{name} = :{name}' for name in LIST_SECTIONS)
        bind.execute(
            sa.text(f'UPDATE postmortem SET {sets} WHERE incident_id = :id'),
            {**values, 'id': row[0]},
        )
    # detected_at: the declaration unless someone set it by hand; then the first alert
    # when that came earlier (not before the impact began).
    incidents = bind.execute(
        sa.text(
            'SELECT i.id, MIN(e.occurred_at), i.started_at, i.detected_at FROM incident i'
            " JOIN timeline_entry e ON e.incident_id = i.id AND e.kind = 'alert'"
            ' AND e.deleted_at IS NULL'
            ' WHERE i.detected_at = i.declared_at AND NOT EXISTS (SELECT 1 FROM'
            " incident_change c WHERE c.incident_id = i.id AND c.field = 'detected_at')"
            ' GROUP BY i.id, i.started_at, i.detected_at'
        )
    ).fetchall()
    for number, first_alert, started, detected in incidents:
        if first_alert is None or first_alert >= detected:
            continue
        moved = max(first_alert, started)
        bind.execute(
            sa.text('UPDATE incident SET detected_at = :at WHERE id = :id'),
            {'at': moved, 'id': number},
        )


def downgrade() -> None:
    bind = op.get_bind()
    columns = ', '.join(LIST_SECTIONS)
    for row in bind.execute(sa.text(f'SELECT incident_id, {columns} FROM postmortem')).fetchall():
        values = {
            name: '\n'.join(_points(row[i + 1])) for i, name in enumerate(LIST_SECTIONS)
        }
        sets = ', '.join(f'{name} = :{name}' for name in LIST_SECTIONS)
        bind.execute(
            sa.text(f'UPDATE postmortem SET {sets} WHERE incident_id = :id'),
            {**values, 'id': row[0]},
        )
    with op.batch_alter_table('timeline_entry', schema=None) as batch_op:
        batch_op.drop_column('actor')
