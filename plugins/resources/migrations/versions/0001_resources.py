"""Local and national resources: organisations a Trust's services can draw on.

Revision ID: 0001_resources
Revises:
Create Date: 2026-11-27 03:19:30.448348
"""
from alembic import op
import sqlalchemy as sa


revision = '0001_resources'
down_revision = None
branch_labels = ('resources',)
depends_on = '0001_core'


def upgrade() -> None:
    op.create_table('resources_resources',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('origin_key', sa.String(length=200), nullable=True),
    sa.Column('package', sa.String(length=60), nullable=True),
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('website', sa.String(length=500), nullable=False),
    sa.Column('service_ids', sa.JSON(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('withdrawn', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.Column('added_by', sa.String(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=200), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_resources_resources_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resources_resources'))
    )
    with op.batch_alter_table('resources_resources', schema=None) as batch_op:
        batch_op.create_index('ix_resources_resources_tenant_scope', ['tenant_id', 'scope', 'archived'], unique=False)
        batch_op.create_index('uq_resources_resources_tenant_origin', ['tenant_id', 'origin_key'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('resources_resources', schema=None) as batch_op:
        batch_op.drop_index('uq_resources_resources_tenant_origin')
        batch_op.drop_index('ix_resources_resources_tenant_scope')

    op.drop_table('resources_resources')
