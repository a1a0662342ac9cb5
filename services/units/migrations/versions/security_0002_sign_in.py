"""Password policy and lockout per address: when each account's password was chosen (expiry per
role), the hashes of its last chosen passwords (none of the last five again), each address's
wrong passwords per account, and every sign-in attempt (the lockout and the sign-in history).

Revision ID: security_0002_sign_in
"""
import sqlalchemy as sa
from alembic import op

from services.common.records import UTCDateTime

revision = "security_0002_sign_in"
down_revision = "security_0001_totp"


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("password_changed_at", UTCDateTime))
    # an existing password counts from the account's last change: none expires at the upgrade itself
    op.execute("UPDATE accounts SET password_changed_at = updated_at")
    op.create_table("password_history",
                    sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("username", sa.String(64), nullable=False, index=True),
                    sa.Column("password_hash", sa.String(255), nullable=False),
                    sa.Column("set_at", UTCDateTime, nullable=False))
    op.create_table("address_locks",
                    sa.Column("username", sa.String(64), primary_key=True),
                    sa.Column("address", sa.String(64), primary_key=True),
                    sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
                    sa.Column("last_failed_at", UTCDateTime),
                    sa.Column("locked_until", UTCDateTime))
    op.create_table("sign_in_records",
                    sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("username", sa.String(64), nullable=False, index=True),
                    sa.Column("address", sa.String(64), nullable=False),
                    sa.Column("at", UTCDateTime, nullable=False, index=True),
                    sa.Column("result", sa.String(24), nullable=False))


def downgrade() -> None:
    for table in ("sign_in_records", "address_locks", "password_history"):
        op.drop_table(table)
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("password_changed_at")
