"""Unit targets keep the revision they applied.

Revision ID: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    with op.batch_alter_table("targets") as batch:
        batch.add_column(sa.Column("revision", sa.Integer))


def downgrade() -> None:
    with op.batch_alter_table("targets") as batch:
        batch.drop_column("revision")
