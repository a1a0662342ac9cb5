"""Idempotency keys of the gateway's creating POSTs (services/units/idempotency.py): one row per
(caller, key), its request's fingerprint and, once answered, the answer; kept 24 hours.

Revision ID: contract_0001_idempotency_keys
"""
import sqlalchemy as sa
from alembic import op

from services.common.records import UTCDateTime

revision = "contract_0001_idempotency_keys"
down_revision = "audit_0001_archives"


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("caller", sa.String(80), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("status", sa.Integer),
        sa.Column("body", sa.Text),
        sa.Column("completed_at", UTCDateTime),
    )
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_idempotency_keys_created_at", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
