"""account locks (R25)

Revision ID: d3a91f5c7e20
Revises: b7e2c4a91d30
Create Date: 2026-12-01 20:45:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.models

revision: str = 'd3a91f5c7e20'
down_revision: str | None = 'b7e2c4a91d30'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locked_at', core.models.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('lock_reason', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('locked_by', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('locked_by')
        batch_op.drop_column('lock_reason')
        batch_op.drop_column('locked_at')
