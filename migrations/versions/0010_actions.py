"""Actions: what a service will do, who leads it, by when, and how it stands.

Revision ID: 0010_actions
Revises: 0009_member_invitations
Create Date: 2026-11-30 20:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010_actions'
down_revision = '0009_member_invitations'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('actions',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('source_plugin', sa.String(length=60), nullable=False),
    sa.Column('source_title', sa.String(length=300), nullable=False),
    sa.Column('source_endpoint', sa.String(length=120), nullable=True),
    sa.Column('source_args', sa.JSON(), nullable=True),
    sa.Column('what', sa.Text(), nullable=False),
    sa.Column('lead_member_id', sa.Integer(), nullable=True),
    sa.Column('lead_name', sa.String(length=200), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=200), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['lead_member_id'], ['memberships.id'], name=op.f('fk_actions_lead_member_id_memberships')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_actions_service_id_services')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_actions_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_actions'))
    )
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.create_index('uq_actions_tenant_source', ['tenant_id', 'source'], unique=True)
        batch_op.create_index('ix_actions_tenant_service', ['tenant_id', 'service_id', 'status'], unique=False)
        batch_op.create_index('ix_actions_tenant_lead', ['tenant_id', 'lead_member_id', 'status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_index('ix_actions_tenant_lead')
        batch_op.drop_index('ix_actions_tenant_service')
        batch_op.drop_index('uq_actions_tenant_source')
    op.drop_table('actions')
