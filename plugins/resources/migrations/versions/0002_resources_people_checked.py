"""Resources: individuals with consent for their contact details, and when each entry was last checked.

Revision ID: 0002_resources_people_checked
Revises: 0001_resources
Create Date: 2026-12-03 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_resources_people_checked'
down_revision = '0001_resources'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('resources_resources', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=12), nullable=False, server_default='organisation'))
        batch_op.add_column(sa.Column('consent_by', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('consent_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('checked_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('checked_by', sa.String(length=200), nullable=True))
    # Until now, the nearest thing to "last checked" is the last change (`events replay` gives the exact day).
    op.execute("UPDATE resources_resources SET checked_at = updated_at, checked_by = updated_by")


def downgrade() -> None:
    with op.batch_alter_table('resources_resources', schema=None) as batch_op:
        batch_op.drop_column('checked_by')
        batch_op.drop_column('checked_at')
        batch_op.drop_column('consent_on')
        batch_op.drop_column('consent_by')
        batch_op.drop_column('kind')
