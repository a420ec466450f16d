"""History: every version of every projection row, on both time axes.

Revision ID: 0002_history
Revises: 0001_core
Create Date: 2026-11-30 17:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_history'
down_revision = '0001_core'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('history',
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('model', sa.String(length=80), nullable=False),
    sa.Column('row_key', sa.String(length=200), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_history_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'seq', name=op.f('pk_history'))
    )
    with op.batch_alter_table('history', schema=None) as batch_op:
        batch_op.create_index('ix_history_tenant_model_row', ['tenant_id', 'model', 'row_key', 'seq'], unique=False)
        batch_op.create_index('ix_history_tenant_model_service',
                              ['tenant_id', 'model', 'service_id', 'row_key', 'seq'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('history', schema=None) as batch_op:
        batch_op.drop_index('ix_history_tenant_model_service')
        batch_op.drop_index('ix_history_tenant_model_row')
    op.drop_table('history')
