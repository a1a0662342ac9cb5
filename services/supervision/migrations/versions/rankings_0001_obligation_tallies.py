"""Obligation tallies: each unit's obligation marks counted per month of due dates (judged, on
time) with the latest instant they hold, kept as the marks change, so a score reads a row per
unit and month; filled from the marks already kept.

Revision ID: rankings_0001_obligation_tallies
"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from services.common.records import UTCDateTime

revision = "rankings_0001_obligation_tallies"
down_revision = "rankfast2_0001_dimension_sums"

_INSTANT = UTCDateTime()
_MARKS = sa.table("obligation_marks", sa.column("unit_code", sa.String), sa.column("due_on", sa.Date),
                  *(sa.column(name, _INSTANT) for name in ("fulfilled_at", "on_time_at", "overdue_at", "waived_at")))
_TALLIES = sa.table("obligation_tallies", *(sa.column(name) for name in (
    "month", "unit_code", "judged", "on_time", "settled_at")))
_FLOOR = datetime(1970, 1, 1, tzinfo=UTC)


def upgrade() -> None:
    op.create_table(
        "obligation_tallies",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("unit_code", sa.String(32), nullable=False),
        sa.Column("judged", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.Column("settled_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("month", "unit_code", name=op.f("pk_obligation_tallies")))
    m = _MARKS.c
    postgresql = op.get_bind().dialect.name == "postgresql"
    month = sa.cast(sa.func.date_trunc("month", m.due_on), sa.Date) if postgresql else sa.func.date(m.due_on, "start of month")
    live = m.waived_at.is_(None)
    judged = sa.and_(live, sa.or_(m.fulfilled_at.is_not(None), m.overdue_at.is_not(None)))
    latest = [sa.func.coalesce(sa.func.max(column), sa.literal(_FLOOR, _INSTANT))
              for column in (m.fulfilled_at, m.on_time_at, m.overdue_at, m.waived_at)]
    op.execute(_TALLIES.insert().from_select(
        ["month", "unit_code", "judged", "on_time", "settled_at"],
        sa.select(month, m.unit_code, sa.func.sum(sa.case((judged, 1), else_=0)),
                  sa.func.sum(sa.case((sa.and_(live, m.on_time_at.is_not(None)), 1), else_=0)),
                  sa.func.greatest(*latest) if postgresql else sa.func.max(*latest))
        .group_by(month, m.unit_code)))


def downgrade() -> None:
    op.drop_table("obligation_tallies")
