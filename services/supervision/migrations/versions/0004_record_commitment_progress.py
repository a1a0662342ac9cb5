"""A commitment's progress (公开承诺的进展) as its unit reports it, and the day it was kept.

Revision ID: record_0001_commitment_progress
"""
import sqlalchemy as sa
from alembic import op

from services.common.records import UTCDateTime

revision = "record_0001_commitment_progress"
down_revision = "vendors_0001_traceparent"


def upgrade() -> None:
    with op.batch_alter_table("commitments") as batch:
        batch.add_column(sa.Column("progress", sa.Text, nullable=True))
        batch.add_column(sa.Column("progress_at", UTCDateTime, nullable=True))
        batch.add_column(sa.Column("done_on", sa.Date, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("commitments") as batch:
        batch.drop_column("done_on")
        batch.drop_column("progress_at")
        batch.drop_column("progress")
