"""Designations: the experience write-up (经验做法) the county office attaches to a
demonstration site or model, shown on the public portal so units learn from each other.

Revision ID: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    with op.batch_alter_table("designations") as table:
        table.add_column(sa.Column("experience", sa.Text))
        table.add_column(sa.Column("experience_by", sa.String(64)))


def downgrade() -> None:
    with op.batch_alter_table("designations") as table:
        table.drop_column("experience_by")
        table.drop_column("experience")
