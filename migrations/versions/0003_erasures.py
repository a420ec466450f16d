"""Erasures: personal words are deleted only once their erasure is recorded, and never edited.

Revision ID: 0003_erasures
Revises: 0002_history
Create Date: 2026-11-30 17:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_erasures'
down_revision = '0002_history'
branch_labels = None
depends_on = None

# The deleted row's event must have a recorded erasure (projected from personal.erased).
ERASURE_RECORDED = (
    "EXISTS (SELECT 1 FROM erasures e JOIN events v ON v.tenant_id = e.tenant_id AND v.seq = e.event_seq "
    "WHERE v.id = OLD.event_id)"
)


def upgrade() -> None:
    op.create_table('erasures',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('event_seq', sa.Integer(), nullable=False),
    sa.Column('authority', sa.Text(), nullable=False),
    sa.Column('erased_at', sa.DateTime(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_erasures_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_erasures'))
    )
    with op.batch_alter_table('erasures', schema=None) as batch_op:
        batch_op.create_index('ix_erasures_tenant_event_seq', ['tenant_id', 'event_seq'], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION event_personal_guard() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF TG_OP = 'DELETE' AND " + ERASURE_RECORDED + " THEN RETURN OLD; END IF; "
            "RAISE EXCEPTION 'personal words are changed only by a recorded erasure: % refused', TG_OP; END $$"
        )
        op.execute("CREATE TRIGGER event_personal_no_update_delete BEFORE UPDATE OR DELETE ON event_personal "
                   "FOR EACH ROW EXECUTE FUNCTION event_personal_guard()")
        op.execute("CREATE TRIGGER event_personal_no_truncate BEFORE TRUNCATE ON event_personal "
                   "FOR EACH STATEMENT EXECUTE FUNCTION event_personal_guard()")
    else:
        op.execute("CREATE TRIGGER event_personal_no_update BEFORE UPDATE ON event_personal BEGIN "
                   "SELECT RAISE(ABORT, 'personal words are changed only by a recorded erasure: UPDATE refused'); END")
        op.execute("CREATE TRIGGER event_personal_no_delete BEFORE DELETE ON event_personal "
                   f"WHEN NOT {ERASURE_RECORDED} BEGIN "
                   "SELECT RAISE(ABORT, 'personal words are changed only by a recorded erasure: DELETE refused'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER event_personal_no_truncate ON event_personal")
        op.execute("DROP TRIGGER event_personal_no_update_delete ON event_personal")
        op.execute("DROP FUNCTION event_personal_guard()")
    else:
        op.execute("DROP TRIGGER event_personal_no_update")
        op.execute("DROP TRIGGER event_personal_no_delete")
    with op.batch_alter_table('erasures', schema=None) as batch_op:
        batch_op.drop_index('ix_erasures_tenant_event_seq')
    op.drop_table('erasures')
