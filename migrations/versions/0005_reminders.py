"""E-mail reminders: each member may switch them off; each one sent is kept, so none goes twice.

Revision ID: 0005_reminders
Revises: 0004_user_sessions
Create Date: 2026-11-30 20:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_reminders'
down_revision = '0004_user_sessions'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminders', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.create_table('sent_reminders',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('membership_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['membership_id'], ['memberships.id'],
                            name=op.f('fk_sent_reminders_membership_id_memberships')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_sent_reminders_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sent_reminders'))
    )
    with op.batch_alter_table('sent_reminders', schema=None) as batch_op:
        batch_op.create_index('uq_sent_reminders_tenant_key_member', ['tenant_id', 'key', 'membership_id'],
                              unique=True)


def downgrade() -> None:
    with op.batch_alter_table('sent_reminders', schema=None) as batch_op:
        batch_op.drop_index('uq_sent_reminders_tenant_key_member')
    op.drop_table('sent_reminders')
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_column('reminders')
