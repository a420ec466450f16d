"""A draft keeps answers typed on its page that are not valid yet, as typed, until they are corrected.

Revision ID: 0003_levels_kept_as_typed
Revises: 0002_levels
Create Date: 2026-11-30 23:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_levels_kept_as_typed'
down_revision = '0002_levels'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('levels_assessments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kept_as_typed', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('levels_assessments', schema=None) as batch_op:
        batch_op.drop_column('kept_as_typed')
