"""Officials' history, designations (示范点 / 典型), accounts, merge and dissolution.

Revision ID: 0002
"""
import sqlalchemy as sa
from alembic import op

from services.common.records import UTCDateTime

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    with op.batch_alter_table("units") as batch:
        batch.add_column(sa.Column("merged_into", sa.String(32)))
        batch.add_column(sa.Column("closed_on", sa.Date))
        batch.add_column(sa.Column("revision", sa.Integer, nullable=False, server_default="1"))
    op.create_table(
        "official_terms",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_code", sa.String(32), nullable=False, index=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("phone", sa.String(32)),
        sa.Column("email", sa.String(200)),
        sa.Column("started_on", sa.Date, nullable=False),
        sa.Column("ended_on", sa.Date),
    )
    # the officials in office today start their recorded term today
    op.execute("INSERT INTO official_terms (unit_code, role, name, phone, email, started_on) "
               "SELECT unit_code, role, name, phone, email, CURRENT_DATE FROM officials")
    op.create_table(
        "designations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_code", sa.String(32), sa.ForeignKey("units.code"), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("nominated_by", sa.String(64), nullable=False),
        sa.Column("nominated_at", UTCDateTime, nullable=False),
        sa.Column("designated_by", sa.String(64)),
        sa.Column("starts_on", sa.Date),
        sa.Column("ends_on", sa.Date),
        sa.Column("revoked_reason", sa.Text),
        sa.Column("closed_at", UTCDateTime),
    )
    op.create_table(
        "accounts",
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("unit_code", sa.String(32)),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("auth_version", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("accounts")
    op.drop_table("designations")
    op.drop_table("official_terms")
    with op.batch_alter_table("units") as batch:
        batch.drop_column("revision")
        batch.drop_column("closed_on")
        batch.drop_column("merged_into")
