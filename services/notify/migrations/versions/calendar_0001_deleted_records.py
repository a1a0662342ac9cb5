"""Webhooks deleted for good are remembered (deleted_records: what, by whom, when), so that a
link to one answers 410 saying so (services/common/tombstones.py).

Revision ID: calendar_0001_deleted_records
"""
from alembic import op

from services.common import tombstones

revision = "calendar_0001_deleted_records"
down_revision = "ops_0001_delivery_traceparent"


def upgrade() -> None:
    tombstones.create_table(op)


def downgrade() -> None:
    tombstones.drop_table(op)
