"""The registry: units and officials, and the messaging tables.

Revision ID: 0001
"""
import sqlalchemy as sa
from alembic import op

from services.common import records
from services.common.records import UTCDateTime

revision = "0001"
down_revision = None


def upgrade() -> None:
    records.create_tables(op)
    op.create_table(
        "units",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("sector", sa.String(16), nullable=False, index=True),
        sa.Column("org_type", sa.String(16), nullable=False),
        sa.Column("parent_code", sa.String(32), sa.ForeignKey("units.code"), nullable=True, index=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("demonstration", sa.Boolean, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "officials",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_code", sa.String(32), sa.ForeignKey("units.code"), nullable=False, index=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("phone", sa.String(32)),
        sa.Column("email", sa.String(200)),
        sa.UniqueConstraint("unit_code", "role", name="uq_officials_unit_role"),
    )


def downgrade() -> None:
    op.drop_table("officials")
    op.drop_table("units")
    records.drop_tables(op)
