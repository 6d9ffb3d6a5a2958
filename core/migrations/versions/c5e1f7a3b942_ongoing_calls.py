"""ongoing calls: call_records.duration_seconds may be NULL (a start, no end yet; R18)

Revision ID: c5e1f7a3b942
Revises: a6d2e9c4b318
Create Date: 2026-12-01 20:55:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'c5e1f7a3b942'
down_revision: str | None = 'a6d2e9c4b318'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('call_records') as batch:
        batch.alter_column('duration_seconds', existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM call_records WHERE duration_seconds IS NULL")
    with op.batch_alter_table('call_records') as batch:
        batch.alter_column('duration_seconds', existing_type=sa.Integer(), nullable=False)
