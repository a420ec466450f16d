"""The service users' voice: a Trust's support contact and answer threshold, step two's ideas,
the planned sharing date, and who agreed and reviewed each target for each group.

Revision ID: 0002_indicators_voice
Revises: 0001_indicators
Create Date: 2026-11-30 20:05:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_indicators_voice'
down_revision = '0001_indicators'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('indicators_settings',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('support_contact', sa.Text(), nullable=False),
    sa.Column('min_answers', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_indicators_settings_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicators_settings'))
    )
    with op.batch_alter_table('indicators_settings', schema=None) as batch_op:
        batch_op.create_index('uq_indicators_settings_tenant', ['tenant_id'], unique=True)

    with op.batch_alter_table('indicators_rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ideas', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('share_planned_on', sa.Date(), nullable=True))

    with op.batch_alter_table('indicators_targets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agreed_for_service_users', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('agreed_for_staff', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('reviewed_for_service_users', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('reviewed_for_staff', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('indicators_targets', schema=None) as batch_op:
        batch_op.drop_column('reviewed_for_staff')
        batch_op.drop_column('reviewed_for_service_users')
        batch_op.drop_column('agreed_for_staff')
        batch_op.drop_column('agreed_for_service_users')
    with op.batch_alter_table('indicators_rounds', schema=None) as batch_op:
        batch_op.drop_column('share_planned_on')
        batch_op.drop_column('ideas')
    with op.batch_alter_table('indicators_settings', schema=None) as batch_op:
        batch_op.drop_index('uq_indicators_settings_tenant')
    op.drop_table('indicators_settings')
