"""zones, pods, clusters, hosts: rows from before allocation states were enforced are Enabled

Until this revision nothing read a zone's, pod's or cluster's allocation_state, and compute
workers registered their hosts Enabled. From now on a new row starts Disabled and the
scheduler skips anything disabled at any level, so the rows that already exist are enabled:
an upgrade must not take a working cloud's capacity away.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 12:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

TABLES = ('zones', 'pods', 'clusters', 'hosts')


def upgrade():
    for name in TABLES:
        table = sa.table(name, sa.column('allocation_state', sa.String(16)))
        op.execute(table.update().values(allocation_state='Enabled'))


def downgrade():
    """Nothing to undo: the states the rows had before are not known any more, and Enabled
    is what they meant then."""
