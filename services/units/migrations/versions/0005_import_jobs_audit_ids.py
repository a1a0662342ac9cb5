"""Registry imports as background jobs; audit entries carry the gateway's entry id so a
redelivered entry is appended once.

Revision ID: 0005
"""
import sqlalchemy as sa
from alembic import op

from services.common.records import UTCDateTime

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.create_table(
        "import_jobs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("content", sa.LargeBinary),
        sa.Column("rows_total", sa.Integer),
        sa.Column("rows_done", sa.Integer, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("report", sa.JSON),
        sa.Column("error", sa.JSON),
        sa.Column("request_id", sa.String(64)),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("started_at", UTCDateTime),
        sa.Column("heartbeat_at", UTCDateTime),
        sa.Column("finished_at", UTCDateTime),
    )
    op.add_column("audit_log", sa.Column("entry_id", sa.String(64)))
    op.create_index("uq_audit_log_entry_id", "audit_log", ["entry_id"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_audit_log_entry_id", "audit_log")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("entry_id")
    op.drop_table("import_jobs")
