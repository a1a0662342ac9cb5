"""Scheduling a year's obligations: which (entry version, period, due date) each sector has in a year, computed once per sector from the catalogue, then rows inserted for many units at a time."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common.contract import names
from services.common.db import UnitOfWork, insert_many
from services.common.errors import Conflict
from services.common.records import utcnow
from services.common.workdays import county_date, county_today, is_provisional

from . import periods
from .models import CatalogueEntry, Obligation, Plan, UnitCopy
OPEN = ("open", "overdue")  # still to be done
PLANNED = ("approved", "active")  # a plan under which obligations exist
UNITS_PER_BATCH = 250  # units whose obligations are inserted (and events emitted) together


# --- the schedule: which (entry version, period, due date) a sector has in a year ----------------

@dataclass(frozen=True)
class Due:
    entry_id: int
    entry_code: str
    period: str
    due_on: date
    counted_from: date | None = None  # long-term: the day its working days run from


class Schedule:
    """One year's scheduled obligations per sector, computed once from the catalogue.

    The version of an entry that governs a period is the one in force on the due date it
    gives that period; a later version wins a tie. A retired entry governs no period due
    after its last day."""

    def __init__(self, session: Session, year: int, long_term_start: date, code: str | None = None) -> None:
        self.year, self.code = year, code
        self._by_sector: dict[str, list[Due]] = {}
        due_dates = periods.DueDates(long_term_start)
        query = sa.select(CatalogueEntry).where(CatalogueEntry.frequency.in_(periods.SCHEDULED),
                                                CatalogueEntry.valid_from <= date(year + 1, 12, 31),
                                                sa.or_(CatalogueEntry.valid_to.is_(None),
                                                       CatalogueEntry.valid_to >= date(year, 1, 1)))
        if code is not None:
            query = query.where(CatalogueEntry.code == code)
        versions: dict[str, list[CatalogueEntry]] = defaultdict(list)
        for entry in session.scalars(query.order_by(CatalogueEntry.valid_from, CatalogueEntry.version)):
            versions[entry.code].append(entry)
        self.entries: dict[int, CatalogueEntry] = {}
        self._dues: list[tuple[CatalogueEntry, Due]] = []
        for code_versions in versions.values():
            governed: dict[str, tuple[CatalogueEntry, Due]] = {}
            for entry in code_versions:  # oldest first: a later version takes the period over
                for period in periods.periods_of(entry.frequency, year):
                    due_on = due_dates(entry, period)
                    if entry.valid_from <= due_on and (entry.valid_to is None or due_on <= entry.valid_to):
                        start = long_term_start if entry.frequency == "long_term" else None
                        governed[period] = (entry, Due(entry.id, entry.code, period, due_on, start))
            for entry, due in governed.values():
                self.entries[entry.id] = entry
                self._dues.append((entry, due))

    def for_sector(self, sector: str) -> list[Due]:
        if sector not in self._by_sector:
            self._by_sector[sector] = [due for entry, due in self._dues if sector in (entry.sectors or ())]
        return self._by_sector[sector]


@dataclass(frozen=True)
class UnitRow:
    code: str
    sector: str
    town_code: str | None


def year_plans(session: Session, year: int | None = None) -> list[Plan]:
    query = sa.select(Plan).where(Plan.status.in_(PLANNED)).order_by(Plan.year)
    if year is not None:
        query = query.where(Plan.year == year)
    return list(session.scalars(query))


def approval_day(plan: Plan) -> date:
    return county_date(plan.approved_at) if plan.approved_at else county_today()


def add_missing(uow: UnitOfWork, schedule: Schedule, units: Sequence[UnitRow], reason: str,
                 not_before: date | None = None) -> int:
    """Insert the obligations these units lack for the schedule's year (those due on or after
    `not_before` when given) and emit one ObligationsScheduled per unit that got any. An
    obligation already there in any status (a waived one included) is not made again."""
    session = uow.session
    codes = [unit.code for unit in units]
    by_id: dict[str, set[tuple[int, str]]] = defaultdict(set)
    by_code: dict[str, set[tuple[str, str]]] = defaultdict(set)
    existing = (sa.select(Obligation.unit_code, Obligation.entry_id, Obligation.entry_code, Obligation.period,
                          Obligation.status)
                .where(Obligation.year == schedule.year, Obligation.unit_code.in_(codes)))
    if schedule.code is not None:
        existing = existing.where(Obligation.entry_code == schedule.code)
    for unit_code, entry_id, entry_code, period, status in session.execute(existing):
        by_id[unit_code].add((entry_id, period))
        if status != "waived":
            by_code[unit_code].add((entry_code, period))
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for unit in units:
        taken_ids, taken_codes = by_id.get(unit.code, ()), by_code.get(unit.code, ())
        for due in schedule.for_sector(unit.sector):
            if not_before is not None and due.due_on < not_before:
                continue
            if (due.entry_id, due.period) in taken_ids or (due.entry_code, due.period) in taken_codes:
                continue
            rows.append({"unit_code": unit.code, "entry_id": due.entry_id, "entry_code": due.entry_code,
                         "year": schedule.year, "period": due.period, "due_on": due.due_on,
                         "counted_from": due.counted_from, "status": "open",
                         "sector": unit.sector, "town_code": unit.town_code, "created_at": now})
    if not rows:
        return 0
    insert_many(session, Obligation.__table__, rows)
    scheduled: dict[str, list[date]] = defaultdict(list)
    for row in rows:
        scheduled[row["unit_code"]].append(row["due_on"])
    for unit_code, due_dates in scheduled.items():
        uow.emit(names.OBLIGATIONS_SCHEDULED, {"unit_code": unit_code, "year": schedule.year, "reason": reason,
                                          "count": len(due_dates), "first_due_on": min(due_dates),
                                          "last_due_on": max(due_dates),
                                          "provisional": is_provisional(min(due_dates), max(due_dates))})
    return len(rows)


def batches(items: Sequence, size: int) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def active_units(session: Session) -> list[UnitRow]:
    return [UnitRow(*row) for row in session.execute(
        sa.select(UnitCopy.code, UnitCopy.sector, UnitCopy.town_code)
        .where(UnitCopy.status == "active").order_by(UnitCopy.code))]


def schedule_year(uow: UnitOfWork, year: int, *, reason: str = "plan_approved") -> int:
    """Every active unit's obligations for the year of an approved plan: each period of the
    year for each scheduled catalogue matter that applies to its sector (periods already past
    included: the plan covers the whole year). Idempotent: what exists is not made again.
    Returns the number of obligations created."""
    plans = year_plans(uow.session, int(year))
    if not plans:
        raise Conflict(f"obligations for {year} follow from the year's plan once it is approved; "
                       f"there is no approved or active plan for {year}")
    schedule = Schedule(uow.session, plans[0].year, approval_day(plans[0]))
    created = 0
    for units in batches(active_units(uow.session), UNITS_PER_BATCH):
        created += add_missing(uow, schedule, units, reason)
    return created


def notice(obligation: Obligation, entry: CatalogueEntry) -> dict[str, Any]:
    return {"obligation_id": obligation.id, "unit_code": obligation.unit_code, "entry_code": obligation.entry_code,
            "matter": f"{entry.matter}：{entry.sub_matter}", "period": obligation.period,
            "due_on": obligation.due_on, "provisional": is_provisional(obligation.due_on)}


def waived(obligation: Obligation, entry: CatalogueEntry) -> dict[str, Any]:
    return {**notice(obligation, entry), "year": obligation.year, "waived_by": obligation.waived_by,
            "reason": obligation.waived_reason}


def subtree_codes(session: Session, code: str) -> list[str]:
    """The unit and every unit below it in the copy of the tree."""
    found, level = [code], [code]
    while level:
        level = [c for c in session.scalars(sa.select(UnitCopy.code).where(UnitCopy.parent_code.in_(level)))
                 if c not in found]
        found.extend(level)
    return found
