"""Obligations (公开任务): what each unit must disclose for each catalogue matter and period,
by when, and what became of it: open → fulfilled | overdue → fulfilled_late | waived.

They follow from the catalogue and the unit's sector once the year's plan (实施方案) is
approved, and are kept in line when units are registered, moved, merged or dissolved and
when a catalogue entry is revised or retired. History is never rewritten: what no longer
applies is waived with the reason, and new obligations are added beside it.

A county has thousands of units, so a year is scheduled in bulk: the (entry, period, due
date) list is computed once per sector, then rows are inserted many at a time.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common.contract import names
from services.common.db import UnitOfWork, insert_many
from services.common.errors import Conflict, Forbidden, InvalidInput, NotFound, validated
from services.common.records import utcnow
from services.common.shapes.disclosure import NewEvent, ObligationFilters
from services.common.workdays import county_date, county_today, is_provisional

from . import periods
from .actors import COUNTY_ROLES, actor_of, require_role, require_unit
from .models import CatalogueEntry, Item, Obligation, Plan, UnitCopy
from .schemas import ObligationView

OPEN = ("open", "overdue")  # still to be done
PLANNED = ("approved", "active")  # a plan under which obligations exist
UNIT_READERS = ("operator", "reviewer", "member")  # see their own unit's obligations only
UNITS_PER_BATCH = 250  # units whose obligations are inserted (and events emitted) together
DEADLINE_BATCH = 500  # rows claimed per timer tick and kind
WARNING_WORKING_DAYS = 3  # yellow: due within 3 working days
_VIEW = ObligationView()


# --- the schedule: which (entry version, period, due date) a sector has in a year ----------------

@dataclass(frozen=True)
class Due:
    entry_id: int
    entry_code: str
    period: str
    due_on: date


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
                        governed[period] = (entry, Due(entry.id, entry.code, period, due_on))
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


def _plans(session: Session, year: int | None = None) -> list[Plan]:
    query = sa.select(Plan).where(Plan.status.in_(PLANNED)).order_by(Plan.year)
    if year is not None:
        query = query.where(Plan.year == year)
    return list(session.scalars(query))


def _approval_day(plan: Plan) -> date:
    return county_date(plan.approved_at) if plan.approved_at else county_today()


def _add_missing(uow: UnitOfWork, schedule: Schedule, units: Sequence[UnitRow], reason: str,
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
                         "year": schedule.year, "period": due.period, "due_on": due.due_on, "status": "open",
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


def _batches(items: Sequence, size: int) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _active_units(session: Session) -> list[UnitRow]:
    return [UnitRow(*row) for row in session.execute(
        sa.select(UnitCopy.code, UnitCopy.sector, UnitCopy.town_code)
        .where(UnitCopy.status == "active").order_by(UnitCopy.code))]


def schedule_year(uow: UnitOfWork, year: int, *, reason: str = "plan_approved") -> int:
    """Every active unit's obligations for the year of an approved plan: each period of the
    year for each scheduled catalogue matter that applies to its sector (periods already past
    included: the plan covers the whole year). Idempotent: what exists is not made again.
    Returns the number of obligations created."""
    plans = _plans(uow.session, int(year))
    if not plans:
        raise Conflict(f"obligations for {year} follow from the year's plan once it is approved; "
                       f"there is no approved or active plan for {year}")
    schedule = Schedule(uow.session, plans[0].year, _approval_day(plans[0]))
    created = 0
    for units in _batches(_active_units(uow.session), UNITS_PER_BATCH):
        created += _add_missing(uow, schedule, units, reason)
    return created


# --- keeping obligations in line with the units and the catalogue --------------------------------

def subtree_codes(session: Session, code: str) -> list[str]:
    """The unit and every unit below it in the copy of the tree."""
    found, level = [code], [code]
    while level:
        level = [c for c in session.scalars(sa.select(UnitCopy.code).where(UnitCopy.parent_code.in_(level)))
                 if c not in found]
        found.extend(level)
    return found


def _waive(uow: UnitOfWork, condition: Any, by: str, reason: str) -> int:
    """Waive the obligations matching `condition`, each with its ObligationWaived."""
    session = uow.session
    rows = session.execute(sa.select(Obligation, CatalogueEntry)
                           .join(CatalogueEntry, CatalogueEntry.id == Obligation.entry_id)
                           .where(condition).order_by(Obligation.id)).all()
    for obligation, entry in rows:
        obligation.status, obligation.waived_by, obligation.waived_reason = "waived", by, reason
        uow.emit(names.OBLIGATION_WAIVED, _waived(obligation, entry))
    session.flush()
    return len(rows)


def _waived(obligation: Obligation, entry: CatalogueEntry) -> dict[str, Any]:
    return {**_notice(obligation, entry), "year": obligation.year, "waived_by": obligation.waived_by,
            "reason": obligation.waived_reason}


def _follow_tree(session: Session, codes: list[str]) -> None:
    """Open and overdue obligations count for the town and sector their unit has now, so
    progress follows a unit (and what is below it) when it moves."""
    town = sa.select(UnitCopy.town_code).where(UnitCopy.code == Obligation.unit_code).scalar_subquery()
    sector = sa.select(UnitCopy.sector).where(UnitCopy.code == Obligation.unit_code).scalar_subquery()
    stale = sa.exists().where(UnitCopy.code == Obligation.unit_code,
                              sa.or_(UnitCopy.sector != Obligation.sector,
                                     UnitCopy.town_code.is_distinct_from(Obligation.town_code)))
    for batch in _batches(codes, 500):
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
    for plan in _plans(session):
        no_longer = [ob_id for ob_id, sectors in session.execute(
            sa.select(Obligation.id, CatalogueEntry.sectors)
            .join(CatalogueEntry, CatalogueEntry.id == Obligation.entry_id)
            .where(Obligation.unit_code == unit_code, Obligation.year == plan.year, Obligation.status == "open"))
            if unit.sector not in (sectors or ())]
        if no_longer:
            _waive(uow, Obligation.id.in_(no_longer), "system", f"no longer applies to sector {unit.sector}")
        schedule = Schedule(session, plan.year, max(_approval_day(plan), today))
        _add_missing(uow, schedule, [row], reason, not_before=today)


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
    units = _active_units(session)
    for plan in _plans(session):
        schedule = Schedule(session, plan.year, max(_approval_day(plan), effective_on), code=entry_code)
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
        for batch in _batches(stale, 500):
            _waive(uow, Obligation.id.in_(batch), "system", why)
        for batch in _batches(units, UNITS_PER_BATCH):
            _add_missing(uow, schedule, batch, "catalogue_changed", not_before=effective_on)


# --- fulfilment, events, waivers -----------------------------------------------------------------

def _load(session: Session, obligation_id: int, lock: bool = False) -> Obligation:
    obligation = session.get(Obligation, int(obligation_id), with_for_update=lock or None)
    if obligation is None:
        raise NotFound(f"there is no obligation {obligation_id}")
    return obligation


def check_fulfillable(session: Session, obligation_id: int, unit_code: str) -> Obligation:
    """The obligation an item names: it must exist, be the item's unit's, and still be due."""
    obligation = session.get(Obligation, int(obligation_id))
    if obligation is None:
        raise InvalidInput(f"the item names obligation {obligation_id}, which does not exist")
    if obligation.unit_code != unit_code:
        raise InvalidInput(f"obligation {obligation_id} belongs to unit {obligation.unit_code}, not {unit_code}")
    if obligation.status not in OPEN:
        raise Conflict(f"obligation {obligation_id} is {obligation.status}; only an open or overdue one can "
                       f"be fulfilled")
    return obligation


def fulfil(uow: UnitOfWork, obligation_id: int, item: Item) -> None:
    """Publication of `item` fulfils the obligation: on time when published (county date) on or
    before the due date, late otherwise (an overdue one always late)."""
    obligation = _load(uow.session, obligation_id, lock=True)
    if obligation.status not in OPEN:
        raise Conflict(f"obligation {obligation_id} is already {obligation.status}")
    if item.published_at is None:
        raise Conflict(f"item {item.id} is not published, so it fulfils nothing yet")
    if item.id is None:
        uow.session.flush()
    published_on = county_date(item.published_at)
    on_time = obligation.status == "open" and published_on <= obligation.due_on
    obligation.status = "fulfilled" if on_time else "fulfilled_late"
    obligation.item_id, obligation.fulfilled_at = item.id, item.published_at
    entry = uow.session.get(CatalogueEntry, obligation.entry_id)
    uow.emit(names.OBLIGATION_FULFILLED, {**_notice(obligation, entry), "year": obligation.year, "item_id": item.id,
                                          "fulfilled_at": item.published_at, "on_time": on_time})


def display_days_of(session: Session, obligation_id: int) -> int | None:
    """A prior disclosure's minimum display period in days (预公开); None for other matters."""
    entry = session.scalar(sa.select(CatalogueEntry).join(Obligation, Obligation.entry_id == CatalogueEntry.id)
                           .where(Obligation.id == int(obligation_id)))
    return entry.display_days if entry is not None and entry.frequency == "prior" else None


def _entry_in_force(session: Session, code: str, on: date) -> CatalogueEntry | None:
    return session.scalar(sa.select(CatalogueEntry)
                          .where(CatalogueEntry.code == code, CatalogueEntry.valid_from <= on,
                                 sa.or_(CatalogueEntry.valid_to.is_(None), CatalogueEntry.valid_to >= on))
                          .order_by(CatalogueEntry.version.desc()).limit(1))


def record_event(uow: UnitOfWork, actor: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """A unit's operator records an event (随时公开: disclose within N working days of it) or a
    decision to be taken (预公开: event_on is the decision day; disclose display_days before).
    One obligation follows, numbered E1, E2, ... per unit and matter."""
    actor = actor_of(actor)
    require_role(actor, "operator")
    data = validated(NewEvent(), data, "the event")
    require_unit(actor, data["unit_code"])
    session = uow.session
    unit = session.get(UnitCopy, data["unit_code"])
    if unit is None:
        raise NotFound(f"there is no unit {data['unit_code']}")
    if unit.status != "active":
        raise Conflict(f"unit {unit.code} is {unit.status}; it has no new obligations")
    entry = _entry_in_force(session, data["entry_code"], data["event_on"])
    if entry is None:
        raise InvalidInput(f"catalogue entry {data['entry_code']} is not in force on {data['event_on']}")
    if entry.frequency not in periods.EVENT_DRIVEN:
        raise InvalidInput(f"catalogue entry {entry.code} is {entry.frequency}: it is scheduled with the "
                           f"year's plan; only on_event and prior matters are recorded as events")
    if unit.sector not in (entry.sectors or ()):
        raise InvalidInput(f"catalogue entry {entry.code} does not apply to the {unit.sector} sector")
    due_on = periods.event_due(entry, data["event_on"], county_today())
    numbers = [int(p[1:]) for p in session.scalars(
        sa.select(Obligation.period).where(Obligation.unit_code == unit.code, Obligation.entry_code == entry.code,
                                           Obligation.period.like("E%"))) if p[1:].isdigit()]
    obligation = Obligation(unit_code=unit.code, entry_id=entry.id, entry_code=entry.code,
                            year=data["event_on"].year, period=f"E{max(numbers, default=0) + 1}", due_on=due_on,
                            status="open", sector=unit.sector, town_code=unit.town_code,
                            event_on=data["event_on"], event_note=data["note"], created_at=utcnow())
    session.add(obligation)
    session.flush()
    uow.emit(names.OBLIGATIONS_SCHEDULED, {
        "unit_code": unit.code, "year": obligation.year, "reason": "event_recorded", "count": 1,
        "first_due_on": due_on, "last_due_on": due_on, "provisional": is_provisional(due_on)})
    return _view(obligation, entry)


def waive(uow: UnitOfWork, actor: dict[str, Any], obligation_id: int, reason: str) -> dict[str, Any]:
    """The county office releases a unit from an open or overdue obligation, saying why."""
    actor = actor_of(actor)
    require_role(actor, "inspector")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("a waiver needs a reason")
    obligation = _load(uow.session, obligation_id, lock=True)
    if obligation.status not in OPEN:
        raise Conflict(f"obligation {obligation_id} is {obligation.status}; only an open or overdue one "
                       f"can be waived")
    obligation.status, obligation.waived_by, obligation.waived_reason = "waived", actor["username"], reason
    uow.session.flush()
    uow.emit(names.OBLIGATION_WAIVED, _waived(obligation, uow.session.get(CatalogueEntry, obligation.entry_id)))
    return _view(obligation, uow.session.get(CatalogueEntry, obligation.entry_id))


# --- reading ---------------------------------------------------------------------------------------

def _view(obligation: Obligation, entry: CatalogueEntry | None) -> dict[str, Any]:
    data = {column: getattr(obligation, column) for column in _VIEW.fields if hasattr(obligation, column)}
    if entry is not None:
        data.update(matter=entry.matter, sub_matter=entry.sub_matter, frequency=entry.frequency)
    return _VIEW.dump(data)


def _visible_units(actor: dict[str, Any]) -> str | None:
    """The one unit a unit's people may see, or None for the county office (every unit)."""
    if actor["role"] in COUNTY_ROLES:
        return None
    if actor["role"] in UNIT_READERS and actor.get("unit"):
        return actor["unit"]
    raise Forbidden(f"a {actor['role']} may not read obligations")


def list_obligations(session: Session, actor: dict[str, Any], filters: dict[str, Any], limit: int = 50,
                     after: int | None = None) -> dict[str, Any]:
    """Obligations by id, a page at a time (`next` is the cursor for the following page). A
    unit's operator, reviewer or member sees their own unit's only."""
    actor = actor_of(actor)
    filters = validated(ObligationFilters(), {k: v for k, v in (filters or {}).items() if v not in (None, "")},
                        "the filter")
    own = _visible_units(actor)
    if own is not None:
        for key in ("unit", "subtree"):
            if filters.get(key, own) != own:
                raise Forbidden(f"you may see the obligations of unit {own} only, not {filters[key]}")
        filters["unit"] = own
        filters.pop("subtree", None)
    query = sa.select(Obligation, CatalogueEntry).join(CatalogueEntry, CatalogueEntry.id == Obligation.entry_id)
    if "unit" in filters:
        query = query.where(Obligation.unit_code == filters["unit"])
    if "subtree" in filters:
        query = query.where(Obligation.unit_code.in_(subtree_codes(session, filters["subtree"])))
    for key, column in (("town", Obligation.town_code), ("status", Obligation.status),
                        ("period", Obligation.period), ("sector", Obligation.sector), ("year", Obligation.year),
                        ("entry", Obligation.entry_code)):
        if key in filters:
            query = query.where(column == filters[key])
    if "due_month" in filters:
        first = date.fromisoformat(f"{filters['due_month']}-01")
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        query = query.where(Obligation.due_on >= first, Obligation.due_on < following)
    if after is not None:
        query = query.where(Obligation.id > int(after))
    limit = max(1, int(limit))
    rows = session.execute(query.order_by(Obligation.id).limit(limit + 1)).all()
    items = [_view(obligation, entry) for obligation, entry in rows[:limit]]
    return {"items": items, "next": items[-1]["id"] if len(rows) > limit else None}


def get_obligation(session: Session, actor: dict[str, Any], obligation_id: int) -> dict[str, Any]:
    actor = actor_of(actor)
    own = _visible_units(actor)
    obligation = _load(session, obligation_id)
    if own is not None and obligation.unit_code != own:
        raise Forbidden(f"obligation {obligation_id} belongs to unit {obligation.unit_code}, not yours ({own})")
    return _view(obligation, session.get(CatalogueEntry, obligation.entry_id))


# --- deadlines (the timer) ------------------------------------------------------------------------

def _notice(obligation: Obligation, entry: CatalogueEntry) -> dict[str, Any]:
    return {"obligation_id": obligation.id, "unit_code": obligation.unit_code, "entry_code": obligation.entry_code,
            "matter": f"{entry.matter}：{entry.sub_matter}", "period": obligation.period,
            "due_on": obligation.due_on, "provisional": is_provisional(obligation.due_on)}


def _claim(uow: UnitOfWork, event_type: str, candidates: Any, claim: Any, values: dict[str, Any]) -> int:
    """Claim each candidate row with a conditional UPDATE and emit only for rows this caller
    changed (rowcount 1): another replica running the same query at the same time either
    waits for our commit and then matches nothing, or got there first."""
    session = uow.session
    ids = list(session.scalars(sa.select(Obligation.id).where(candidates).order_by(Obligation.id)
                               .limit(DEADLINE_BATCH)))
    claimed = []
    for obligation_id in ids:
        result = session.execute(sa.update(Obligation).where(Obligation.id == obligation_id, claim)
                                 .values(**values).execution_options(synchronize_session=False))
        if result.rowcount == 1:
            claimed.append(obligation_id)
    for batch in _batches(claimed, 500):
        for obligation, entry in session.execute(
                sa.select(Obligation, CatalogueEntry).join(CatalogueEntry, CatalogueEntry.id == Obligation.entry_id)
                .where(Obligation.id.in_(batch)).order_by(Obligation.id)
                .execution_options(populate_existing=True)):
            uow.emit(event_type, _notice(obligation, entry))
    uow.commit()
    return len(claimed)


def check_deadlines(uow: UnitOfWork) -> dict[str, int]:
    """Red (ObligationOverdue: past its due date, now `overdue`) and yellow (ObligationDueSoon:
    due within 3 working days) once per obligation, at most DEADLINE_BATCH of each per call.

    This runs from a timer, which has no commit of its own, so it COMMITS (uow.commit()) after
    each batch: the claims and their outbox events become durable together."""
    today = county_today()
    horizon = periods.working_days_after(today, WARNING_WORKING_DAYS)
    now = utcnow()
    overdue = _claim(uow, names.OBLIGATION_OVERDUE,
                     sa.and_(Obligation.status == "open", Obligation.due_on < today),
                     sa.and_(Obligation.status == "open", Obligation.due_on < today),
                     {"status": "overdue", "overdue_at": now})
    due_soon_rows = sa.and_(Obligation.status == "open", Obligation.warned_at.is_(None),
                            Obligation.due_on >= today, Obligation.due_on <= horizon)
    due_soon = _claim(uow, names.OBLIGATION_DUE_SOON, due_soon_rows, due_soon_rows, {"warned_at": now})
    return {"overdue": overdue, "due_soon": due_soon}
