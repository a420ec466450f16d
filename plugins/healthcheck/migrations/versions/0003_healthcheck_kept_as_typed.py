"""A draft keeps answers typed on its page that are not valid yet, as typed, until they are corrected.

Revision ID: 0003_healthcheck_kept_as_typed
Revises: 0002_healthcheck_follow_up
Create Date: 2026-11-30 23:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_healthcheck_kept_as_typed'
down_revision = '0002_healthcheck_follow_up'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('healthcheck_reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kept_as_typed', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('healthcheck_reviews', schema=None) as batch_op:
        batch_op.drop_column('kept_as_typed')
