"""The service's copy of the county's working-day calendar (services/common/calendar_store.py).

Revision ID: calendar_copy
"""
from alembic import op

from services.common import calendar_store

revision = "calendar_copy"
down_revision = "0001"


def upgrade() -> None:
    calendar_store.create_table(op)


def downgrade() -> None:
    calendar_store.drop_table(op)
