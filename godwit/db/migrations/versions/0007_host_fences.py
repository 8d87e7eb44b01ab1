"""host_fences: the HA monitor's suspicions and fences, so that a new leader carries them on

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'host_fences',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('host', sa.String(length=255), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('suspect_since', sa.DateTime(), nullable=False),
        sa.Column('deadline', sa.DateTime(), nullable=False),
        sa.Column('owner', sa.String(length=255), nullable=True),
        sa.Column('claimed_until', sa.DateTime(), nullable=True),
        sa.Column('slot', sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('host'),
        sa.UniqueConstraint('slot'))


def downgrade():
    op.drop_table('host_fences')
