"""Obligations (公开任务): due dates on the working-day calendar, scheduling per sector, keeping
them in line with the units and the catalogue, fulfilment, waivers, deadlines; no broker."""
import json
import threading
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from services.common import workdays
from services.common.actor import Actor
from services.common.contract import from_message
from services.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.common.records import OutboxRecord
from services.disclosure import deadlines, obligations, periods, scheduling, units_copy, upkeep
from services.disclosure.models import CatalogueEntry, Item, Obligation, Plan

INSPECTOR = Actor("office", "inspector", None)
OPERATOR = Actor("op-t01v001", "operator", "T01V001")
UNITS = [("C000", "县委", "agency", None), ("A001", "县委办", "agency", "C000"), ("T01", "东山镇", "town", "C000"),
         ("T01V001", "东山村", "village", "T01"), ("T01V002", "西山村", "village", "T01"),
         ("T02", "西溪镇", "town", "C000"), ("T02V001", "溪口村", "village", "T02")]
NOON = datetime(2026, 1, 5, 4, tzinfo=timezone.utc)


def unit_state(code, name, sector, parent, revision=1, status="active", merged_into=None):
    return {"code": code, "name": name, "sector": sector, "parent_code": parent, "revision": revision,
            "status": status, "merged_into": merged_into}


def entry(code, frequency, sectors, version=1, valid_from=date(2026, 1, 1), valid_to=None, **days):
    return CatalogueEntry(code=code, version=version, matter="财务公开", sub_matter=f"{code} 事项",
                          content_elements="收支明细", basis="村民委员会组织法", time_limit="按月",
                          audience="society", carriers=["公开栏"], sectors=list(sectors), frequency=frequency,
                          grace_days=days.get("grace"), within_days=days.get("within"),
                          display_days=days.get("display"), valid_from=valid_from, valid_to=valid_to,
                          changed_by="office", changed_at=NOON)


CATALOGUE = [entry("F01", "monthly", ["village"], grace=5),        # 12 a year
             entry("G01", "quarterly", ["village", "town"], grace=10),  # 4
             entry("H01", "half_yearly", ["agency"], grace=10),     # 2
             entry("Y01", "yearly", ["village", "agency", "town"], grace=15),  # 1
             entry("L01", "long_term", ["village", "town"], within=10),  # 1
             entry("E01", "on_event", ["village"], within=5),
             entry("P01", "prior", ["village"], display=15)]


@pytest.fixture
def today(monkeypatch):
    """The county's date as the rules see it (default: early March 2026)."""
    state = {"today": date(2026, 3, 2)}
    for module in (obligations, scheduling, upkeep, deadlines):  # each reads the date it schedules from
        monkeypatch.setattr(module, "county_today", lambda: state["today"])
    return state


@pytest.fixture
def uow(uow_factory, today):
    uow = uow_factory("disclosure")
    for code, name, sector, parent in UNITS:
        units_copy.apply_unit_state(uow.session, unit_state(code, name, sector, parent))
    uow.session.add_all(CATALOGUE_COPY())
    uow.session.add(Plan(year=2026, title="2026年党务公开实施方案", goals=[], milestones=[], carriers=[], forms=[],
                         status="approved", consultation_days=7, created_by="office", created_at=NOON,
                         approved_at=NOON))
    uow.commit()
    return uow


def CATALOGUE_COPY():
    return [entry(e.code, e.frequency, e.sectors, grace=e.grace_days, within=e.within_days, display=e.display_days)
            for e in CATALOGUE]


def emitted(uow, event_type=None):
    query = sa.select(OutboxRecord.type, OutboxRecord.body).order_by(OutboxRecord.id)
    rows = [(t, json.loads(body)["payload"]) for t, body in uow.session.execute(query)]
    return [p for t, p in rows if t == event_type] if event_type else [t for t, _ in rows]


def count(uow, **where):
    query = sa.select(sa.func.count()).select_from(Obligation)
    for key, value in where.items():
        query = query.where(getattr(Obligation, key) == value)
    return uow.session.scalar(query)


def get(uow, unit, code, period):
    return uow.session.scalars(sa.select(Obligation).where(Obligation.unit_code == unit, Obligation.entry_code == code,
                                                           Obligation.period == period)
                               .order_by(Obligation.id.desc())).first()


def change_unit(uow, code, revision, cause, **changes):
    current = {c: (n, s, p) for c, n, s, p in UNITS}[code]
    state = {**unit_state(code, *current, revision=revision), **changes}
    assert units_copy.apply_unit_state(uow.session, state)
    upkeep.reconcile_unit(uow, code, cause)
    uow.commit()


# --- periods and due dates -------------------------------------------------------------------------

def test_periods_and_their_last_days():
    assert periods.periods_of("monthly", 2026)[8] == "2026-09"
    assert periods.periods_of("quarterly", 2026) == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert periods.periods_of("half_yearly", 2026) == ["2026-H1", "2026-H2"]
    assert periods.periods_of("yearly", 2026) == periods.periods_of("long_term", 2026) == ["2026"]
    assert [periods.period_end(p) for p in ("2026-02", "2026-12", "2026-Q3", "2026-H1", "2026")] == [
        date(2026, 2, 28), date(2026, 12, 31), date(2026, 9, 30), date(2026, 6, 30), date(2026, 12, 31)]
    with pytest.raises(InvalidInput, match="not a period"):
        periods.period_end("2026-13")


def test_due_dates_follow_the_working_day_calendar():
    finances = entry("F01", "monthly", ["village"], grace=5)
    # September's accounts with 5 working days' grace: after the National Day holiday (Oct 1-7)
    assert periods.periodic_due(finances, "2026-09") == date(2026, 10, 13)
    # a year nobody entered and chinesecalendar does not know falls back to its statutory holidays
    # (除夕 to 初三, 2-5 February 2030) and counts it
    before = workdays.CALENDAR_FALLBACKS.labels("2030")._value.get()
    assert periods.periodic_due(finances, "2030-01") == date(2030, 2, 11)
    assert workdays.CALENDAR_FALLBACKS.labels("2030")._value.get() >= before
    yearly = entry("Y01", "yearly", ["village"], grace=15)
    assert periods.periodic_due(yearly, "2026").year == 2027  # due in January, still a 2026 obligation
    on_event = entry("E01", "on_event", ["village"], within=5)
    assert periods.event_due(on_event, date(2026, 9, 30), date(2026, 9, 1)) == date(2026, 10, 13)
    prior = entry("P01", "prior", ["village"], display=15)
    assert periods.event_due(prior, date(2026, 5, 20), date(2026, 5, 1)) == date(2026, 5, 5)
    with pytest.raises(InvalidInput, match="too late"):
        periods.event_due(prior, date(2026, 5, 20), date(2026, 5, 10))


@pytest.mark.parametrize("rule, message", [
    (entry("X", "monthly", ["village"]), "grace_days"),
    (entry("X", "long_term", ["village"]), "within_days"),
    (entry("X", "prior", ["village"]), "display_days"),
    (entry("X", "fortnightly", ["village"], grace=5), "unknown"),
])
def test_a_rule_whose_due_date_cannot_be_computed_is_refused(rule, message):
    with pytest.raises(InvalidInput, match=message):
        periods.check_entry(rule)


# --- scheduling ---------------------------------------------------------------------------------------

def test_a_year_is_scheduled_per_sector_once(uow):
    created = scheduling.schedule_year(uow, 2026)
    uow.commit()
    village, town, agency = 12 + 4 + 1 + 1, 4 + 1 + 1, 2 + 1
    assert created == 3 * village + 2 * town + 2 * agency
    assert count(uow, unit_code="T01V001") == village and count(uow, unit_code="A001") == agency
    assert get(uow, "T01V001", "F01", "2026-09").due_on == date(2026, 10, 13)
    assert get(uow, "T01V001", "F01", "2026-09").town_code == "T01"
    assert get(uow, "A001", "H01", "2026-H1").town_code is None
    # long-term: within 10 working days of the plan's approval (2026-01-05)
    assert get(uow, "T01", "L01", "2026").due_on == workdays.add_working_days(date(2026, 1, 5), 10)
    events = emitted(uow, "ObligationsScheduled")
    assert len(events) == 7 and {e["reason"] for e in events} == {"plan_approved"}
    assert sum(e["count"] for e in events) == created
    for body in uow.session.scalars(sa.select(OutboxRecord.body)):  # every one honours the contract
        assert from_message(body).payload["count"] in (village, town, agency)
    # idempotent: scheduling again adds nothing and says nothing
    assert scheduling.schedule_year(uow, 2026) == 0
    uow.commit()
    assert len(emitted(uow)) == 7


def test_scheduling_needs_an_approved_plan(uow):
    with pytest.raises(Conflict, match="no approved or active plan for 2027"):
        scheduling.schedule_year(uow, 2027)


def test_a_broken_rule_stops_scheduling_with_a_clear_message(uow):
    uow.session.add(entry("BAD", "monthly", ["village"]))
    uow.commit()
    with pytest.raises(InvalidInput, match="BAD v1.*grace_days"):
        scheduling.schedule_year(uow, 2026)
    uow.rollback()
    assert count(uow) == 0


# --- units change ----------------------------------------------------------------------------------------

def test_a_unit_registered_mid_year_gets_only_what_is_still_ahead(uow, today):
    scheduling.schedule_year(uow, 2026)
    uow.commit()
    today["today"] = date(2026, 7, 1)
    assert units_copy.apply_unit_state(uow.session, unit_state("T01V003", "新村", "village", "T01"))
    upkeep.reconcile_unit(uow, "T01V003", "UnitRegistered")
    uow.commit()
    months = {o.period for o in uow.session.scalars(sa.select(Obligation).where(
        Obligation.unit_code == "T01V003", Obligation.entry_code == "F01"))}
    assert months == {f"2026-{m:02d}" for m in range(6, 13)}  # June's accounts are due in July
    assert all(o.due_on >= date(2026, 7, 1) for o in uow.session.scalars(
        sa.select(Obligation).where(Obligation.unit_code == "T01V003")))
    assert get(uow, "T01V003", "L01", "2026").due_on == workdays.add_working_days(date(2026, 7, 1), 10)
    last = emitted(uow, "ObligationsScheduled")[-1]
    assert last["unit_code"] == "T01V003" and last["reason"] == "unit_registered"
    # an event that changes nothing adds nothing and emits nothing
    before = len(emitted(uow))
    change_unit(uow, "T01V001", 2, "OfficialAssigned")
    assert len(emitted(uow)) == before


@pytest.mark.parametrize("status, merged_into, reason", [("merged", "T01V002", "unit merged into T01V002"),
                                                         ("dissolved", None, "unit dissolved")])
def test_a_merged_or_dissolved_unit_has_its_open_obligations_waived(uow, today, status, merged_into, reason):
    scheduling.schedule_year(uow, 2026)
    done = get(uow, "T01V001", "F01", "2026-01")
    done.status = "fulfilled"
    uow.commit()
    change_unit(uow, "T01V001", 2, "UnitMerged" if merged_into else "UnitDissolved",
                status=status, merged_into=merged_into)
    rows = list(uow.session.scalars(sa.select(Obligation).where(Obligation.unit_code == "T01V001")))
    assert {o.status for o in rows} == {"fulfilled", "waived"}
    assert {(o.waived_by, o.waived_reason) for o in rows if o.status == "waived"} == {("system", reason)}


def test_a_move_takes_the_unit_and_what_is_below_it_to_the_new_town(uow):
    scheduling.schedule_year(uow, 2026)
    get(uow, "T01V001", "F01", "2026-01").status = "fulfilled"
    uow.commit()
    change_unit(uow, "T01V001", 2, "UnitMoved", parent_code="T02")
    assert {o.town_code for o in uow.session.scalars(sa.select(Obligation).where(
        Obligation.unit_code == "T01V001", Obligation.status == "open"))} == {"T02"}
    assert get(uow, "T01V001", "F01", "2026-01").town_code == "T01"  # fulfilled history stays where it was
    # a town that becomes a community (社区) of another town takes its villages along
    change_unit(uow, "T02", 2, "UnitMoved", parent_code="T01", sector="village")
    assert count(uow, unit_code="T02V001", town_code="T01") == 18


def test_a_sector_change_waives_what_no_longer_applies_and_adds_what_does(uow, today):
    scheduling.schedule_year(uow, 2026)
    uow.commit()
    today["today"] = date(2026, 7, 1)
    change_unit(uow, "A001", 2, "UnitUpdated", sector="village")
    h01 = get(uow, "A001", "H01", "2026-H2")
    assert (h01.status, h01.waived_reason) == ("waived", "no longer applies to sector village")
    assert get(uow, "A001", "F01", "2026-12").sector == "village"
    assert get(uow, "A001", "F01", "2026-04") is None  # past periods are not charged
    assert get(uow, "A001", "Y01", "2026").status == "open"  # still applies
    assert emitted(uow, "ObligationsScheduled")[-1]["reason"] == "unit_changed"


def test_a_catalogue_revision_reschedules_without_rewriting_history(uow):
    scheduling.schedule_year(uow, 2026)
    for month in ("2026-05", "2026-06"):
        get(uow, "T01V001", "F01", month).status = "fulfilled"
    v1 = uow.session.scalar(sa.select(CatalogueEntry).where(CatalogueEntry.code == "F01"))
    v1.valid_to = date(2026, 6, 30)
    uow.session.add(entry("F01", "monthly", ["village"], version=2, valid_from=date(2026, 7, 1), grace=10))
    uow.session.flush()
    upkeep.reschedule_entry(uow, "F01", date(2026, 7, 1))
    uow.commit()
    v2 = uow.session.scalar(sa.select(CatalogueEntry).where(CatalogueEntry.code == "F01", CatalogueEntry.version == 2))
    # June was fulfilled under v1 and stays; T01V002's open June is waived and made again from v2
    assert get(uow, "T01V001", "F01", "2026-06").status == "fulfilled"
    june = [o for o in uow.session.scalars(sa.select(Obligation).where(
        Obligation.unit_code == "T01V002", Obligation.entry_code == "F01", Obligation.period == "2026-06")
        .order_by(Obligation.id))]
    assert [(o.entry_id, o.status) for o in june] == [(v1.id, "waived"), (v2.id, "open")]
    assert june[0].waived_reason == "catalogue entry revised from 2026-07-01"
    assert june[1].due_on == workdays.add_working_days(date(2026, 6, 30), 10)
    assert get(uow, "T01V002", "F01", "2026-05").entry_id == v1.id  # due before the change: untouched
    # retiring it from October on: the rest of the year goes, nothing new comes
    v2.valid_to = date(2026, 9, 30)
    upkeep.reschedule_entry(uow, "F01", date(2026, 10, 1))
    uow.commit()
    assert get(uow, "T01V002", "F01", "2026-12").waived_reason == "catalogue entry retired from 2026-10-01"
    assert get(uow, "T01V002", "F01", "2026-08").status == "open"  # due Sept: before retirement


# --- fulfilment, waivers, events ------------------------------------------------------------------------------

def publish(uow, unit, published_at):
    item = Item(unit_code=unit, title="t", body="b", audience="society", carriers=["公开栏"], status="published",
                version=1, author="op", created_at=published_at, published_at=published_at)
    uow.session.add(item)
    uow.session.flush()
    return item


def midnight_utc(day):
    return datetime.combine(day, datetime.min.time(), timezone.utc)


def test_publication_fulfils_on_time_or_late(uow):
    scheduling.schedule_year(uow, 2026)
    march = get(uow, "T01V001", "F01", "2026-03")  # due 2026-04-08 (清明 holiday included)
    due = march.due_on
    # published at 23:30 Beijing time on the due date: on time (county date, not UTC)
    item = publish(uow, "T01V001", midnight_utc(due) + timedelta(hours=15, minutes=30))
    assert obligations.check_fulfillable(uow.session, march.id, "T01V001") is march
    obligations.fulfil(uow, march.id, item)
    assert (march.status, march.item_id) == ("fulfilled", item.id)
    with pytest.raises(Conflict, match="already fulfilled"):
        obligations.fulfil(uow, march.id, item)
    april = get(uow, "T01V001", "F01", "2026-04")
    late = publish(uow, "T01V001", midnight_utc(april.due_on) + timedelta(hours=16))  # 00:00 the next day in Beijing
    obligations.fulfil(uow, april.id, late)
    assert april.status == "fulfilled_late"
    may = get(uow, "T01V001", "F01", "2026-05")
    may.status = "overdue"
    obligations.fulfil(uow, may.id, publish(uow, "T01V001", datetime(2026, 6, 20, tzinfo=timezone.utc)))
    assert may.status == "fulfilled_late"
    with pytest.raises(InvalidInput, match="belongs to unit T01V001, not T01V002"):
        obligations.check_fulfillable(uow.session, may.id, "T01V002")
    with pytest.raises(Conflict, match="fulfilled_late"):
        obligations.check_fulfillable(uow.session, may.id, "T01V001")
    with pytest.raises(InvalidInput, match="does not exist"):
        obligations.check_fulfillable(uow.session, 999999, "T01V001")


def test_a_waiver_needs_the_office_and_a_reason(uow):
    scheduling.schedule_year(uow, 2026)
    uow.commit()
    target = get(uow, "T01V001", "G01", "2026-Q2").id
    with pytest.raises(Forbidden):
        obligations.waive(uow, OPERATOR, target, "不需要")
    with pytest.raises(InvalidInput, match="reason"):
        obligations.waive(uow, INSPECTOR, target, "  ")
    waived = obligations.waive(uow, INSPECTOR, target, "村庄撤并过渡期")
    uow.commit()
    assert (waived["status"], waived["waived_by"], waived["waived_reason"]) == ("waived", "office", "村庄撤并过渡期")
    with pytest.raises(Conflict, match="is waived"):
        obligations.waive(uow, INSPECTOR, target, "again")
    with pytest.raises(NotFound):
        obligations.waive(uow, INSPECTOR, 999999, "x")


def test_recorded_events_and_prior_decisions(uow, today):
    first = obligations.record_event(uow, OPERATOR, {"unit_code": "T01V001", "entry_code": "E01",
                                                     "event_on": "2026-03-02", "note": "村道硬化工程竣工"})
    second = obligations.record_event(uow, OPERATOR, {"unit_code": "T01V001", "entry_code": "E01",
                                                      "event_on": "2026-03-03"})
    uow.commit()
    assert (first["period"], second["period"]) == ("E1", "E2")
    assert first["due_on"] == workdays.add_working_days(date(2026, 3, 2), 5).isoformat()
    assert first["event_note"] == "村道硬化工程竣工" and first["matter"] == "财务公开"
    prior = obligations.record_event(uow, OPERATOR, {"unit_code": "T01V001", "entry_code": "P01",
                                                     "event_on": "2026-04-01"})
    assert prior["due_on"] == "2026-03-17"
    assert [e["reason"] for e in emitted(uow, "ObligationsScheduled")] == ["event_recorded"] * 3
    with pytest.raises(InvalidInput, match="too late"):
        obligations.record_event(uow, OPERATOR, {"unit_code": "T01V001", "entry_code": "P01", "event_on": "2026-03-10"})
    with pytest.raises(InvalidInput, match="scheduled with the year's plan"):
        obligations.record_event(uow, OPERATOR, {"unit_code": "T01V001", "entry_code": "F01", "event_on": "2026-03-10"})
    with pytest.raises(Forbidden, match="not T01V002"):
        obligations.record_event(uow, OPERATOR, {"unit_code": "T01V002", "entry_code": "E01", "event_on": "2026-03-10"})
    with pytest.raises(InvalidInput, match="Unknown field"):
        obligations.record_event(uow, OPERATOR, {"unit_code": "T01V001", "entry_code": "E01", "event_on": "2026-03-10",
                                                 "extra": 1})
    assert obligations.display_days_of(uow.session, prior["id"]) == 15
    assert obligations.display_days_of(uow.session, first["id"]) is None


# --- reading ------------------------------------------------------------------------------------------------

def test_lists_filter_and_units_see_only_their_own(uow):
    scheduling.schedule_year(uow, 2026)
    uow.commit()
    subtree = obligations.list_obligations(uow.session, INSPECTOR, {"subtree": "T01", "entry": "G01"}, 500)
    assert {o["unit_code"] for o in subtree["items"]} == {"T01", "T01V001", "T01V002"}
    assert len(subtree["items"]) == 12 and subtree["next"] is None
    page = obligations.list_obligations(uow.session, INSPECTOR, {"town": "T01", "period": "2026-Q1"}, 2)
    assert len(page["items"]) == 2 and page["next"] == page["items"][-1]["id"]
    rest = obligations.list_obligations(uow.session, INSPECTOR, {"town": "T01", "period": "2026-Q1"}, 2, page["next"])
    assert len(rest["items"]) == 1 and rest["next"] is None
    assert {o["sector"] for o in obligations.list_obligations(
        uow.session, INSPECTOR, {"sector": "agency", "status": "open", "year": "2026"}, 500)["items"]} == {"agency"}
    own = obligations.list_obligations(uow.session, OPERATOR, {}, 500)["items"]
    assert {o["unit_code"] for o in own} == {"T01V001"} and len(own) == 18
    with pytest.raises(Forbidden, match="T01V001 only"):
        obligations.list_obligations(uow.session, OPERATOR, {"unit": "T01V002"})
    with pytest.raises(Forbidden):
        obligations.list_obligations(uow.session, OPERATOR, {"subtree": "T01"})
    with pytest.raises(InvalidInput, match="the filter is not valid"):
        obligations.list_obligations(uow.session, INSPECTOR, {"colour": "red"})
    other = get(uow, "T01V002", "F01", "2026-01").id
    assert obligations.get_obligation(uow.session, INSPECTOR, other)["unit_code"] == "T01V002"
    with pytest.raises(Forbidden):
        obligations.get_obligation(uow.session, OPERATOR, other)


# --- deadlines ---------------------------------------------------------------------------------------------

def test_due_soon_and_overdue_are_sent_once(uow, today):
    scheduling.schedule_year(uow, 2026)
    uow.commit()
    today["today"] = date(2026, 4, 3)  # within 3 working days: March's accounts, due 2026-04-08
    assert get(uow, "T01V001", "F01", "2026-03").due_on == date(2026, 4, 8)
    first = deadlines.check_deadlines(uow)
    assert first["due_soon"] == 3 and deadlines.check_deadlines(uow)["due_soon"] == 0
    assert {e["period"] for e in emitted(uow, "ObligationDueSoon")} == {"2026-03"}
    overdue_before = first["overdue"]  # January's and February's accounts, the long-term matters
    assert overdue_before == 3 * 2 + 5
    today["today"] = date(2026, 4, 9)
    second = deadlines.check_deadlines(uow)
    assert second["overdue"] == 3 and deadlines.check_deadlines(uow) == {"overdue": 0, "due_soon": 0}
    red = emitted(uow, "ObligationOverdue")
    assert len(red) == overdue_before + 3 and len({e["obligation_id"] for e in red}) == len(red)
    assert get(uow, "T01V001", "F01", "2026-03").status == "overdue"
    assert red[-1]["matter"] == "财务公开：F01 事项"


def test_two_timers_at_once_never_send_one_twice(uow_factory, uow, today, database_urls):
    scheduling.schedule_year(uow, 2026)
    uow.commit()
    today["today"] = date(2026, 12, 31)
    open_before = uow.session.scalar(sa.select(sa.func.count()).select_from(Obligation).where(
        Obligation.status == "open", Obligation.due_on < date(2026, 12, 31)))
    assert 0 < open_before <= deadlines.DEADLINE_BATCH
    uow.rollback()  # give the connection back: SQLite's engine has one
    results = []
    replicas = [uow_factory("disclosure"), uow_factory("disclosure")]
    if database_urls["disclosure"].startswith("postgresql"):
        threads = [threading.Thread(target=lambda r=r: results.append(deadlines.check_deadlines(r)))
                   for r in replicas]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:  # one SQLite writer at a time: the second replica comes after the first
        results = [deadlines.check_deadlines(r) for r in replicas]
    red = emitted(uow, "ObligationOverdue")
    assert sum(r["overdue"] for r in results) == len(red) == open_before
    assert len({e["obligation_id"] for e in red}) == len(red)
