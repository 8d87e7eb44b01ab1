"""migrations: power_on (the instance runs again when its migration ends), base_bytes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('migrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('power_on', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
        batch_op.add_column(sa.Column('base_bytes', sa.BigInteger(), nullable=False,
                                      server_default='0'))
        batch_op.create_index('ix_migrations_status', ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('migrations', schema=None) as batch_op:
        batch_op.drop_index('ix_migrations_status')
        batch_op.drop_column('base_bytes')
        batch_op.drop_column('power_on')
