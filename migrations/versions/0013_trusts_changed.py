"""A number on each account that changes whenever the person's memberships or invitations change,
in any Trust: what is worked out from them (does this person belong to one Trust only?) is kept
under it. Kept by the database itself, so every way of writing those rows moves it.

Revision ID: 0013_trusts_changed
Revises: 0012_password_links
Create Date: 2026-12-01 06:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0013_trusts_changed'
down_revision = '0012_password_links'
branch_labels = None
depends_on = None

TABLES = ("memberships", "member_invitations")
BUMP = "UPDATE users SET trusts_changed = trusts_changed + 1 WHERE id = {row}.user_id"


def upgrade() -> None:
    # A plain default ('0', not an expression): SQLite adds the column in place with ALTER TABLE
    # rather than copying the whole accounts table.
    op.add_column('users', sa.Column('trusts_changed', sa.Integer(), nullable=False, server_default='0'))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION users_trusts_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP <> 'INSERT' THEN {BUMP.format(row='OLD')}; END IF; "
            f"IF TG_OP <> 'DELETE' THEN {BUMP.format(row='NEW')}; END IF; "
            "RETURN NULL; END $$")
        for table in TABLES:
            op.execute(f"CREATE TRIGGER {table}_trusts_changed AFTER INSERT OR UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION users_trusts_changed()")
    else:
        for table in TABLES:
            for action, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",))):
                bumps = "; ".join(BUMP.format(row=row) for row in rows)
                op.execute(f"CREATE TRIGGER {table}_trusts_changed_{action.lower()} AFTER {action} ON {table} "
                           f"BEGIN {bumps}; END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER {table}_trusts_changed ON {table}")
        op.execute("DROP FUNCTION users_trusts_changed()")
        op.drop_column('users', 'trusts_changed')
    else:
        for table in TABLES:
            for action in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER {table}_trusts_changed_{action}")
        # SQLite 3.35 and later drop a column in place, without copying the table
        op.execute("ALTER TABLE users DROP COLUMN trusts_changed")
