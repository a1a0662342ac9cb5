"""Monthly sealed archives of the audit trail: one row per archived month with the file's
SHA-256 and the hash chain's head (services.units.audit_archive).

Revision ID: audit_0001_archives
"""
import sqlalchemy as sa
from alembic import op

from services.common.records import UTCDateTime

revision = "audit_0001_archives"
down_revision = "vendors_0001_traceparent"

ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "audit_archives",
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("filename", sa.String(100), nullable=False),
        sa.Column("first_id", ID, nullable=False),
        sa.Column("last_id", ID, nullable=False),
        sa.Column("entries", sa.Integer, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("head", sa.String(64), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("sealed_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("audit_archives")
