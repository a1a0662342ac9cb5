"""Feedback with its deadlines, the targets copied from events, and the messaging tables.

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
        "targets",
        sa.Column("kind", sa.String(8), primary_key=True),
        sa.Column("target_id", sa.String(32), primary_key=True),
        sa.Column("unit_code", sa.String(32), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
    )
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("tracking_code", sa.String(16), nullable=False, unique=True),
        sa.Column("target_kind", sa.String(8), nullable=False),
        sa.Column("target_id", sa.String(32), nullable=False),
        sa.Column("unit_code", sa.String(32), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("contact", sa.String(200)),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("received_at", UTCDateTime, nullable=False),
        sa.Column("acknowledge_due", sa.Date, nullable=False),
        sa.Column("answer_due", sa.Date, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("feedback")
    op.drop_table("targets")
    records.drop_tables(op)
