"""Inspection records keep their criteria's scores summed per dimension beside the scores (what
a score reads, so scoring does not read every criterion of every record); filled in for the
records already kept.

Revision ID: rankfast2_0001_dimension_sums
"""
import sqlalchemy as sa
from alembic import op

from services.supervision.record_sums import dimension_sums

revision = "rankfast2_0001_dimension_sums"
down_revision = "console4_0001_kept_facts"

_RECORDS = sa.table("inspection_records", sa.column("id", sa.Integer), sa.column("scores", sa.JSON),
                    sa.column("dimension_sums", sa.JSON))


def upgrade() -> None:
    op.add_column("inspection_records", sa.Column("dimension_sums", sa.JSON(), nullable=True))
    bind = op.get_bind()
    for rid, scores in bind.execute(sa.select(_RECORDS.c.id, _RECORDS.c.scores)).all():
        bind.execute(_RECORDS.update().where(_RECORDS.c.id == rid).values(dimension_sums=dimension_sums(scores or [])))


def downgrade() -> None:
    with op.batch_alter_table("inspection_records") as batch:
        batch.drop_column("dimension_sums")
