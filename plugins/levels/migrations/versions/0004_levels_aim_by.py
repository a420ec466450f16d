"""An assessment's "aim by" date: the day by which the service aims to reach the levels it aims for.

Revision ID: 0004_levels_aim_by
Revises: 0003_levels_kept_as_typed
Create Date: 2026-11-30 23:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_levels_aim_by'
down_revision = '0003_levels_kept_as_typed'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('levels_assessments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('aim_by', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('levels_assessments', schema=None) as batch_op:
        batch_op.drop_column('aim_by')
