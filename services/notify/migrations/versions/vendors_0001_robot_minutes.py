"""Robots' messages counted per minute across replicas (services/notify/robots.py).

Revision ID: vendors_0001_robot_minutes
"""
import sqlalchemy as sa
from alembic import op

revision = "vendors_0001_robot_minutes"
down_revision = "0006"


def upgrade() -> None:
    op.create_table("robot_minutes",
                    sa.Column("robot", sa.String(32), primary_key=True),
                    sa.Column("minute", sa.String(16), primary_key=True),
                    sa.Column("sent", sa.Integer, nullable=False))


def downgrade() -> None:
    op.drop_table("robot_minutes")
