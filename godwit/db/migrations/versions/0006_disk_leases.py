"""disk_leases (which host may write an instance's shared disks), ha_events (HA monitor log)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 14:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'disk_leases',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('instance_uuid', sa.String(length=36), nullable=False),
        sa.Column('host', sa.String(length=255), nullable=False),
        sa.Column('acquired_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('instance_uuid'),
    )
    op.create_index('ix_disk_leases_host', 'disk_leases', ['host'], unique=False)
    op.create_table(
        'ha_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('host', sa.String(length=255), nullable=False),
        sa.Column('event', sa.String(length=32), nullable=False),
        sa.Column('instance_uuid', sa.String(length=36), nullable=True),
        sa.Column('message', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade():
    op.drop_table('ha_events')
    op.drop_index('ix_disk_leases_host', table_name='disk_leases')
    op.drop_table('disk_leases')
