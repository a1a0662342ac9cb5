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

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common.actor import Actor
from services.common.contract import names
from services.common.db import UnitOfWork
from services.common.errors import Conflict, Forbidden, InvalidInput, NotFound, validated
from services.common.records import utcnow
from services.common.shapes.disclosure import NewEvent, ObligationFilters
from services.common.workdays import county_date, county_today, is_provisional

from . import periods
from .actors import COUNTY_ROLES, require_role, require_unit
from .models import CatalogueEntry, Item, Obligation, UnitCopy
from .schemas import ObligationView
from .scheduling import OPEN, notice, subtree_codes, waived

UNIT_READERS = ("operator", "reviewer", "member")  # see their own unit's obligations only
_VIEW = ObligationView()


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
    uow.emit(names.OBLIGATION_FULFILLED, {**notice(obligation, entry), "year": obligation.year, "item_id": item.id,
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


def record_event(uow: UnitOfWork, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """A unit's operator records an event (随时公开: disclose within N working days of it) or a
    decision to be taken (预公开: event_on is the decision day; disclose display_days before).
    One obligation follows, numbered E1, E2, ... per unit and matter."""
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
                            counted_from=data["event_on"] if entry.frequency == "on_event" else None,
                            status="open", sector=unit.sector, town_code=unit.town_code,
                            event_on=data["event_on"], event_note=data["note"], created_at=utcnow())
    session.add(obligation)
    session.flush()
    uow.emit(names.OBLIGATIONS_SCHEDULED, {
        "unit_code": unit.code, "year": obligation.year, "reason": "event_recorded", "count": 1,
        "first_due_on": due_on, "last_due_on": due_on, "provisional": is_provisional(due_on)})
    return _view(obligation, entry)


def waive(uow: UnitOfWork, actor: Actor, obligation_id: int, reason: str) -> dict[str, Any]:
    """The county office releases a unit from an open or overdue obligation, saying why."""
    require_role(actor, "inspector")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("a waiver needs a reason")
    obligation = _load(uow.session, obligation_id, lock=True)
    if obligation.status not in OPEN:
        raise Conflict(f"obligation {obligation_id} is {obligation.status}; only an open or overdue one "
                       f"can be waived")
    obligation.status, obligation.waived_by, obligation.waived_reason = "waived", actor.username, reason
    uow.session.flush()
    uow.emit(names.OBLIGATION_WAIVED, waived(obligation, uow.session.get(CatalogueEntry, obligation.entry_id)))
    return _view(obligation, uow.session.get(CatalogueEntry, obligation.entry_id))


# --- reading ---------------------------------------------------------------------------------------

def _view(obligation: Obligation, entry: CatalogueEntry | None) -> dict[str, Any]:
    data = {column: getattr(obligation, column) for column in _VIEW.fields if hasattr(obligation, column)}
    if entry is not None:
        data.update(matter=entry.matter, sub_matter=entry.sub_matter, frequency=entry.frequency)
    return _VIEW.dump(data)


def _visible_units(actor: Actor) -> str | None:
    """The one unit a unit's people may see, or None for the county office (every unit)."""
    if actor.role in COUNTY_ROLES:
        return None
    if actor.role in UNIT_READERS and actor.unit:
        return actor.unit
    raise Forbidden(f"a {actor.role} may not read obligations")


def list_obligations(session: Session, actor: Actor, filters: dict[str, Any], limit: int = 50,
                     after: int | None = None) -> dict[str, Any]:
    """Obligations by id, a page at a time (`next` is the cursor for the following page). A
    unit's operator, reviewer or member sees their own unit's only."""
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


def get_obligation(session: Session, actor: Actor, obligation_id: int) -> dict[str, Any]:
    own = _visible_units(actor)
    obligation = _load(session, obligation_id)
    if own is not None and obligation.unit_code != own:
        raise Forbidden(f"obligation {obligation_id} belongs to unit {obligation.unit_code}, not yours ({own})")
    return _view(obligation, session.get(CatalogueEntry, obligation.entry_id))
