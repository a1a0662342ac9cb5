"""Password policy: when each account's password was chosen (expiry per role) and the hashes
of its last chosen passwords (none of the last five again).

Revision ID: security_0002_passwords
"""
import sqlalchemy as sa
from alembic import op

from services.common.records import UTCDateTime

revision = "security_0002_passwords"
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


def downgrade() -> None:
    op.drop_table("password_history")
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("password_changed_at")
