"""Channels beyond email: delivery keys and message ids, robots, the in-app inbox, accounts
known from units, preferences, the digest, webhook delivery attempts and auto-disabling.

Revision ID: 0005
"""
import sqlalchemy as sa
from alembic import op

from services.common.records import UTCDateTime

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    with op.batch_alter_table("known_units") as batch:
        batch.add_column(sa.Column("parent_code", sa.String(32)))
        batch.add_column(sa.Column("sector", sa.String(16)))
        batch.add_column(sa.Column("name", sa.String(200)))
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("delivery_key", sa.String(300)))
        batch.add_column(sa.Column("message_id", sa.String(200)))
        batch.add_column(sa.Column("destination", sa.String(100)))
        batch.add_column(sa.Column("webhook_id", sa.Integer))
        batch.add_column(sa.Column("urgency", sa.String(8), nullable=False, server_default="normal"))
        batch.add_column(sa.Column("claimed_by", sa.String(64)))
        batch.add_column(sa.Column("digest_on", sa.String(10)))
        batch.add_column(sa.Column("bundled_into", sa.Integer))
        batch.add_column(sa.Column("link", sa.String(500)))
        batch.create_unique_constraint("uq_deliveries_delivery_key", ["delivery_key"])
        batch.create_index("ix_deliveries_webhook_id", ["webhook_id"])
    with op.batch_alter_table("webhooks") as batch:
        batch.add_column(sa.Column("consecutive_failures", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("disabled_reason", sa.Text))
        batch.add_column(sa.Column("disabled_at", UTCDateTime))
        batch.add_column(sa.Column("secret_rotated_at", UTCDateTime))
    op.create_table(
        "known_accounts",
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("unit_code", sa.String(32), index=True),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
    )
    op.create_table(
        "item_authors",
        sa.Column("item_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("unit_code", sa.String(32), nullable=False),
    )
    op.create_table(
        "preferences",
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("channels", sa.JSON, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "inbox_messages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("cause_event_id", sa.String(36), nullable=False),
        sa.Column("cause_type", sa.String(64), nullable=False),
        sa.Column("unit_code", sa.String(32), nullable=False),
        sa.Column("urgency", sa.String(8), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("link", sa.String(500), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("read_at", UTCDateTime),
        sa.UniqueConstraint("cause_event_id", "username", name="uq_inbox_once"),
        sa.Index("ix_inbox_reader", "username", "id"),
    )
    op.create_table(
        "webhook_attempts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("webhook_id", sa.Integer, nullable=False, index=True),
        sa.Column("delivery_id", sa.Integer, nullable=False),
        sa.Column("attempted_at", UTCDateTime, nullable=False),
        sa.Column("status_code", sa.Integer),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("duration_ms", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("webhook_attempts")
    op.drop_table("inbox_messages")
    op.drop_table("preferences")
    op.drop_table("item_authors")
    op.drop_table("known_accounts")
    with op.batch_alter_table("webhooks") as batch:
        for name in ("secret_rotated_at", "disabled_at", "disabled_reason", "consecutive_failures"):
            batch.drop_column(name)
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_index("ix_deliveries_webhook_id")
        batch.drop_constraint("uq_deliveries_delivery_key", type_="unique")
        for name in ("link", "bundled_into", "digest_on", "claimed_by", "urgency", "webhook_id", "destination",
                     "message_id", "delivery_key"):
            batch.drop_column(name)
    with op.batch_alter_table("known_units") as batch:
        for name in ("name", "sector", "parent_code"):
            batch.drop_column(name)
