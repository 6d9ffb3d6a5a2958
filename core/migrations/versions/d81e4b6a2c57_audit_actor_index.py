"""audit index by actor and time (R24: an account's recordings of a day)

Revision ID: d81e4b6a2c57
Revises: c2f8a6d4e913
Create Date: 2026-12-02 03:40:00

The per-account recording bound (LINEDESK_RECORD_ACCOUNT_DAY_MB) reads, when a recording
starts, the sizes of the account's recordings that ended that day from the Archiv:
by actor and time, which without this index is a scan of the whole audit table.
"""
from collections.abc import Sequence

from alembic import op

revision: str = 'd81e4b6a2c57'
down_revision: str | None = 'c2f8a6d4e913'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_audit_actor_at', 'audit_events', ['actor_id', 'at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_audit_actor_at', table_name='audit_events')
