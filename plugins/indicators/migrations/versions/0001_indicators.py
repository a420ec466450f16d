"""The indicators' rounds, with their answers, drafts, invitation links and targets.

Revision ID: 0001_indicators
Revises:
Create Date: 2026-11-27 03:13:46.691929
"""
from alembic import op
import sqlalchemy as sa


revision = '0001_indicators'
down_revision = None
branch_labels = ('indicators',)
depends_on = '0001_core'


def upgrade() -> None:
    op.create_table('indicators_rounds',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('shared_on', sa.Date(), nullable=True),
    sa.Column('shared_setting', sa.String(length=30), nullable=True),
    sa.Column('shared_chair', sa.String(length=40), nullable=True),
    sa.Column('shared_chair_name', sa.String(length=200), nullable=True),
    sa.Column('shared_notes', sa.Text(), nullable=True),
    sa.Column('shared_recorded_at', sa.DateTime(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_indicators_rounds_service_id_services')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_indicators_rounds_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicators_rounds'))
    )
    with op.batch_alter_table('indicators_rounds', schema=None) as batch_op:
        batch_op.create_index('ix_indicators_rounds_tenant_service', ['tenant_id', 'service_id'], unique=False)

    op.create_table('indicators_invitations',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('group', sa.String(length=20), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('revoked', sa.Boolean(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['indicators_rounds.id'], name=op.f('fk_indicators_invitations_round_id_indicators_rounds')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_indicators_invitations_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicators_invitations'))
    )
    with op.batch_alter_table('indicators_invitations', schema=None) as batch_op:
        batch_op.create_index('ix_indicators_invitations_tenant_round', ['tenant_id', 'round_id'], unique=False)
        batch_op.create_index('uq_indicators_invitations_tenant_token', ['tenant_id', 'token_hash'], unique=True)

    op.create_table('indicators_targets',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('indicator', sa.String(length=30), nullable=False),
    sa.Column('change', sa.Text(), nullable=False),
    sa.Column('service_users_do', sa.Text(), nullable=False),
    sa.Column('staff_do', sa.Text(), nullable=False),
    sa.Column('review_on', sa.Date(), nullable=False),
    sa.Column('agreed_at', sa.DateTime(), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('happened', sa.String(length=10), nullable=True),
    sa.Column('outcomes', sa.Text(), nullable=True),
    sa.Column('working_together', sa.Text(), nullable=True),
    sa.Column('build_on', sa.Text(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['indicators_rounds.id'], name=op.f('fk_indicators_targets_round_id_indicators_rounds')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_indicators_targets_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicators_targets'))
    )
    with op.batch_alter_table('indicators_targets', schema=None) as batch_op:
        batch_op.create_index('ix_indicators_targets_tenant_round', ['tenant_id', 'round_id'], unique=False)

    op.create_table('indicators_drafts',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('group', sa.String(length=20), nullable=False),
    sa.Column('membership_id', sa.Integer(), nullable=True),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.Column('code_hash', sa.String(length=64), nullable=True),
    sa.Column('submission', sa.String(length=64), nullable=True),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('saved_at', sa.DateTime(), nullable=False),
    sa.Column('open', sa.Boolean(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['invitation_id'], ['indicators_invitations.id'], name=op.f('fk_indicators_drafts_invitation_id_indicators_invitations')),
    sa.ForeignKeyConstraint(['membership_id'], ['memberships.id'], name=op.f('fk_indicators_drafts_membership_id_memberships')),
    sa.ForeignKeyConstraint(['round_id'], ['indicators_rounds.id'], name=op.f('fk_indicators_drafts_round_id_indicators_rounds')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_indicators_drafts_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicators_drafts'))
    )
    with op.batch_alter_table('indicators_drafts', schema=None) as batch_op:
        batch_op.create_index('ix_indicators_drafts_tenant_code', ['tenant_id', 'code_hash'], unique=False)
        batch_op.create_index('ix_indicators_drafts_tenant_round_member', ['tenant_id', 'round_id', 'membership_id'], unique=False)

    op.create_table('indicators_responses',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('group', sa.String(length=20), nullable=False),
    sa.Column('via', sa.String(length=20), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.Column('membership_id', sa.Integer(), nullable=True),
    sa.Column('submission', sa.String(length=64), nullable=True),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('words_erased', sa.Boolean(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['invitation_id'], ['indicators_invitations.id'], name=op.f('fk_indicators_responses_invitation_id_indicators_invitations')),
    sa.ForeignKeyConstraint(['membership_id'], ['memberships.id'], name=op.f('fk_indicators_responses_membership_id_memberships')),
    sa.ForeignKeyConstraint(['round_id'], ['indicators_rounds.id'], name=op.f('fk_indicators_responses_round_id_indicators_rounds')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_indicators_responses_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicators_responses'))
    )
    with op.batch_alter_table('indicators_responses', schema=None) as batch_op:
        batch_op.create_index('ix_indicators_responses_tenant_round', ['tenant_id', 'round_id'], unique=False)
        batch_op.create_index('uq_indicators_responses_tenant_round_member', ['tenant_id', 'round_id', 'membership_id'], unique=True)
        batch_op.create_index('uq_indicators_responses_tenant_submission', ['tenant_id', 'submission'], unique=True)



def downgrade() -> None:
    with op.batch_alter_table('indicators_responses', schema=None) as batch_op:
        batch_op.drop_index('uq_indicators_responses_tenant_submission')
        batch_op.drop_index('uq_indicators_responses_tenant_round_member')
        batch_op.drop_index('ix_indicators_responses_tenant_round')

    op.drop_table('indicators_responses')
    with op.batch_alter_table('indicators_drafts', schema=None) as batch_op:
        batch_op.drop_index('ix_indicators_drafts_tenant_round_member')
        batch_op.drop_index('ix_indicators_drafts_tenant_code')

    op.drop_table('indicators_drafts')
    with op.batch_alter_table('indicators_targets', schema=None) as batch_op:
        batch_op.drop_index('ix_indicators_targets_tenant_round')

    op.drop_table('indicators_targets')
    with op.batch_alter_table('indicators_invitations', schema=None) as batch_op:
        batch_op.drop_index('uq_indicators_invitations_tenant_token')
        batch_op.drop_index('ix_indicators_invitations_tenant_round')

    op.drop_table('indicators_invitations')
    with op.batch_alter_table('indicators_rounds', schema=None) as batch_op:
        batch_op.drop_index('ix_indicators_rounds_tenant_service')

    op.drop_table('indicators_rounds')
