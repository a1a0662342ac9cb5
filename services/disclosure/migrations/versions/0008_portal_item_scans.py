"""The scans of each item's own QR code, counted per item and county day (nothing about the reader).

Revision ID: portal_0001_item_scans
"""
import sqlalchemy as sa
from alembic import op

revision = "portal_0001_item_scans"
down_revision = "vendors_0001_traceparent"


def upgrade() -> None:
    op.create_table(
        "item_scans",
        sa.Column("item_id", sa.Integer, primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("unit_code", sa.String(32), nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
    )
    op.create_index("ix_item_scans_unit_code", "item_scans", ["unit_code"])


def downgrade() -> None:
    op.drop_table("item_scans")
