"""Units learn from each other: the county office's 范例 marks on published items per catalogue
matter and sector, and its guidance notes (分类指导) per matter and sector. New tables, empty at
first: nothing to backfill.

Revision ID: examples_0001_marks_and_guidance
"""
import sqlalchemy as sa
from alembic import op

from services.common.records import UTCDateTime

revision = "examples_0001_marks_and_guidance"
down_revision = "matter_0001_search_matter"


def upgrade() -> None:
    op.create_table(
        "example_marks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(32), nullable=False),
        sa.Column("entry_code", sa.String(32), nullable=False),
        sa.Column("sector", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("marked_by", sa.String(64), nullable=False),
        sa.Column("marked_at", UTCDateTime(), nullable=False),
        sa.Column("ended_by", sa.String(64), nullable=True),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_example_marks")),
    )
    op.create_index("ix_example_marks_item_id", "example_marks", ["item_id"])
    op.create_index("ix_example_marks_matter_sector", "example_marks", ["entry_code", "sector", "ended_at"])
    op.create_table(
        "guidance_notes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("entry_code", sa.String(32), nullable=False),
        sa.Column("sector", sa.String(16), nullable=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("written_by", sa.String(64), nullable=False),
        sa.Column("written_at", UTCDateTime(), nullable=False),
        sa.Column("revised_by", sa.String(64), nullable=False),
        sa.Column("revised_at", UTCDateTime(), nullable=False),
        sa.Column("retired_by", sa.String(64), nullable=True),
        sa.Column("retired_at", UTCDateTime(), nullable=True),
        sa.Column("retired_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guidance_notes")),
    )
    op.create_index("ix_guidance_notes_matter", "guidance_notes", ["entry_code", "retired_at"])


def downgrade() -> None:
    op.drop_table("guidance_notes")
    op.drop_table("example_marks")
