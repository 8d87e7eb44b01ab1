"""instances.task_token (which request a resize_prep belongs to)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 12:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('instances', sa.Column('task_token', sa.String(length=36), nullable=True))


def downgrade():
    with op.batch_alter_table('instances') as batch:
        batch.drop_column('task_token')
