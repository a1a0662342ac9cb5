"""Scans capped: one per reader (a salted key of the day, not the address), item and day, and
a ceiling per item and day beyond which scans are counted apart as suspicious.

Revision ID: record_0001_scan_readers
"""
import sqlalchemy as sa
from alembic import op

revision = "record_0001_scan_readers"
down_revision = "calendar_0001_counted_from"


def upgrade() -> None:
    op.add_column("item_scans", sa.Column("suspicious", sa.Integer, nullable=False, server_default="0"))
    op.create_table(
        "item_scan_readers",
        sa.Column("item_id", sa.Integer, primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("reader", sa.String(64), primary_key=True),
    )
    op.create_index("ix_item_scan_readers_day", "item_scan_readers", ["day"])


def downgrade() -> None:
    op.drop_table("item_scan_readers")
    with op.batch_alter_table("item_scans") as batch:
        batch.drop_column("suspicious")
