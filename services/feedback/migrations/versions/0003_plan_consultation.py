"""Plans take feedback while their consultation (征求意见) is open: targets keep the last
day they take it, and which unit is the county's root (it answers comments on the plan).

Revision ID: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    with op.batch_alter_table("targets") as batch:
        batch.add_column(sa.Column("open_until", sa.Date))
        batch.add_column(sa.Column("is_root", sa.Boolean))


def downgrade() -> None:
    with op.batch_alter_table("targets") as batch:
        batch.drop_column("is_root")
        batch.drop_column("open_until")
