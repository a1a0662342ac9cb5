"""The whole feedback loop: the sender's secret and public consent, moderation, answers with
their review, every step kept, reopening and satisfaction, extensions, the deadline warnings
claimed once each, readers' reports on public answers; unit targets keep their parent and
sector (for the town).

Revision ID: 0004
"""
import sqlalchemy as sa
from alembic import op

from services.common.records import UTCDateTime

revision = "0004"
down_revision = "0003"

_FALSE = sa.false()


def upgrade() -> None:
    with op.batch_alter_table("targets") as batch:
        batch.add_column(sa.Column("parent_code", sa.String(32)))
        batch.add_column(sa.Column("sector", sa.String(16)))
    with op.batch_alter_table("feedback") as batch:
        batch.add_column(sa.Column("secret_hash", sa.String(64)))
        batch.add_column(sa.Column("content_hash", sa.String(64)))
        batch.add_column(sa.Column("public", sa.Boolean, nullable=False, server_default=_FALSE))
        batch.add_column(sa.Column("held_reason", sa.String(300)))
        batch.add_column(sa.Column("accepted_at", UTCDateTime))
        batch.add_column(sa.Column("answered_at", UTCDateTime))
        batch.add_column(sa.Column("closed_at", UTCDateTime))
        batch.add_column(sa.Column("round", sa.Integer, nullable=False, server_default="1"))
        batch.add_column(sa.Column("reopen_count", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("extension_status", sa.String(12)))
        batch.add_column(sa.Column("extension_days", sa.Integer))
        batch.add_column(sa.Column("extension_reason", sa.String(500)))
        batch.add_column(sa.Column("extension_requested_by", sa.String(64)))
        batch.add_column(sa.Column("rating", sa.String(24)))
        batch.add_column(sa.Column("rating_comment", sa.String(500)))
        batch.add_column(sa.Column("rated_at", UTCDateTime))
        batch.add_column(sa.Column("due_soon_at", UTCDateTime))
        batch.add_column(sa.Column("overdue_at", UTCDateTime))
        batch.add_column(sa.Column("escalated_1_at", UTCDateTime))
        batch.add_column(sa.Column("escalated_2_at", UTCDateTime))
        batch.add_column(sa.Column("reports", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("answer_hidden", sa.Boolean, nullable=False, server_default=_FALSE))
        batch.add_column(sa.Column("answer_reviewed_at", UTCDateTime))
        batch.create_index("ix_feedback_content_hash", ["content_hash"])
        batch.create_index("ix_feedback_deadlines", ["status", "answer_due"])
    op.create_table(
        "answers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("feedback_id", sa.Integer, sa.ForeignKey("feedback.id"), nullable=False, index=True),
        sa.Column("round", sa.Integer, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("drafted_by", sa.String(64), nullable=False),
        sa.Column("drafted_at", UTCDateTime, nullable=False),
        sa.Column("reviewed_by", sa.String(64)),
        sa.Column("reviewed_at", UTCDateTime),
        sa.Column("review_note", sa.String(500)),
        sa.Column("on_time", sa.Boolean),
    )
    op.create_table(
        "feedback_steps",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("feedback_id", sa.Integer, sa.ForeignKey("feedback.id"), nullable=False, index=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("action", sa.String(24), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16)),
        sa.Column("from_status", sa.String(16)),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("note", sa.String(500)),
        sa.Column("unit_code", sa.String(32)),
    )
    op.create_table(
        "answer_reports",
        sa.Column("feedback_id", sa.Integer, sa.ForeignKey("feedback.id"), primary_key=True),
        sa.Column("reporter", sa.String(64), primary_key=True),
        sa.Column("at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("answer_reports")
    op.drop_table("feedback_steps")
    op.drop_table("answers")
    with op.batch_alter_table("feedback") as batch:
        batch.drop_index("ix_feedback_deadlines")
        batch.drop_index("ix_feedback_content_hash")
        for column in ("answer_reviewed_at", "answer_hidden", "reports", "escalated_2_at", "escalated_1_at",
                       "overdue_at", "due_soon_at", "rated_at", "rating_comment", "rating",
                       "extension_requested_by", "extension_reason", "extension_days", "extension_status",
                       "reopen_count", "round", "closed_at", "answered_at", "accepted_at", "held_reason",
                       "public", "content_hash", "secret_hash"):
            batch.drop_column(column)
    with op.batch_alter_table("targets") as batch:
        batch.drop_column("sector")
        batch.drop_column("parent_code")
