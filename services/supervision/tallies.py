"""The obligation tallies (mark_models.ObligationTally): a unit's obligation counts per month of
due dates, kept as its marks change, so a score reads a row per unit and month instead of a row
per obligation.

A tally's counts are what its marks give as of every instant from its settled_at on (the latest
instant any of them holds). A score as of an earlier instant takes the counts of those months
from the marks themselves (marks.obligation_counts_many), so a late fact changes only the
answers as of an instant after it arrived, as before."""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common.db import upsert_into

from .mark_models import ObligationMark, ObligationTally
from .periods import Period, month_of, sorting

MARKS, TALLIES = ObligationMark.__table__, ObligationTally.__table__
COLUMNS = ("month", "unit_code", "judged", "on_time", "settled_at")
FLOOR = datetime(1970, 1, 1, tzinfo=UTC)  # before any instant: a mark's kinds not (yet) known


def _counted(dialect: str, month: Any) -> sa.Select:
    """The marks' counts as of any instant from the latest they hold, by `month` and unit."""
    m = MARKS.c
    live = m.waived_at.is_(None)
    judged = sa.and_(live, sa.or_(m.fulfilled_at.is_not(None), m.overdue_at.is_not(None)))
    latest = [sa.func.coalesce(sa.func.max(column), sa.literal(FLOOR, m.fulfilled_at.type))
              for column in (m.fulfilled_at, m.on_time_at, m.overdue_at, m.waived_at)]
    greatest = sa.func.greatest(*latest) if dialect == "postgresql" else sa.func.max(*latest)
    return sa.select(month, m.unit_code, sa.func.sum(sa.case((judged, 1), else_=0)),
                     sa.func.sum(sa.case((sa.and_(live, m.on_time_at.is_not(None)), 1), else_=0)), greatest)


def hold(session: Session, unit_code: str, month: date) -> None:
    """Lock the unit's tally of the month (made empty if there is none) before its marks change,
    so facts of the same month applied at once are counted one after the other."""
    statement = upsert_into(session, TALLIES).values(month=month, unit_code=unit_code, judged=0, on_time=0, settled_at=FLOOR)
    session.execute(statement.on_conflict_do_update(index_elements=["month", "unit_code"],
                                                    set_={"judged": TALLIES.c.judged}))


def refresh(session: Session, unit_code: str, month: date) -> None:
    """Count the unit's tally of the month again from its marks (those due in that month)."""
    m = MARKS.c
    end = month_of(month).end
    counted = _counted(session.get_bind().dialect.name, sa.literal(month, sa.Date)).where(
        m.unit_code == unit_code, m.due_on >= month, m.due_on <= end).group_by(m.unit_code)
    statement = upsert_into(session, TALLIES).from_select(list(COLUMNS), counted)
    session.execute(statement.on_conflict_do_update(index_elements=["month", "unit_code"], set_={
        column: statement.excluded[column] for column in COLUMNS[2:]}))


def rebuild(session: Session) -> None:
    """Every tally again from the marks."""
    dialect = session.get_bind().dialect.name
    due = MARKS.c.due_on
    month = (sa.cast(sa.func.date_trunc("month", due), sa.Date) if dialect == "postgresql"
             else sa.func.date(due, "start of month"))
    session.execute(TALLIES.delete())
    session.execute(TALLIES.insert().from_select(list(COLUMNS), _counted(dialect, month).group_by(month, MARKS.c.unit_code)))


def read(session: Session, periods: list[Period], as_of: datetime) -> tuple[list[dict[str, tuple[int, int]]],
                                                                         set[tuple[date, str]]]:
    """Per period (apart from each other), unit → (judged, on time) from its tallies settled by
    as_of; and the (month, unit) of the tallies in them not settled then, to count from the marks."""
    t = TALLIES.c
    settled = t.settled_at <= as_of
    by = sorting(t.month, periods)
    out: list[dict[str, tuple[int, int]]] = [{} for _ in periods]
    unsettled_in: set[int] = set()
    for i, unit, judged, on_time, unsettled in session.execute(
            sa.select(by.index, t.unit_code, sa.func.sum(sa.case((settled, t.judged), else_=0)),
                      sa.func.sum(sa.case((settled, t.on_time), else_=0)),
                      sa.func.max(sa.case((settled, 0), else_=1)))
            .where(by.within).group_by(t.unit_code, *by.grouping)):
        out[i][unit] = (int(judged or 0), int(on_time or 0))
        if unsettled:
            unsettled_in.add(i)
    if not unsettled_in:
        return out, set()
    within = sa.or_(*(sa.and_(t.month >= periods[i].start, t.month <= periods[i].end) for i in unsettled_in))
    return out, {(month, unit) for month, unit in session.execute(
        sa.select(t.month, t.unit_code).where(within, t.settled_at > as_of))}
