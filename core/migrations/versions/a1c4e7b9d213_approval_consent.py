"""approval requests keep the requester's consented delivery target (R21 with R4/R19)

Revision ID: a1c4e7b9d213
Revises: e8b3d5f2a719
Create Date: 2026-12-01 22:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'a1c4e7b9d213'
down_revision: str | None = 'e8b3d5f2a719'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('approval_requests') as batch:
        batch.add_column(sa.Column('recipient_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('consent_email', sa.String(length=254), nullable=True))
        batch.add_column(sa.Column('consent_mobile', sa.String(length=20), nullable=True))
        batch.create_foreign_key('fk_approval_requests_recipient_id_accounts', 'accounts',
                                 ['recipient_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('approval_requests') as batch:
        batch.drop_constraint('fk_approval_requests_recipient_id_accounts', type_='foreignkey')
        batch.drop_column('consent_mobile')
        batch.drop_column('consent_email')
        batch.drop_column('recipient_id')
