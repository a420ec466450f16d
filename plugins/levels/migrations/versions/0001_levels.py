"""The levels plugin's assessments: where a service stands on the five levels of involvement, and its aims.

Revision ID: 0001_levels
Revises:
Create Date: 2026-11-27 03:22:08.577814
"""
from alembic import op
import sqlalchemy as sa


revision = '0001_levels'
down_revision = None
branch_labels = ('levels',)
depends_on = '0001_core'


def upgrade() -> None:
    op.create_table('levels_assessments',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('assessed_on', sa.Date(), nullable=True),
    sa.Column('participants', sa.Text(), nullable=True),
    sa.Column('individual_current', sa.Integer(), nullable=True),
    sa.Column('individual_aim', sa.Integer(), nullable=True),
    sa.Column('individual_achieved', sa.Text(), nullable=True),
    sa.Column('individual_planned', sa.Text(), nullable=True),
    sa.Column('care_setting_current', sa.Integer(), nullable=True),
    sa.Column('care_setting_aim', sa.Integer(), nullable=True),
    sa.Column('care_setting_achieved', sa.Text(), nullable=True),
    sa.Column('care_setting_planned', sa.Text(), nullable=True),
    sa.Column('policy_current', sa.Integer(), nullable=True),
    sa.Column('policy_aim', sa.Integer(), nullable=True),
    sa.Column('policy_achieved', sa.Text(), nullable=True),
    sa.Column('policy_planned', sa.Text(), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('started_by', sa.String(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=200), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('submitted_by', sa.String(length=200), nullable=True),
    sa.Column('amendments', sa.JSON(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_levels_assessments_service_id_services')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_levels_assessments_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_levels_assessments'))
    )
    with op.batch_alter_table('levels_assessments', schema=None) as batch_op:
        batch_op.create_index('ix_levels_assessments_tenant_service', ['tenant_id', 'service_id', 'assessed_on'], unique=False)
        batch_op.create_index('ix_levels_assessments_tenant_status', ['tenant_id', 'status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('levels_assessments', schema=None) as batch_op:
        batch_op.drop_index('ix_levels_assessments_tenant_status')
        batch_op.drop_index('ix_levels_assessments_tenant_service')

    op.drop_table('levels_assessments')
