"""node heartbeats (linedesk status)

Revision ID: f4c8a2d61b57
Revises: d3a91f5c7e20
Create Date: 2026-12-01 20:45:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.models

revision: str = 'f4c8a2d61b57'
down_revision: str | None = 'd3a91f5c7e20'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'node_heartbeats',
        sa.Column('node', sa.String(length=100), nullable=False),
        sa.Column('worker', sa.Integer(), nullable=False),
        sa.Column('pid', sa.Integer(), nullable=False),
        sa.Column('started_at', core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('beat_at', core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('sessions', sa.Integer(), nullable=False),
        sa.Column('connections', sa.Integer(), nullable=False),
        sa.Column('accepting', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('node', 'pid'),
    )


def downgrade() -> None:
    op.drop_table('node_heartbeats')
