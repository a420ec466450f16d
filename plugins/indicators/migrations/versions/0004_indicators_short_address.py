"""Short addresses for invitation links: the hash of each link's code.

Revision ID: 0004_indicators_short_address
Revises: 0003_indicators_review_evidence
Create Date: 2026-11-30 23:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_indicators_short_address'
down_revision = '0003_indicators_review_evidence'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('indicators_invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('short_hash', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_indicators_invitations_tenant_short', ['tenant_id', 'short_hash'], unique=False)
    # The policy that lets a short address find its invitation across Trusts (short_address)
    # is made by core.rls.apply from the model's row_policies, after every upgrade.


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute('DROP POLICY IF EXISTS short_address ON indicators_invitations')
    with op.batch_alter_table('indicators_invitations', schema=None) as batch_op:
        batch_op.drop_index('ix_indicators_invitations_tenant_short')
        batch_op.drop_column('short_hash')
