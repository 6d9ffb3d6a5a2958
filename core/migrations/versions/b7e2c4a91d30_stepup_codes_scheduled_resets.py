"""step-up codes (R20) and scheduled credential resets (R19)

Revision ID: b7e2c4a91d30
Revises: 59139fc2a934
Create Date: 2026-12-01 20:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.models

revision: str = 'b7e2c4a91d30'
down_revision: str | None = '59139fc2a934'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stepup_required', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
    op.create_table(
        'step_up_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(length=64), nullable=False),
        sa.Column('object_id', sa.String(length=200), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id'],
                                name=op.f('fk_step_up_codes_account_id_accounts')),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'],
                                name=op.f('fk_step_up_codes_customer_id_customers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_step_up_codes')),
    )
    with op.batch_alter_table('step_up_codes', schema=None) as batch_op:
        batch_op.create_index('ix_step_up_codes_account_created', ['account_id', 'created_at'],
                              unique=False)
    op.create_table(
        'scheduled_resets',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('contract_id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=True),
        sa.Column('requested_by', sa.String(length=64), nullable=False),
        sa.Column('recipient_id', sa.Integer(), nullable=False),
        sa.Column('at', core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('consent_email', sa.String(length=254), nullable=False),
        sa.Column('consent_mobile', sa.String(length=20), nullable=False),
        sa.Column('created_at', core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('done_at', core.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column('late', sa.Boolean(), nullable=False),
        sa.Column('cancel_reason', sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'],
                                name=op.f('fk_scheduled_resets_contract_id_contracts')),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'],
                                name=op.f('fk_scheduled_resets_customer_id_customers')),
        sa.ForeignKeyConstraint(['recipient_id'], ['accounts.id'],
                                name=op.f('fk_scheduled_resets_recipient_id_accounts')),
        sa.ForeignKeyConstraint(['requested_by_id'], ['accounts.id'],
                                name=op.f('fk_scheduled_resets_requested_by_id_accounts')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_scheduled_resets')),
    )
    with op.batch_alter_table('scheduled_resets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scheduled_resets_contract_id'), ['contract_id'],
                              unique=False)
        batch_op.create_index('ix_scheduled_resets_status_at', ['status', 'at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('scheduled_resets', schema=None) as batch_op:
        batch_op.drop_index('ix_scheduled_resets_status_at')
        batch_op.drop_index(batch_op.f('ix_scheduled_resets_contract_id'))
    op.drop_table('scheduled_resets')
    with op.batch_alter_table('step_up_codes', schema=None) as batch_op:
        batch_op.drop_index('ix_step_up_codes_account_created')
    op.drop_table('step_up_codes')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_column('stepup_required')
