"""Obligation marks: one row per obligation with the instant each kind of its facts became
known (fulfilled, fulfilled on time, overdue, waived), kept as facts arrive, so a score as of
an instant counts obligations in one GROUP BY; filled from the facts already recorded.

Revision ID: rankfast_0001_obligation_marks
"""
import sqlalchemy as sa
from alembic import op

from services.common.records import UTCDateTime

revision = "rankfast_0001_obligation_marks"
down_revision = "office2_0001_draw_registers"

_FACTS = sa.table("obligation_facts", sa.column("obligation_id", sa.Integer), sa.column("unit_code", sa.String),
                  sa.column("due_on", sa.Date), sa.column("kind", sa.String), sa.column("on_time", sa.Boolean),
                  sa.column("occurred_at", UTCDateTime()), sa.column("received_at", UTCDateTime()))
_MARKS = sa.table("obligation_marks", *(sa.column(name) for name in (
    "obligation_id", "unit_code", "due_on", "fulfilled_at", "on_time_at", "overdue_at", "waived_at")))


def _earliest(condition):
    f = _FACTS.c
    known = sa.case((f.occurred_at > f.received_at, f.occurred_at), else_=f.received_at)
    return sa.func.min(sa.case((condition, known), else_=None))


def upgrade() -> None:
    op.create_table(
        "obligation_marks",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("obligation_id", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(32), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("fulfilled_at", UTCDateTime(), nullable=True),
        sa.Column("on_time_at", UTCDateTime(), nullable=True),
        sa.Column("overdue_at", UTCDateTime(), nullable=True),
        sa.Column("waived_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_obligation_marks")),
        sa.UniqueConstraint("obligation_id", "unit_code", "due_on",
                            name=op.f("uq_obligation_marks_obligation_id")))
    op.create_index("ix_obligation_marks_due", "obligation_marks", ["due_on", "unit_code"])
    f = _FACTS.c
    op.execute(_MARKS.insert().from_select(
        ["obligation_id", "unit_code", "due_on", "fulfilled_at", "on_time_at", "overdue_at", "waived_at"],
        sa.select(f.obligation_id, f.unit_code, f.due_on, _earliest(f.kind == "fulfilled"),
                  _earliest(sa.and_(f.kind == "fulfilled", f.on_time.is_(True))), _earliest(f.kind == "overdue"),
                  _earliest(f.kind == "waived"))
        .group_by(f.obligation_id, f.unit_code, f.due_on)))


def downgrade() -> None:
    op.drop_index("ix_obligation_marks_due", table_name="obligation_marks")
    op.drop_table("obligation_marks")
