"""The county office's reminders (催办) of open and overdue obligations.

Revision ID: 0005
"""
import sqlalchemy as sa
from alembic import op

from services.common.records import UTCDateTime

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.create_table(
        "obligation_reminders",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("obligation_id", sa.Integer, sa.ForeignKey("obligations.id"), nullable=False, index=True),
        sa.Column("unit_code", sa.String(32), nullable=False),
        sa.Column("reminded_by", sa.String(64), nullable=False),
        sa.Column("reminded_at", UTCDateTime, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("note", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("obligation_reminders")
