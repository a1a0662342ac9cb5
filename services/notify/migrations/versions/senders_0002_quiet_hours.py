"""Each person's own quiet hours and digest choice (the county's are the default), and the quiet
hours a delivery keeps for its retries.

Revision ID: senders_0002_quiet_hours
"""
import sqlalchemy as sa
from alembic import op

revision = "senders_0002_quiet_hours"
down_revision = "vendors_0002_traceparent"


def upgrade() -> None:
    with op.batch_alter_table("preferences") as batch:
        batch.add_column(sa.Column("quiet_hours", sa.String(11), nullable=True))
        batch.add_column(sa.Column("digest", sa.Boolean(), nullable=True))
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("quiet_hours", sa.String(11), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("quiet_hours")
    with op.batch_alter_table("preferences") as batch:
        batch.drop_column("digest")
        batch.drop_column("quiet_hours")
