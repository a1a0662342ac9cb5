"""What a score as of an instant starts from that does not depend on the period: the units in
the registry then, the inspection records submitted by then (their scores summed per
dimension) and their findings, each rectification's state then, and the checklist in force then
for each year. Loaded once per instant and shared by every period scored as of it (a ranking
scores two, the programme a year's months), as plain rows."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common.workdays import county_date

from . import checklist
from .models import Checklist, Finding, InspectionRecord, Rectification, RectificationStep, UnitCopy
from .periods import Period, as_of_date
from .rectifications import UNRESOLVED, status_at


class Record(NamedTuple):
    id: int
    unit_code: str
    inspection_id: int
    revision: int
    submitted_at: datetime
    visited_on: date  # inspected_on, else the county day it was submitted
    # its dimension_sums (dimension → the sum of its criteria's scores) as the JSON text kept, for
    # the score that takes the record to read (most records are no unit's latest for the periods)
    sums: str


class Deduction(NamedTuple):
    """A finding of a submitted record, as a score needs it."""
    id: int
    dimension: str
    deduction: float
    rectification_id: int | None


def units_at(session: Session, as_of: datetime) -> list[Any]:
    """The units registered by as_of and not ended then, in code order (rows: code, name, sector,
    town_code, demonstration)."""
    u = UnitCopy.__table__.c
    return [tuple(row) for row in session.execute(sa.select(u.code, u.name, u.sector, u.town_code, u.demonstration)
                                                  .where(u.first_seen_at <= as_of,
                                                         sa.or_(u.ended_at.is_(None), u.ended_at > as_of))
                                                  .order_by(u.code))]


def submitted(session: Session, as_of: datetime) -> tuple[list[tuple[Any, ...]], dict[int, list[Deduction]]]:
    """Every inspection record submitted by as_of, oldest submission first, as plain tuples of a
    Record's fields (thousands of them live through a ranking: plain tuples are no work for the
    garbage collector, named ones are), and record id → its findings, in one statement."""
    r, f = InspectionRecord.__table__.c, Finding.__table__.c
    records: list[tuple[Any, ...]] = []
    findings: dict[int, list[Deduction]] = defaultdict(list)
    for row in session.execute(
            sa.select(r.id, r.unit_code, r.inspection_id, r.revision, r.submitted_at, r.inspected_on,
                      f.id, f.dimension, f.deduction, f.rectification_id,
                      sa.cast(r.dimension_sums, sa.Text))
            .outerjoin(Finding.__table__, f.record_id == r.id)
            .where(r.submitted_at.is_not(None), r.submitted_at <= as_of)
            .order_by(r.submitted_at, r.id, f.id)):
        rid, unit, inspection, revision, submitted_at, inspected_on = row[:6]
        if not records or records[-1][0] != rid:
            records.append((rid, unit, inspection, revision, submitted_at, inspected_on or county_date(submitted_at),
                            row[10]))
        if row[6] is not None:
            findings[rid].append(Deduction(*row[6:10]))
    return records, findings


def rectification_states(session: Session, as_of: datetime) -> dict[int, tuple[Rectification, str]]:
    """Every rectification opened by as_of with its state then (from its steps by then, read with it)."""
    steps: dict[Rectification, list[tuple[str, datetime]]] = {}
    for r, to, at in session.execute(
            sa.select(Rectification, RectificationStep.to_status, RectificationStep.at)
            .outerjoin(RectificationStep, sa.and_(RectificationStep.rectification_id == Rectification.id,
                                                  RectificationStep.at <= as_of))
            .where(Rectification.opened_at <= as_of).order_by(Rectification.id, RectificationStep.id)):
        steps.setdefault(r, [])
        if to is not None:
            steps[r].append((to, at))
    day = as_of_date(as_of)
    states = {}
    for r, trail in steps.items():
        state = status_at(trail, r.deadline, as_of, day)
        if state is not None:
            states[r.id] = (r, state)
    return states


class Known:
    """The period-free inputs as of one instant, each loaded on first use."""

    def __init__(self, session: Session, as_of: datetime) -> None:
        self.session, self.as_of = session, as_of
        self._loaded: dict[str, Any] = {}

    def _once(self, name: Any, load: Any) -> Any:
        if name not in self._loaded:
            self._loaded[name] = load(self.session, self.as_of)
        return self._loaded[name]

    def units(self) -> list[Any]:
        return self._once("units", units_at)

    def states(self) -> dict[int, tuple[Rectification, str]]:
        return self._once("states", rectification_states)

    def rules(self, year: int) -> Checklist:
        """The year's checklist in force (checklist.in_force)."""
        return self._once(("rules", year), lambda session, as_of: checklist.in_force(session, year, as_of))

    def findings(self) -> dict[int, list[Deduction]]:
        return self._once("submitted", submitted)[1]

    def by_finding(self) -> dict[int, tuple[Rectification, str]]:
        """finding id → its rectification with its state, for those opened by as_of."""
        return self._once("by_finding", lambda *_: {r.finding_id: (r, state) for r, state in self.states().values()})

    def unit_rectifications(self) -> dict[str, dict[str, int]]:
        """unit → how many of its rectifications were open (unresolved), overdue and accepted then."""
        def count(*_: Any) -> dict[str, dict[str, int]]:
            per: dict[str, dict[str, int]] = defaultdict(lambda: {"open": 0, "overdue": 0, "accepted": 0})
            for r, state in self.states().values():
                if state in UNRESOLVED:
                    per[r.unit_code]["open"] += 1
                if state in ("overdue", "accepted"):
                    per[r.unit_code][state] += 1
            return per
        return self._once("unit_rectifications", count)

    def latest_records(self, period: Period) -> dict[str, Record]:
        """Each unit's newest record submitted by as_of, for a visit by the period's end."""
        newest = {r[1]: r for r in self._once("submitted", submitted)[0] if r[5] <= period.end}
        return {unit: Record(*r) for unit, r in newest.items()}
