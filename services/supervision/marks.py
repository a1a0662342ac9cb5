"""The obligation marks (mark_models.ObligationMark), kept as obligation facts arrive, and the
counts a score needs read from them in one GROUP BY.

A score as of T asks, per obligation due in the period, whether a fact of each kind had
occurred and arrived by T. Recorded per fact, that is a GROUP BY obligation under a GROUP BY
unit over every fact of the period; kept per obligation as the earliest instant each kind
became known (max of occurred_at and received_at over its facts), it is one row per obligation
and one GROUP BY unit, with the same answer for every T.

An obligation's facts all name the due date it had when they happened; disclosure moves only
deadlines that have not passed, before any fact, so an obligation has one mark. Were one to
name two due dates, each would be a mark of its own.

A score reads the marks counted per unit and month of due dates (tallies.py), kept beside them;
only the months with a mark that became known after the score's instant are counted from the
marks."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common.db import upsert_into

from . import tallies
from .mark_models import ObligationMark
from .models import ObligationFact
from .periods import Period, apart, month_of, sorting

KEY = ("obligation_id", "unit_code", "due_on")
MARKS = ObligationMark.__table__


def _instants(kind: str, on_time: bool | None, known: datetime) -> dict[str, datetime]:
    """Which of a mark's instants a fact of this kind sets."""
    if kind == "fulfilled":
        return {"fulfilled_at": known, **({"on_time_at": known} if on_time is True else {})}
    return {f"{kind}_at": known}


def record(session: Session, fact: ObligationFact) -> None:
    """Fold one new fact into its obligation's mark: each instant it sets is kept at the earliest;
    then count the unit's tally of the month it was due again."""
    values = _instants(fact.kind, fact.on_time, max(fact.occurred_at, fact.received_at))
    month = fact.due_on.replace(day=1)
    tallies.hold(session, fact.unit_code, month)
    statement = upsert_into(session, MARKS).values(obligation_id=fact.obligation_id, unit_code=fact.unit_code, due_on=fact.due_on,
                              **values)
    session.execute(statement.on_conflict_do_update(index_elements=list(KEY), set_={
        column: sa.case((sa.or_(MARKS.c[column].is_(None), statement.excluded[column] < MARKS.c[column]),
                         statement.excluded[column]), else_=MARKS.c[column])
        for column in values}))
    tallies.refresh(session, fact.unit_code, month)


def _earliest(facts: Any, condition: Any) -> Any:
    known = sa.case((facts.c.occurred_at > facts.c.received_at, facts.c.occurred_at), else_=facts.c.received_at)
    return sa.func.min(sa.case((condition, known), else_=None))


def rebuild(session: Session, obligation_ids: list[int] | None = None) -> None:
    """Compute the marks again from the facts, all of them or those of some obligations (for
    facts inserted in bulk, as the benchmark and the scale tests do), and their tallies."""
    facts = ObligationFact.__table__
    if obligation_ids is None:
        session.execute(MARKS.delete())
    else:
        touched = _months(session, obligation_ids)
        session.execute(MARKS.delete().where(MARKS.c.obligation_id.in_(obligation_ids)))
    query = (sa.select(facts.c.obligation_id, facts.c.unit_code, facts.c.due_on,
                       _earliest(facts, facts.c.kind == "fulfilled"),
                       _earliest(facts, sa.and_(facts.c.kind == "fulfilled", facts.c.on_time.is_(True))),
                       _earliest(facts, facts.c.kind == "overdue"), _earliest(facts, facts.c.kind == "waived"))
             .group_by(facts.c.obligation_id, facts.c.unit_code, facts.c.due_on))
    if obligation_ids is not None:
        query = query.where(facts.c.obligation_id.in_(obligation_ids))
    session.execute(MARKS.insert().from_select(
        [*KEY, "fulfilled_at", "on_time_at", "overdue_at", "waived_at"], query))
    if obligation_ids is None:
        tallies.rebuild(session)
        return
    for unit_code, month in touched | _months(session, obligation_ids):
        tallies.hold(session, unit_code, month)
        tallies.refresh(session, unit_code, month)
    session.execute(tallies.TALLIES.delete().where(tallies.TALLIES.c.settled_at == tallies.FLOOR))  # no marks left


def _months(session: Session, obligation_ids: list[int]) -> set[tuple[str, date]]:
    """(unit, month due) of the obligations' marks."""
    return {(unit, due.replace(day=1)) for unit, due in session.execute(
        sa.select(MARKS.c.unit_code, MARKS.c.due_on).distinct().where(MARKS.c.obligation_id.in_(obligation_ids)))}


def known(column: Any, as_of: datetime) -> Any:
    return sa.and_(column.is_not(None), column <= as_of)


def obligation_counts(session: Session, period: Period, as_of: datetime) -> dict[str, tuple[int, int]]:
    """unit → (fell due and judged: fulfilled or overdue, not waived; fulfilled on time), as of as_of."""
    return obligation_counts_many(session, [period], as_of)[0]


def obligation_counts_many(session: Session, periods: list[Period], as_of: datetime) -> list[dict[str, tuple[int, int]]]:
    """obligation_counts() of each period: periods apart from each other in one GROUP BY unit and
    period over their tallies, and the tallies not settled by as_of counted from their months'
    marks instead; periods that overlap, each on its own."""
    if not apart(periods):
        return [obligation_counts_many(session, [period], as_of)[0] for period in periods]
    out, unsettled = tallies.read(session, periods, as_of)
    if unsettled:
        months = sorted({month for month, _ in unsettled})
        containing = [next(i for i, p in enumerate(periods) if p.start <= month <= p.end) for month in months]
        for m, counted in enumerate(_counted(session, [month_of(month) for month in months], as_of)):
            for unit, (judged, on_time) in counted.items():
                if (months[m], unit) in unsettled:
                    before = out[containing[m]].get(unit, (0, 0))
                    out[containing[m]][unit] = (before[0] + judged, before[1] + on_time)
    return out


def _counted(session: Session, periods: list[Period], as_of: datetime) -> list[dict[str, tuple[int, int]]]:
    """Per period (apart from each other), unit → (judged, on time) from the marks due in it."""
    m = MARKS.c
    live = sa.not_(known(m.waived_at, as_of))
    judged = sa.and_(live, sa.or_(known(m.fulfilled_at, as_of), known(m.overdue_at, as_of)))
    by = sorting(m.due_on, periods)
    out: list[dict[str, tuple[int, int]]] = [{} for _ in periods]
    for i, unit, j, ok in session.execute(
            sa.select(by.index, m.unit_code, sa.func.sum(sa.case((judged, 1), else_=0)),
                      sa.func.sum(sa.case((sa.and_(live, known(m.on_time_at, as_of)), 1), else_=0)))
            .where(by.within).group_by(m.unit_code, *by.grouping)):
        out[i][unit] = (int(j or 0), int(ok or 0))
    return out


def missing_counts(session: Session, period: Period, as_of: datetime) -> dict[str, int]:
    """unit → obligations due in the period that were overdue and, as of as_of, neither published nor waived."""
    m = MARKS.c
    missing = sa.and_(known(m.overdue_at, as_of), sa.not_(known(m.fulfilled_at, as_of)),
                      sa.not_(known(m.waived_at, as_of)))
    rows = session.execute(sa.select(m.unit_code, sa.func.count())
                           .where(m.due_on >= period.start, m.due_on <= period.end, missing)
                           .group_by(m.unit_code))
    return {unit: int(n) for unit, n in rows}
