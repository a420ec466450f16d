"""Evidence behind a target's review: links and short notes.

Revision ID: 0003_indicators_review_evidence
Revises: 0002_indicators_voice
Create Date: 2026-11-30 21:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_indicators_review_evidence'
down_revision = '0002_indicators_voice'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('indicators_targets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_evidence', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('indicators_targets', schema=None) as batch_op:
        batch_op.drop_column('review_evidence')
