"""A year's obligations made in bulk (scheduling.add_missing: the database joins the units with
the schedule; the events go to the outbox together) are the rows, deadlines and events the
rule made one row and one event at a time: checked against that rule, kept here as the
reference, for a catalogue with every kind of matter, a revised and a retired entry, units
with and without obligations already, and a unit registered mid-year."""
from collections import defaultdict
from datetime import date

import sqlalchemy as sa

from services.common.workdays import is_provisional
from services.disclosure import scheduling, units_copy
from services.disclosure.models import Obligation
from tests.disclosure.test_obligations import (  # noqa: F401 (fixtures)
    NOON,
    emitted,
    entry,
    today,
    unit_state,
    uow,
)

COLUMNS = ("unit_code", "entry_id", "entry_code", "year", "period", "due_on", "counted_from", "status", "sector",
           "town_code")


def reference(session, schedule, units, reason, not_before=None):
    """The rule as it was written row by row: the rows each unit lacks and one event per unit."""
    by_id, by_code = defaultdict(set), defaultdict(set)
    for unit_code, entry_id, entry_code, period, status in session.execute(
            sa.select(Obligation.unit_code, Obligation.entry_id, Obligation.entry_code, Obligation.period,
                      Obligation.status).where(Obligation.year == schedule.year)):
        by_id[unit_code].add((entry_id, period))
        if status != "waived":
            by_code[unit_code].add((entry_code, period))
    rows, events = [], []
    for unit in units:
        mine = [due for due in schedule.for_sector(unit.sector)
                if (not_before is None or due.due_on >= not_before)
                and (due.entry_id, due.period) not in by_id[unit.code]
                and (due.entry_code, due.period) not in by_code[unit.code]]
        rows += [(unit.code, d.entry_id, d.entry_code, schedule.year, d.period, d.due_on, d.counted_from, "open",
                  unit.sector, unit.town_code) for d in mine]
        if mine:
            first, last = min(d.due_on for d in mine), max(d.due_on for d in mine)
            events.append({"unit_code": unit.code, "year": schedule.year, "reason": reason, "count": len(mine),
                           "first_due_on": first.isoformat(), "last_due_on": last.isoformat(),
                           "provisional": is_provisional(first, last)})
    return rows, events


def made(session, after_id=0):
    return [tuple(r) for r in session.execute(sa.select(*(getattr(Obligation, c) for c in COLUMNS))
                                              .where(Obligation.id > after_id).order_by(Obligation.id))]


def test_bulk_scheduling_makes_the_rows_and_events_of_the_row_by_row_rule(uow):  # noqa: F811
    session = uow.session
    session.add_all([  # a revision from July, a matter retired at the end of May, one for every sector
        entry("G01", "quarterly", ["village", "town"], version=2, valid_from=date(2026, 7, 1), grace=5),
        entry("R01", "monthly", ["village", "agency"], valid_to=date(2026, 5, 31), grace=3),
        entry("Z01", "yearly", ["agency", "town", "village", "school"], grace=20),
        entry("Z02", "long_term", ["agency"], within=0)])
    units_copy.apply_unit_state(session, unit_state("S001", "县一中", "school", "C000"))
    session.flush()
    plan_schedule = scheduling.Schedule(session, 2026, scheduling.approval_day(scheduling.year_plans(session, 2026)[0]))
    f01 = next(d for d in plan_schedule.for_sector("village") if d.entry_code == "F01" and d.period == "2026-01")
    g01 = next(d for d in plan_schedule.for_sector("village") if d.entry_code == "G01" and d.period == "2026-Q1")
    for due, status in ((f01, "waived"), (g01, "open")):  # one village has two of the year's already
        session.add(Obligation(unit_code="T01V001", entry_id=due.entry_id, entry_code=due.entry_code, year=2026,
                               period=due.period, due_on=due.due_on, status=status, sector="village",
                               town_code="T01", created_at=NOON))
    uow.commit()
    before = session.scalar(sa.select(sa.func.max(Obligation.id)))
    units = scheduling.active_units(session)
    expected_rows, expected_events = reference(session, plan_schedule, units, "plan_approved")
    assert {code for code in {r[2] for r in expected_rows}} == {"F01", "G01", "H01", "Y01", "L01", "R01", "Z01", "Z02"}
    assert scheduling.schedule_year(uow, 2026) == len(expected_rows)
    uow.commit()
    rows = made(session, before)
    assert sorted(rows, key=repr) == sorted(expected_rows, key=repr)
    fresh = [r for r in rows if r[0] != "T01V001"]  # made by the database: unit by unit, in schedule order
    assert fresh == [r for r in expected_rows if r[0] != "T01V001"]
    assert emitted(uow, "ObligationsScheduled") == expected_events
    assert scheduling.schedule_year(uow, 2026) == 0  # idempotent
    uow.commit()
    # a unit registered mid-year: only what is still ahead, from its registration's schedule
    units_copy.apply_unit_state(session, unit_state("T02V009", "新村", "village", "T02"))
    session.flush()
    before = session.scalar(sa.select(sa.func.max(Obligation.id)))
    newcomer = [u for u in scheduling.active_units(session) if u.code == "T02V009"]
    later = scheduling.Schedule(session, 2026, date(2026, 6, 15))
    expected_rows, expected_events = reference(session, later, newcomer, "unit_registered", date(2026, 6, 15))
    count_before = len(emitted(uow, "ObligationsScheduled"))
    assert scheduling.add_missing(uow, later, newcomer, "unit_registered", not_before=date(2026, 6, 15)) \
        == len(expected_rows) > 0
    uow.commit()
    assert made(session, before) == expected_rows
    assert emitted(uow, "ObligationsScheduled")[count_before:] == expected_events
