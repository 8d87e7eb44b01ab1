"""hosts: memory_free_mb, load_average (for node selectors); migrations: automatic

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 13:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('hosts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('memory_free_mb', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('load_average', sa.Float(), nullable=True))
    with op.batch_alter_table('migrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('automatic', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('migrations', schema=None) as batch_op:
        batch_op.drop_column('automatic')
    with op.batch_alter_table('hosts', schema=None) as batch_op:
        batch_op.drop_column('load_average')
        batch_op.drop_column('memory_free_mb')
