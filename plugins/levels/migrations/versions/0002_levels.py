"""Levels: whose view an assessment is, the practices behind each area and its evidence; a Trust's own practices.

Revision ID: 0002_levels
Revises: 0001_levels
Create Date: 2026-11-30 20:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_levels'
down_revision = '0001_levels'
branch_labels = None
depends_on = None

AREAS = ('individual', 'care_setting', 'policy')


def upgrade() -> None:
    with op.batch_alter_table('levels_assessments', schema=None) as batch_op:
        # every assessment recorded before views were asked for is the staff team's
        batch_op.add_column(sa.Column('view', sa.String(length=20), nullable=False, server_default='staff'))
        for area in AREAS:
            batch_op.add_column(sa.Column(f'{area}_practices', sa.JSON(), nullable=True))
            batch_op.add_column(sa.Column(f'{area}_how', sa.JSON(), nullable=True))
            batch_op.add_column(sa.Column(f'{area}_evidence', sa.JSON(), nullable=True))

    op.create_table('levels_practices',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('wording', sa.Text(), nullable=False),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_levels_practices_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_levels_practices'))
    )
    with op.batch_alter_table('levels_practices', schema=None) as batch_op:
        batch_op.create_index('ix_levels_practices_tenant_id', ['tenant_id', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('levels_practices', schema=None) as batch_op:
        batch_op.drop_index('ix_levels_practices_tenant_id')
    op.drop_table('levels_practices')
    with op.batch_alter_table('levels_assessments', schema=None) as batch_op:
        for area in reversed(AREAS):
            batch_op.drop_column(f'{area}_evidence')
            batch_op.drop_column(f'{area}_how')
            batch_op.drop_column(f'{area}_practices')
        batch_op.drop_column('view')
