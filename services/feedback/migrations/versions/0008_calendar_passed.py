"""The deadlines a new version of the calendar left for the county office because they had
passed (services/common/passed_deadlines.py).

Revision ID: calendar_passed
"""
from alembic import op

from services.common import passed_deadlines

revision = "calendar_passed"
down_revision = "0007"


def upgrade() -> None:
    passed_deadlines.create_table(op)


def downgrade() -> None:
    passed_deadlines.drop_table(op)
