"""The county office's reviews (复核) of models whose monthly score fell below the pass mark: each
kept designation with the month reviewed, the reason, who and when. A new table: the designations
reviewed before it (by revoking them, or by leaving them be) have no record to fill in.

Revision ID: console4_0001_model_reviews
"""
import sqlalchemy as sa
from alembic import op

from services.common.records import UTCDateTime

revision = "console4_0001_model_reviews"
down_revision = "security_0002_sign_in"


def upgrade() -> None:
    op.create_table("designation_reviews",
                    sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("designation_id", sa.Integer, sa.ForeignKey("designations.id"), nullable=False,
                              index=True),
                    sa.Column("period", sa.String(7), nullable=False),
                    sa.Column("decision", sa.String(16), nullable=False),
                    sa.Column("reason", sa.Text, nullable=False),
                    sa.Column("reviewed_by", sa.String(64), nullable=False),
                    sa.Column("reviewed_at", UTCDateTime, nullable=False),
                    sa.UniqueConstraint("designation_id", "period"))


def downgrade() -> None:
    op.drop_table("designation_reviews")
