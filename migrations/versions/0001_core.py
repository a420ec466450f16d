"""Core tables, and the triggers that keep the event log append-only.

Revision ID: 0001_core
Revises: 
Create Date: 2026-11-27 02:53:32.656349
"""
from alembic import op
import sqlalchemy as sa


revision = '0001_core'
down_revision = None
branch_labels = ('core',)
depends_on = None


def upgrade() -> None:
    op.create_table('tenants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tenants')),
    sa.UniqueConstraint('slug', name=op.f('uq_tenants_slug'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('display_name', sa.String(length=120), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_table('events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=100), nullable=False),
    sa.Column('stream', sa.String(length=200), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('personal_digest', sa.String(length=64), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_events_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_tenant_occurred', ['tenant_id', 'occurred_at'], unique=False)
        batch_op.create_index('ix_events_tenant_actor', ['tenant_id', 'actor'], unique=False)
        batch_op.create_index('ix_events_tenant_service', ['tenant_id', 'service_id'], unique=False)
        batch_op.create_index('ix_events_tenant_stream', ['tenant_id', 'stream', 'seq'], unique=False)
        batch_op.create_index('ix_events_tenant_type', ['tenant_id', 'type'], unique=False)
        batch_op.create_index('uq_events_tenant_seq', ['tenant_id', 'seq'], unique=True)

    op.create_table('memberships',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_memberships_tenant_id_tenants')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_memberships_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_memberships'))
    )
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.create_index('uq_memberships_tenant_user', ['tenant_id', 'user_id'], unique=True)

    op.create_table('services',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_services_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_services'))
    )
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.create_index('ix_services_tenant_name', ['tenant_id', 'name'], unique=False)

    op.create_table('tenant_plugins',
    sa.Column('plugin', sa.String(length=60), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_tenant_plugins_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('tenant_id', 'plugin', name=op.f('pk_tenant_plugins'))
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('membership_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('revoked', sa.Boolean(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['membership_id'], ['memberships.id'], name=op.f('fk_api_tokens_membership_id_memberships')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_api_tokens_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index('ix_api_tokens_tenant_membership', ['tenant_id', 'membership_id'], unique=False)
        batch_op.create_index('uq_api_tokens_tenant_token_hash', ['tenant_id', 'token_hash'], unique=True)

    op.create_table('event_personal',
    sa.Column('event_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('salt', sa.String(length=32), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_personal_event_id_events')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_event_personal_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_event_personal'))
    )
    with op.batch_alter_table('event_personal', schema=None) as batch_op:
        batch_op.create_index('ix_event_personal_tenant_event', ['tenant_id', 'event_id'], unique=False)

    _refuse_changes_to_events()


def _refuse_changes_to_events() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'events are append-only: % refused', TG_OP; END $$"
        )
        op.execute(
            "CREATE TRIGGER events_no_update_delete BEFORE UPDATE OR DELETE ON events "
            "FOR EACH ROW EXECUTE FUNCTION events_append_only()"
        )
        op.execute(
            "CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events "
            "FOR EACH STATEMENT EXECUTE FUNCTION events_append_only()"
        )
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER events_no_{action.lower()} BEFORE {action} ON events "
                f"BEGIN SELECT RAISE(ABORT, 'events are append-only: {action} refused'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER events_no_truncate ON events")
        op.execute("DROP TRIGGER events_no_update_delete ON events")
        op.execute("DROP FUNCTION events_append_only()")
    else:
        op.execute("DROP TRIGGER events_no_update")
        op.execute("DROP TRIGGER events_no_delete")
    with op.batch_alter_table('event_personal', schema=None) as batch_op:
        batch_op.drop_index('ix_event_personal_tenant_event')

    op.drop_table('event_personal')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index('uq_api_tokens_tenant_token_hash')
        batch_op.drop_index('ix_api_tokens_tenant_membership')

    op.drop_table('api_tokens')
    op.drop_table('tenant_plugins')
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.drop_index('ix_services_tenant_name')

    op.drop_table('services')
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_index('uq_memberships_tenant_user')

    op.drop_table('memberships')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('uq_events_tenant_seq')
        batch_op.drop_index('ix_events_tenant_type')
        batch_op.drop_index('ix_events_tenant_stream')
        batch_op.drop_index('ix_events_tenant_service')
        batch_op.drop_index('ix_events_tenant_occurred')
        batch_op.drop_index('ix_events_tenant_actor')

    op.drop_table('events')
    op.drop_table('users')
    op.drop_table('tenants')
