"""Second factors: each account's TOTP secret (sealed), its one-time recovery codes (keyed
hashes) and the short-lived challenges between the password and the code.

Revision ID: security_0001_totp
"""
import sqlalchemy as sa
from alembic import op

from services.common.records import UTCDateTime

revision = "security_0001_totp"
down_revision = "contract_0001_idempotency_keys"


def upgrade() -> None:
    op.create_table("second_factors",
                    sa.Column("username", sa.String(64), primary_key=True),
                    sa.Column("secret", sa.Text, nullable=False),
                    sa.Column("created_at", UTCDateTime, nullable=False),
                    sa.Column("confirmed_at", UTCDateTime),
                    sa.Column("last_step", sa.BigInteger))
    op.create_table("recovery_codes",
                    sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("username", sa.String(64), nullable=False, index=True),
                    sa.Column("code_hash", sa.String(128), nullable=False, unique=True),
                    sa.Column("created_at", UTCDateTime, nullable=False),
                    sa.Column("used_at", UTCDateTime))
    op.create_table("sign_in_challenges",
                    sa.Column("token_hash", sa.String(64), primary_key=True),
                    sa.Column("username", sa.String(64), nullable=False, index=True),
                    sa.Column("expires_at", UTCDateTime, nullable=False),
                    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
                    sa.Column("used_at", UTCDateTime))


def downgrade() -> None:
    for table in ("sign_in_challenges", "recovery_codes", "second_factors"):
        op.drop_table(table)
