"""Dead letters keep their bodies as received: encoding, size, SHA-256 and content type.

Revision ID: 0004
"""
from alembic import op

from services.common import records

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    records.add_failure_body_columns(op)


def downgrade() -> None:
    records.drop_failure_body_columns(op)
