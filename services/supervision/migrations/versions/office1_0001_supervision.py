"""Each finding names the rectification it opened or, in a corrected record, kept from the
revision it replaced (a correction's rectifications follow its findings); a commitment has its
milestones, each with its progress.

Revision ID: office1_0001_supervision
"""
import sqlalchemy as sa
from alembic import op

revision = "office1_0001_supervision"
down_revision = "record_0001_commitment_progress"


def upgrade() -> None:
    with op.batch_alter_table("findings") as batch:
        batch.add_column(sa.Column("rectification_id", sa.Integer(), nullable=True))
        batch.create_index("ix_findings_rectification_id", ["rectification_id"])
    op.execute("UPDATE findings SET rectification_id = (SELECT rectifications.id FROM rectifications "
               "WHERE rectifications.finding_id = findings.id)")
    with op.batch_alter_table("commitments") as batch:
        batch.add_column(sa.Column("milestones", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("commitments") as batch:
        batch.drop_column("milestones")
    with op.batch_alter_table("findings") as batch:
        batch.drop_index("ix_findings_rectification_id")
        batch.drop_column("rectification_id")
