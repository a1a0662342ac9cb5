"""The gateway's audit trail: an append-only, hash-chained log of state-changing requests.

Revision ID: 0004
"""
import sqlalchemy as sa
from alembic import op

from services.common.records import UTCDateTime

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
        sa.Column("actor", sa.String(100), nullable=False, index=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("unit", sa.String(32)),
        sa.Column("action", sa.String(300), nullable=False, index=True),
        sa.Column("target", sa.String(2000), nullable=False),
        sa.Column("result", sa.Integer, nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("request_id", sa.String(64), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("hash", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("audit_log")
