"""The Trust's contact, set by its admins and shown in the footer, the statements and invitation pages.

Revision ID: 0011_trust_contact
Revises: 0010_actions
Create Date: 2026-11-30 23:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011_trust_contact'
down_revision = '0010_actions'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('trust_contacts',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('phone', sa.Text(), nullable=False),
    sa.Column('email', sa.Text(), nullable=False),
    sa.Column('when_to_call', sa.Text(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_trust_contacts_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trust_contacts'))
    )
    with op.batch_alter_table('trust_contacts', schema=None) as batch_op:
        batch_op.create_index('uq_trust_contacts_tenant', ['tenant_id'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('trust_contacts', schema=None) as batch_op:
        batch_op.drop_index('uq_trust_contacts_tenant')
    op.drop_table('trust_contacts')
