"""The models kept on review (units' DesignationKept), each for the month whose score was reviewed.
A new table: nothing was kept before it (the decision was not recorded), so there is nothing to fill in.

Revision ID: console4_0001_kept_facts
"""
import sqlalchemy as sa
from alembic import op

from services.common.records import UTCDateTime

revision = "console4_0001_kept_facts"
down_revision = "rankfast_0001_obligation_marks"


def upgrade() -> None:
    op.create_table("kept_facts",
                    sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("event_id", sa.String(36), nullable=False, unique=True),
                    sa.Column("designation_id", sa.Integer, nullable=False, index=True),
                    sa.Column("unit_code", sa.String(32), nullable=False),
                    sa.Column("period", sa.String(7), nullable=False),
                    sa.Column("occurred_at", UTCDateTime, nullable=False),
                    sa.Column("received_at", UTCDateTime, nullable=False))


def downgrade() -> None:
    op.drop_table("kept_facts")
