"""The catalogue, the yearly plan, obligations, item versions and attachments, sealed years.

Revision ID: 0003
"""
import sqlalchemy as sa
from alembic import op

from services.common.records import UTCDateTime

revision = "0003"
down_revision = "0002"


def _transition_columns() -> list[sa.Column]:
    return [sa.Column("from_status", sa.String(16)),
            sa.Column("to_status", sa.String(16), nullable=False),
            sa.Column("actor", sa.String(64), nullable=False),
            sa.Column("role", sa.String(16), nullable=False),
            sa.Column("reason", sa.Text),
            sa.Column("at", UTCDateTime, nullable=False)]


def upgrade() -> None:
    with op.batch_alter_table("unit_copies") as batch:
        batch.add_column(sa.Column("town_code", sa.String(32)))
        batch.create_index("ix_unit_copies_town_code", ["town_code"])
    op.create_table(
        "catalogue_entries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(32), nullable=False, index=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("matter", sa.String(100), nullable=False),
        sa.Column("sub_matter", sa.String(200), nullable=False),
        sa.Column("content_elements", sa.Text, nullable=False),
        sa.Column("basis", sa.Text, nullable=False),
        sa.Column("time_limit", sa.Text, nullable=False),
        sa.Column("audience", sa.String(16), nullable=False),
        sa.Column("carriers", sa.JSON, nullable=False),
        sa.Column("sectors", sa.JSON, nullable=False),
        sa.Column("frequency", sa.String(16), nullable=False),
        sa.Column("grace_days", sa.Integer),
        sa.Column("within_days", sa.Integer),
        sa.Column("display_days", sa.Integer),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("valid_to", sa.Date),
        sa.Column("changed_by", sa.String(64), nullable=False),
        sa.Column("changed_at", UTCDateTime, nullable=False),
        sa.Column("change_note", sa.Text),
        sa.Column("retired_by", sa.String(64)),
        sa.Column("retired_at", UTCDateTime),
        sa.Column("retired_reason", sa.Text),
        sa.UniqueConstraint("code", "version", name="uq_catalogue_entries_code"),
    )
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("year", sa.Integer, nullable=False, unique=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("goals", sa.JSON, nullable=False),
        sa.Column("milestones", sa.JSON, nullable=False),
        sa.Column("carriers", sa.JSON, nullable=False),
        sa.Column("forms", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("consultation_days", sa.Integer, nullable=False),
        sa.Column("consultation_opens_on", sa.Date),
        sa.Column("consultation_closes_on", sa.Date),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("approved_at", UTCDateTime),
    )
    op.create_table(
        "plan_transitions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id"), nullable=False, index=True),
        *_transition_columns(),
    )
    op.create_table(
        "obligations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_code", sa.String(32), nullable=False, index=True),
        sa.Column("entry_id", sa.Integer, sa.ForeignKey("catalogue_entries.id"), nullable=False),
        sa.Column("entry_code", sa.String(32), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("period", sa.String(32), nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("sector", sa.String(16), nullable=False),
        sa.Column("town_code", sa.String(32)),
        sa.Column("event_on", sa.Date),
        sa.Column("event_note", sa.Text),
        sa.Column("item_id", sa.Integer),
        sa.Column("fulfilled_at", UTCDateTime),
        sa.Column("waived_by", sa.String(64)),
        sa.Column("waived_reason", sa.Text),
        sa.Column("warned_at", UTCDateTime),
        sa.Column("overdue_at", UTCDateTime),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("unit_code", "entry_id", "period", name="uq_obligations_unit_code"),
        sa.Index("ix_obligations_progress", "year", "town_code", "sector", "status"),
        sa.Index("ix_obligations_status_due_on", "status", "due_on"),
    )
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("previous_id", sa.Integer))
        batch.add_column(sa.Column("superseded_by_id", sa.Integer))
        batch.add_column(sa.Column("display_until", sa.Date))
        batch.add_column(sa.Column("archived_from", sa.String(16)))
        batch.create_index("ix_items_previous_id", ["previous_id"])
    op.create_table(
        "blobs",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id"), nullable=False, index=True),
        sa.Column("sha256", sa.String(64), sa.ForeignKey("blobs.sha256"), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("added_by", sa.String(64), nullable=False),
        sa.Column("added_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("item_id", "sha256", name="uq_attachments_item_id"),
    )
    op.create_table(
        "sealed_years",
        sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("sealed_by", sa.String(64), nullable=False),
        sa.Column("sealed_at", UTCDateTime, nullable=False),
        sa.Column("items_archived", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sealed_years")
    op.drop_table("attachments")
    op.drop_table("blobs")
    with op.batch_alter_table("items") as batch:
        batch.drop_index("ix_items_previous_id")
        batch.drop_column("archived_from")
        batch.drop_column("display_until")
        batch.drop_column("superseded_by_id")
        batch.drop_column("previous_id")
    op.drop_table("obligations")
    op.drop_table("plan_transitions")
    op.drop_table("plans")
    op.drop_table("catalogue_entries")
    with op.batch_alter_table("unit_copies") as batch:
        batch.drop_index("ix_unit_copies_town_code")
        batch.drop_column("town_code")
