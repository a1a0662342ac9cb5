"""Obligations lose their index on unit_code alone: the unique constraint on (unit_code,
entry_id, period) leads with unit_code and serves every lookup by unit, and each of a year's
million rows (a 10,000-unit county) paid for writing the second index.

Revision ID: obligations_0001_unit_index
"""
from alembic import op

revision = "obligations_0001_unit_index"
down_revision = "board_0001_search_title_weight"


def upgrade() -> None:
    op.drop_index("ix_obligations_unit_code", table_name="obligations")


def downgrade() -> None:
    op.create_index("ix_obligations_unit_code", "obligations", ["unit_code"])
