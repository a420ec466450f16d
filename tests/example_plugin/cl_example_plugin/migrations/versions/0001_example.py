"""The example's notes.

Revision ID: 0001_example
Revises:
Create Date: 2026-11-27 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0001_example'
down_revision = None
branch_labels = ('example',)
depends_on = '0001_core'


def upgrade() -> None:
    op.create_table('example_notes',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('text', sa.String(length=200), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_example_notes_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_example_notes'))
    )
    with op.batch_alter_table('example_notes', schema=None) as batch_op:
        batch_op.create_index('ix_example_notes_tenant_id', ['tenant_id', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('example_notes', schema=None) as batch_op:
        batch_op.drop_index('ix_example_notes_tenant_id')

    op.drop_table('example_notes')
