"""When a sender's contact was erased (by the sender, or when its retention ended).

Revision ID: senders_0001_contact_erasure
"""
import sqlalchemy as sa
from alembic import op

from services.common.records import UTCDateTime

revision = "senders_0001_contact_erasure"
down_revision = "vendors_0001_traceparent"


def upgrade() -> None:
    with op.batch_alter_table("feedback") as batch:
        batch.add_column(sa.Column("contact_erased_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feedback") as batch:
        batch.drop_column("contact_erased_at")
