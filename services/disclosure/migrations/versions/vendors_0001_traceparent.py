"""The outbox keeps each event's W3C traceparent, sent as its message header
(services/common/tracing.py).

Revision ID: vendors_0001_traceparent
"""
from alembic import op

from services.common import records

revision = "vendors_0001_traceparent"
down_revision = "calendar_passed"


def upgrade() -> None:
    records.add_outbox_traceparent(op)


def downgrade() -> None:
    records.drop_outbox_traceparent(op)
