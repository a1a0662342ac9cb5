"""Contacts copied from units, deliveries, and the messaging tables.

Revision ID: 0001
"""
import sqlalchemy as sa
from alembic import op

from services.common import records
from services.common.records import UTCDateTime

revision = "0001"
down_revision = None


def upgrade() -> None:
    records.create_tables(op)
    op.create_table(
        "contacts",
        sa.Column("unit_code", sa.String(32), primary_key=True),
        sa.Column("role", sa.String(16), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("email", sa.String(200)),
        sa.Column("phone", sa.String(32)),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("cause_event_id", sa.String(36), nullable=False),
        sa.Column("cause_type", sa.String(64), nullable=False),
        sa.Column("unit_code", sa.String(32), nullable=False, index=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("recipient", sa.String(200), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", UTCDateTime),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("delivered_at", UTCDateTime),
        sa.UniqueConstraint("cause_event_id", "channel", "recipient", name="uq_deliveries_once"),
        sa.Index("ix_deliveries_due", "status", "next_attempt_at"),
    )


def downgrade() -> None:
    op.drop_table("deliveries")
    op.drop_table("contacts")
    records.drop_tables(op)
