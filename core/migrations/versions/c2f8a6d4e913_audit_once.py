"""audit_once: Archiv entries written once across processes (R23: a shadow's end)

Revision ID: c2f8a6d4e913
Revises: a30b1c2d3e4f
Create Date: 2026-12-01 23:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.models

revision: str = 'c2f8a6d4e913'
down_revision: str | None = 'a30b1c2d3e4f'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'audit_once',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('at', core.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key'),
    )


def downgrade() -> None:
    op.drop_table('audit_once')
