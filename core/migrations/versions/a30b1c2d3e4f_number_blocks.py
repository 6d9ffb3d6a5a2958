"""number blocks (R30): blocks of 10 or 100 consecutive numbers of a SIP-Trunk contract

Revision ID: a30b1c2d3e4f
Revises: a9c4e2f7d315
Create Date: 2026-12-01 22:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.models

revision: str = 'a30b1c2d3e4f'
down_revision: str | None = 'a9c4e2f7d315'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'number_blocks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('contract_id', sa.Integer(), nullable=False),
        sa.Column('area_prefix', sa.String(length=6), nullable=False),
        sa.Column('first_e164', sa.String(length=20), nullable=False),
        sa.Column('last_e164', sa.String(length=20), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('created_at', core.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['area_prefix'], ['local_areas.prefix'],
                                name=op.f('fk_number_blocks_area_prefix_local_areas')),
        sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'],
                                name=op.f('fk_number_blocks_contract_id_contracts')),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'],
                                name=op.f('fk_number_blocks_customer_id_customers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_number_blocks')),
        sa.UniqueConstraint('first_e164', name=op.f('uq_number_blocks_first_e164')),
        sa.UniqueConstraint('last_e164', name=op.f('uq_number_blocks_last_e164')),
    )
    op.create_index(op.f('ix_number_blocks_customer_id'), 'number_blocks', ['customer_id'])
    with op.batch_alter_table('numbers') as batch:
        batch.add_column(sa.Column('block_id', sa.Integer(), nullable=True))
        batch.create_index(batch.f('ix_numbers_block_id'), ['block_id'])
        batch.create_foreign_key(batch.f('fk_numbers_block_id_number_blocks'), 'number_blocks',
                                 ['block_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('numbers') as batch:
        batch.drop_constraint(batch.f('fk_numbers_block_id_number_blocks'), type_='foreignkey')
        batch.drop_index(batch.f('ix_numbers_block_id'))
        batch.drop_column('block_id')
    op.drop_index(op.f('ix_number_blocks_customer_id'), table_name='number_blocks')
    op.drop_table('number_blocks')
