"""Scheduling a year's obligations: which (entry version, period, due date) each sector has in a year, computed once per sector from the catalogue, then rows inserted for many units at a time."""
from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Collection, Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common import workdays
from services.common.contract import names
from services.common.db import UnitOfWork, insert_many, rows_table
from services.common.errors import Conflict
from services.common.records import UTCDateTime, utcnow
from services.common.workdays import county_date, county_today, is_provisional

from . import periods
from .models import CatalogueEntry, Obligation, Plan, UnitCopy

log = logging.getLogger(__name__)

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
        self._from: dict[tuple[str, date | None], list[Due]] = {}
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

    def dues_of(self, sector: str, not_before: date | None = None) -> list[Due]:
        """The sector's dues in schedule order, those due on or after not_before when given."""
        key = (sector, not_before)
        if key not in self._from:
            self._from[key] = [d for d in self.for_sector(sector) if not_before is None or d.due_on >= not_before]
        return self._from[key]

    def span_of(self, sector: str, not_before: date | None = None) -> tuple[date, date, int] | None:
        """(first due date, last due date, how many) of dues_of(), None when there are none."""
        dues = [d.due_on for d in self.dues_of(sector, not_before)]
        return (min(dues), max(dues), len(dues)) if dues else None

    def sectors(self) -> set[str]:
        return {sector for entry, _ in self._dues for sector in (entry.sectors or ())}


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


def units_having(session: Session, schedule: Schedule) -> set[str]:
    """The units with any of the schedule's year's obligations (of its entry code when it has one)."""
    query = sa.select(Obligation.unit_code).where(Obligation.year == schedule.year).distinct()
    if schedule.code is not None:
        query = query.where(Obligation.entry_code == schedule.code)
    return set(session.scalars(query))


def add_missing(uow: UnitOfWork, schedule: Schedule, units: Sequence[UnitRow], reason: str,
                not_before: date | None = None, having: Collection[str] | None = None) -> int:
    """Insert the obligations these units lack for the schedule's year (those due on or after
    `not_before` when given) and emit one ObligationsScheduled per unit that got any. An
    obligation already there in any status (a waived one included) is not made again.
    `having`: the units_having() of the schedule when the caller knows it (no others are looked
    up: asked per batch while the year's rows are being made, the database scans them all).

    A unit with none of the year's obligations yet (every unit, when a plan is approved) gets
    its sector's whole schedule, made by the database from the schedule's rows in one
    INSERT ... SELECT for all such units; the others have theirs worked out here."""
    session = uow.session
    codes = [unit.code for unit in units if having is None or unit.code in having]
    by_id: dict[str, set[tuple[int, str]]] = defaultdict(set)
    by_code: dict[str, set[tuple[str, str]]] = defaultdict(set)
    existing = (sa.select(Obligation.unit_code, Obligation.entry_id, Obligation.entry_code, Obligation.period,
                          Obligation.status)
                .where(Obligation.year == schedule.year, Obligation.unit_code.in_(codes)))
    if schedule.code is not None:
        existing = existing.where(Obligation.entry_code == schedule.code)
    found = session.execute(existing) if codes else ()  # else none of these units has any yet
    for unit_code, entry_id, entry_code, period, status in found:
        by_id[unit_code].add((entry_id, period))
        if status != "waived":
            by_code[unit_code].add((entry_code, period))
    now = utcnow()
    rows: list[dict[str, Any]] = []
    fresh: list[UnitRow] = []
    scheduled: dict[str, list[date]] = {}
    for unit in units:
        if unit.code not in by_id:
            span = schedule.span_of(unit.sector, not_before)
            if span is not None:
                fresh.append(unit)
                scheduled[unit.code] = list(span)
            continue
        taken_ids, taken_codes = by_id[unit.code], by_code.get(unit.code, ())
        for due in schedule.dues_of(unit.sector, not_before):
            if (due.entry_id, due.period) in taken_ids or (due.entry_code, due.period) in taken_codes:
                continue
            rows.append({"unit_code": unit.code, "entry_id": due.entry_id, "entry_code": due.entry_code,
                         "year": schedule.year, "period": due.period, "due_on": due.due_on,
                         "counted_from": due.counted_from, "status": "open",
                         "sector": unit.sector, "town_code": unit.town_code, "created_at": now})
    if fresh:
        _insert_whole_schedules(session, schedule, fresh, not_before, now)
    if rows:
        insert_many(session, Obligation.__table__, rows)
    for row in rows:
        first, last, count = scheduled.setdefault(row["unit_code"], [row["due_on"], row["due_on"], 0])
        scheduled[row["unit_code"]] = [min(first, row["due_on"]), max(last, row["due_on"]), count + 1]
    payloads = []
    for unit in units:  # in the order the units came, as one emit per unit would
        if unit.code in scheduled:
            first, last, count = scheduled[unit.code]
            payloads.append({"unit_code": unit.code, "year": schedule.year, "reason": reason, "count": count,
                             "first_due_on": first, "last_due_on": last,
                             "provisional": _provisional(first, last, workdays.generation())})
    uow.emit_many(names.OBLIGATIONS_SCHEDULED, payloads)
    return sum(count for _, _, count in scheduled.values())


@lru_cache(maxsize=1024)
def _provisional(first: date, last: date, generation: int) -> bool:
    return is_provisional(first, last)


def _insert_whole_schedules(session: Session, schedule: Schedule, units: list[UnitRow], not_before: date | None,
                            now: Any) -> None:
    """Each of these units' sector's dues (from not_before), in the units' and the schedule's order."""
    session.flush()  # the rows may refer to objects added in this transaction
    postgresql = session.get_bind().dialect.name == "postgresql"
    typed = sa.cast if postgresql else sa.type_coerce  # the target's types (VALUES of NULLs are text)
    dues = rows_table(session, "dues", (
        sa.column("sector", sa.String), sa.column("n", sa.Integer), sa.column("entry_id", sa.Integer),
        sa.column("entry_code", sa.String), sa.column("period", sa.String), sa.column("due_on", sa.Date),
        sa.column("counted_from", sa.Date)),
        [(sector, n, d.entry_id, d.entry_code, d.period, d.due_on, d.counted_from)
         for sector in sorted({unit.sector for unit in units})
         for n, d in enumerate(schedule.dues_of(sector, not_before))])
    u = rows_table(session, "units", (sa.column("n", sa.Integer), sa.column("code", sa.String),
                                      sa.column("sector", sa.String), sa.column("town_code", sa.String)),
                   [(n, unit.code, unit.sector, unit.town_code) for n, unit in enumerate(units)])
    query = (sa.select(typed(u.c.code, sa.String(32)), typed(dues.c.entry_id, sa.Integer),
                       typed(dues.c.entry_code, sa.String(32)), sa.literal(schedule.year, sa.Integer),
                       typed(dues.c.period, sa.String(32)), typed(dues.c.due_on, sa.Date),
                       typed(dues.c.counted_from, sa.Date), sa.literal("open", sa.String(16)),
                       typed(u.c.sector, sa.String(16)), typed(u.c.town_code, sa.String(32)),
                       sa.literal(now, UTCDateTime()))
             .select_from(u.join(dues, dues.c.sector == u.c.sector)).order_by(u.c.n, dues.c.n))
    session.execute(Obligation.__table__.insert().from_select(
        ["unit_code", "entry_id", "entry_code", "year", "period", "due_on", "counted_from", "status", "sector",
         "town_code", "created_at"], query))


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
    units, having = active_units(uow.session), units_having(uow.session, schedule)
    created, done, started = 0, 0, time.monotonic()
    for batch in batches(units, UNITS_PER_BATCH):
        created += add_missing(uow, schedule, batch, reason, having=having)
        done += len(batch)
        log.info("obligations for %s (%s): %d of %d units, %d obligations made, %.1f s", year, reason, done,
                 len(units), created, time.monotonic() - started)
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
