"""Items with their workflow trail, the unit copy, and the messaging tables.

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
        "unit_copies",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("sector", sa.String(16), nullable=False),
        sa.Column("parent_code", sa.String(32), index=True),
        sa.Column("status", sa.String(16), nullable=False),
    )
    op.create_table(
        "items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_code", sa.String(32), nullable=False, index=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("audience", sa.String(16), nullable=False),
        sa.Column("carriers", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("obligation_id", sa.Integer),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("published_at", UTCDateTime),
    )
    op.create_table(
        "item_transitions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id"), nullable=False, index=True),
        sa.Column("from_status", sa.String(16)),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("item_transitions")
    op.drop_table("items")
    op.drop_table("unit_copies")
    records.drop_tables(op)
