"""approval requests (R21 four-eyes) and the customer policy

Revision ID: e8b3d5f2a719
Revises: c5e1f7a3b942
Create Date: 2026-12-01 21:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.models

revision: str = 'e8b3d5f2a719'
down_revision: str | None = 'c5e1f7a3b942'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('customers') as batch:
        batch.add_column(sa.Column('approval_required', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    op.create_table(
        'approval_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=64), nullable=False),
        sa.Column('object_id', sa.String(length=200), nullable=False),
        sa.Column('params', sa.JSON(), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=False),
        sa.Column('requested_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('decided_by', sa.String(length=64), nullable=True),
        sa.Column('decided_at', core.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column('comment', sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id']),
        sa.ForeignKeyConstraint(['requested_by_id'], ['accounts.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_approval_requests_customer_status', 'approval_requests',
                    ['customer_id', 'status'])


def downgrade() -> None:
    op.drop_index('ix_approval_requests_customer_status', table_name='approval_requests')
    op.drop_table('approval_requests')
    with op.batch_alter_table('customers') as batch:
        batch.drop_column('approval_required')
