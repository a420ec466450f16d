"""Which Trusts may use each plugin: the operator's allow or disallow, per Trust.

Revision ID: 0005_plugin_access
Revises: 0004_user_sessions
Create Date: 2026-12-02 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_plugin_access'
down_revision = '0004_user_sessions'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tenant_plugins', schema=None) as batch_op:
        batch_op.add_column(sa.Column('allowed', sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('tenant_plugins', schema=None) as batch_op:
        batch_op.drop_column('allowed')
