"""The health check's reviews of a service's user group.

Revision ID: 0001_healthcheck
Revises:
Create Date: 2026-11-27 03:07:21.828077
"""
from alembic import op
import sqlalchemy as sa


revision = '0001_healthcheck'
down_revision = None
branch_labels = ('healthcheck',)
depends_on = '0001_core'


def upgrade() -> None:
    op.create_table('healthcheck_reviews',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=True),
    sa.Column('staff_count', sa.Integer(), nullable=True),
    sa.Column('service_user_count', sa.Integer(), nullable=True),
    sa.Column('participant_roles', sa.Text(), nullable=True),
    sa.Column('has_user_group', sa.Boolean(), nullable=True),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('texts', sa.JSON(), nullable=False),
    sa.Column('agreed_changes', sa.JSON(), nullable=False),
    sa.Column('shared_on', sa.Date(), nullable=True),
    sa.Column('service_user_views', sa.Text(), nullable=True),
    sa.Column('sharing_recorded_at', sa.DateTime(), nullable=True),
    sa.Column('sharing_recorded_by', sa.String(length=200), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('started_by', sa.String(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=200), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('submitted_by', sa.String(length=200), nullable=True),
    sa.Column('amendments', sa.JSON(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_healthcheck_reviews_service_id_services')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_healthcheck_reviews_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_healthcheck_reviews'))
    )
    with op.batch_alter_table('healthcheck_reviews', schema=None) as batch_op:
        batch_op.create_index('ix_healthcheck_reviews_tenant_service', ['tenant_id', 'service_id', 'held_on'], unique=False)
        batch_op.create_index('ix_healthcheck_reviews_tenant_status', ['tenant_id', 'status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('healthcheck_reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_healthcheck_reviews_tenant_status')
        batch_op.drop_index('ix_healthcheck_reviews_tenant_service')

    op.drop_table('healthcheck_reviews')
