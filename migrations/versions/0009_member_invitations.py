"""Invitations to people who already have an account, which they accept or decline.

Revision ID: 0009_member_invitations
Revises: 0008_form_submissions
Create Date: 2026-11-30 20:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_member_invitations'
down_revision = '0008_form_submissions'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('member_invitations',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('invited_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_member_invitations_tenant_id_tenants')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_member_invitations_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_invitations'))
    )
    with op.batch_alter_table('member_invitations', schema=None) as batch_op:
        batch_op.create_index('ix_member_invitations_tenant_user', ['tenant_id', 'user_id', 'status'], unique=False)
    # Temporary passwords: set by an admin, they expire and must be changed at the first sign-in.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('password_expires_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
        batch_op.drop_column('password_expires_at')
    with op.batch_alter_table('member_invitations', schema=None) as batch_op:
        batch_op.drop_index('ix_member_invitations_tenant_user')
    op.drop_table('member_invitations')
