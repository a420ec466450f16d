"""A health check keeps "did it happen?" for each change agreed at the one before.

Revision ID: 0002_healthcheck_follow_up
Revises: 0001_healthcheck
Create Date: 2026-11-30 20:15:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_healthcheck_follow_up'
down_revision = '0001_healthcheck'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('healthcheck_reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('followed_up', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('healthcheck_reviews', schema=None) as batch_op:
        batch_op.drop_column('followed_up')
