"""porting in full (R31): carrier date, reject code, test scenario, comments in the timeline

Revision ID: a9c4e2f7d315
Revises: 7a1c3e5b9d24
Create Date: 2026-12-01 22:45:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'a9c4e2f7d315'
down_revision: str | None = '7a1c3e5b9d24'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('porting_orders') as batch:
        batch.add_column(sa.Column('reject_code', sa.String(length=32), nullable=True))
        batch.add_column(sa.Column('confirmed_date', sa.Date(), nullable=True))
        batch.add_column(sa.Column('scenario', sa.String(length=32), nullable=True))
    with op.batch_alter_table('porting_events') as batch:
        batch.add_column(sa.Column('kind', sa.String(length=16), nullable=False,
                                   server_default='status'))
        batch.add_column(sa.Column('author', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('author_role', sa.String(length=16), nullable=True))
    # orders confirmed before R31 were confirmed for the wished date; the only reason the
    # simulated carrier gave before R31 was the account holder mismatch
    op.execute("UPDATE porting_orders SET confirmed_date = wished_date "
               "WHERE status IN ('confirmed', 'completed')")
    op.execute("UPDATE porting_orders SET reject_code = 'holder_mismatch' "
               "WHERE status = 'rejected' AND reject_reason = 'ui.porting.reason.holder_mismatch'")
    op.execute("UPDATE porting_orders SET reject_code = 'other' "
               "WHERE status = 'rejected' AND reject_code IS NULL")


def downgrade() -> None:
    # plain DROP COLUMN (SQLite 3.35+, PostgreSQL): a batch "move and copy" of porting_orders
    # would drop a table porting_events references, which SQLite's foreign keys refuse
    for table, column in (('porting_events', 'author_role'), ('porting_events', 'author'),
                          ('porting_events', 'kind'), ('porting_orders', 'scenario'),
                          ('porting_orders', 'confirmed_date'),
                          ('porting_orders', 'reject_code')):
        op.drop_column(table, column)
