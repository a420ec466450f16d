"""Which Trusts may use each plugin: the operator's allow or disallow, per Trust.

Revision ID: 0006_plugin_access
Revises: 0005_reminders
Create Date: 2026-11-30 21:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_plugin_access'
down_revision = '0005_reminders'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tenant_plugins', schema=None) as batch_op:
        batch_op.add_column(sa.Column('allowed', sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('tenant_plugins', schema=None) as batch_op:
        batch_op.drop_column('allowed')
