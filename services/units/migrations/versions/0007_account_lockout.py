"""Accounts: a password to change at first sign-in (one-time passwords), and failed
sign-ins counted per account for the lockout.

Revision ID: 0007
"""
import sqlalchemy as sa
from alembic import op

from services.common.records import UTCDateTime

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    with op.batch_alter_table("accounts") as table:
        table.add_column(sa.Column("must_change_password", sa.Boolean, nullable=False, server_default=sa.false()))
        table.add_column(sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"))
        table.add_column(sa.Column("last_failed_at", UTCDateTime))
        table.add_column(sa.Column("locked_until", UTCDateTime))


def downgrade() -> None:
    with op.batch_alter_table("accounts") as table:
        for column in ("locked_until", "last_failed_at", "failed_logins", "must_change_password"):
            table.drop_column(column)
