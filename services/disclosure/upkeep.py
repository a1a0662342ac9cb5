"""Keeping obligations in line with the units and the catalogue: a unit registered, moved, merged or dissolved, a catalogue entry revised or retired. History is never rewritten: what no longer applies is waived with the reason, and new obligations are added beside it."""
from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common.contract import names
from services.common.db import UnitOfWork
from services.common.workdays import county_today

from .models import CatalogueEntry, Obligation, UnitCopy
from .scheduling import (OPEN, UNITS_PER_BATCH, Schedule, UnitRow, active_units, add_missing, approval_day, batches,
                         subtree_codes, units_having, waived, year_plans)


# --- keeping obligations in line with the units and the catalogue --------------------------------


def _waive(uow: UnitOfWork, condition: Any, by: str, reason: str) -> int:
    """Waive the obligations matching `condition`, each with its ObligationWaived."""
    session = uow.session
    rows = session.execute(sa.select(Obligation, CatalogueEntry)
                           .join(CatalogueEntry, CatalogueEntry.id == Obligation.entry_id)
                           .where(condition).order_by(Obligation.id)).all()
    for obligation, entry in rows:
        obligation.status, obligation.waived_by, obligation.waived_reason = "waived", by, reason
        uow.emit(names.OBLIGATION_WAIVED, waived(obligation, entry))
    session.flush()
    return len(rows)


def _follow_tree(session: Session, codes: list[str]) -> None:
    """Open and overdue obligations count for the town and sector their unit has now, so
    progress follows a unit (and what is below it) when it moves."""
    town = sa.select(UnitCopy.town_code).where(UnitCopy.code == Obligation.unit_code).scalar_subquery()
    sector = sa.select(UnitCopy.sector).where(UnitCopy.code == Obligation.unit_code).scalar_subquery()
    stale = sa.exists().where(UnitCopy.code == Obligation.unit_code,
                              sa.or_(UnitCopy.sector != Obligation.sector,
                                     UnitCopy.town_code.is_distinct_from(Obligation.town_code)))
    for batch in batches(codes, 500):
        session.execute(sa.update(Obligation)
                        .where(Obligation.unit_code.in_(batch), Obligation.status.in_(OPEN), stale)
                        .values(town_code=town, sector=sector)
                        .execution_options(synchronize_session="fetch"))


def reconcile_unit(uow: UnitOfWork, unit_code: str, cause: str) -> None:
    """Bring a unit's obligations in line after its copy changed (cause: the unit event type).

    Merged or dissolved: what is still open or overdue is waived by "system". Active: it gets
    what it lacks for every year with an approved or active plan, for periods due today or
    later (a unit registered mid-year is not charged with past periods), and open obligations
    its sector no longer has are waived. A move carries the unit's and its descendants'
    open obligations to their new town."""
    session = uow.session
    unit = session.get(UnitCopy, unit_code)
    if unit is None:
        return
    if unit.status != "active":
        reason = f"unit merged into {unit.merged_into}" if unit.status == "merged" else "unit dissolved"
        _waive(uow, sa.and_(Obligation.unit_code == unit_code, Obligation.status.in_(OPEN)), "system", reason)
        return
    tree_may_change = cause in (names.UNIT_MOVED, names.UNIT_UPDATED, names.UNIT_REGISTERED)
    _follow_tree(session, subtree_codes(session, unit_code) if tree_may_change else [unit_code])
    today = county_today()
    reason = "unit_registered" if cause == names.UNIT_REGISTERED else "unit_changed"
    row = UnitRow(unit.code, unit.sector, unit.town_code)
    for plan in year_plans(session):
        no_longer = [ob_id for ob_id, sectors in session.execute(
            sa.select(Obligation.id, CatalogueEntry.sectors)
            .join(CatalogueEntry, CatalogueEntry.id == Obligation.entry_id)
            .where(Obligation.unit_code == unit_code, Obligation.year == plan.year, Obligation.status == "open"))
            if unit.sector not in (sectors or ())]
        if no_longer:
            _waive(uow, Obligation.id.in_(no_longer), "system", f"no longer applies to sector {unit.sector}")
        schedule = Schedule(session, plan.year, max(approval_day(plan), today))
        add_missing(uow, schedule, [row], reason, not_before=today)


def reschedule_entry(uow: UnitOfWork, entry_code: str, effective_on: date) -> None:
    """After a catalogue entry was revised or retired from `effective_on`: open obligations of
    that code due on or after it that the version now in force does not give are waived, and
    the periods that version governs are scheduled for every unit it applies to. Fulfilled,
    overdue and waived obligations stay as they were: no history is rewritten."""
    session = uow.session
    if isinstance(effective_on, str):
        effective_on = date.fromisoformat(effective_on)
    in_force = session.scalar(
        sa.select(sa.func.count()).select_from(CatalogueEntry)
        .where(CatalogueEntry.code == entry_code, CatalogueEntry.valid_from <= effective_on,
               sa.or_(CatalogueEntry.valid_to.is_(None), CatalogueEntry.valid_to >= effective_on)))
    why = f"catalogue entry {'revised' if in_force else 'retired'} from {effective_on}"
    units = active_units(session)
    for plan in year_plans(session):
        schedule = Schedule(session, plan.year, max(approval_day(plan), effective_on), code=entry_code)
        wanted: dict[str, set[tuple[int, str]]] = {}
        stale = []
        for ob_id, sector, entry_id, period in session.execute(
                sa.select(Obligation.id, Obligation.sector, Obligation.entry_id, Obligation.period)
                .where(Obligation.entry_code == entry_code, Obligation.year == plan.year,
                       Obligation.status == "open", Obligation.due_on >= effective_on,
                       sa.not_(Obligation.period.like("E%")))):
            if sector not in wanted:
                wanted[sector] = {(due.entry_id, due.period) for due in schedule.for_sector(sector)}
            if (entry_id, period) not in wanted[sector]:
                stale.append(ob_id)
        for batch in batches(stale, 500):
            _waive(uow, Obligation.id.in_(batch), "system", why)
        having = units_having(session, schedule)
        for batch in batches(units, UNITS_PER_BATCH):
            add_missing(uow, schedule, batch, "catalogue_changed", not_before=effective_on, having=having)
