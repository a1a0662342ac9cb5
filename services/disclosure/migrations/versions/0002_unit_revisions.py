"""The unit copy keeps the revision it applied and whom a merged unit went to.

Revision ID: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    with op.batch_alter_table("unit_copies") as batch:
        batch.add_column(sa.Column("merged_into", sa.String(32)))
        batch.add_column(sa.Column("revision", sa.Integer, nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("unit_copies") as batch:
        batch.drop_column("revision")
        batch.drop_column("merged_into")
