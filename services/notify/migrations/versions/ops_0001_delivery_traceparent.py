"""Each delivery keeps the W3C traceparent of the work that handled the event it tells, so the
events about its outcome (NotificationDelivered, NotificationFailed, a webhook disabled) go on
in that trace.

Revision ID: ops_0001_delivery_traceparent
"""
import sqlalchemy as sa
from alembic import op

revision = "ops_0001_delivery_traceparent"
down_revision = "senders_0002_quiet_hours"


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("traceparent", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("traceparent")
