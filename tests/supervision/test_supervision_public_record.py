"""公开榜 without a broker: each unit's obligations published on time, late or still missing,
and its feedback, from the facts known as of the stated instant, with "too few to rate" below
the thresholds; and the progress of a unit's commitments, which its page shows."""
import time
import uuid
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from services.common.actor import Actor
from services.common.contract import names
from services.common.errors import Forbidden, InvalidInput, NotFound
from services.supervision import facts, marks, programme, public_record
from services.supervision.models import ObligationFact, UnitCopy
from services.supervision.periods import Period
from tests.supervision.test_supervision_rules import T0, county, obligation_event  # noqa: F401 (fixture)


def at(day, hour=8):
    return datetime(2026, 7, day, hour, tzinfo=UTC)


def test_the_public_record_counts_on_time_late_and_missing_as_of_an_instant(county):  # noqa: F811
    uow, due = county, date(2026, 7, 10)
    arrived = datetime(2026, 7, 25, tzinfo=UTC)
    for n in (1, 2, 3):  # V01: three on time
        facts.apply(uow.session, obligation_event(names.OBLIGATION_FULFILLED, "V01", n, due, at(8), True), arrived)
    facts.apply(uow.session, obligation_event(names.OBLIGATION_OVERDUE, "V01", 4, due, at(11)), arrived)
    facts.apply(uow.session, obligation_event(names.OBLIGATION_FULFILLED, "V01", 4, due, at(14), False), arrived)
    facts.apply(uow.session, obligation_event(names.OBLIGATION_OVERDUE, "V01", 5, due, at(11)), arrived)
    facts.apply(uow.session, obligation_event(names.OBLIGATION_OVERDUE, "V02", 6, due, at(11)), arrived)
    facts.apply(uow.session, obligation_event(names.OBLIGATION_OVERDUE, "V02", 7, due, at(11)), arrived)
    facts.apply(uow.session, obligation_event(names.OBLIGATION_WAIVED, "V02", 7, due, at(12)), arrived)
    uow.commit()
    record = public_record.compute(uow.session, Period("2026-07"), datetime(2026, 8, 1, tzinfo=UTC))
    assert record["min_obligations"] == 3 and record["period"] == "2026-07"
    rows = {u["unit_code"]: u for u in record["units"]}
    assert list(rows) == sorted(rows)  # the registry's order
    assert rows["V01"]["obligations"] == {"judged": 5, "on_time": 3, "late": 1, "missing": 1, "rate": 60.0}
    # one obligation missing, one waived: counted, but too few to rate
    assert rows["V02"]["obligations"] == {"judged": 1, "on_time": 0, "late": 0, "missing": 1, "rate": None}
    assert rows["V03"]["obligations"]["rate"] is None and rows["V03"]["feedback"]["rate"] is None
    assert rows["V01"]["town_code"] == "T01" and "total" not in rows["V01"]  # no score: the office issues those
    # as of before the facts arrived: nothing counts yet
    early = public_record.compute(uow.session, Period("2026-07"), datetime(2026, 7, 20, tzinfo=UTC))
    assert all(u["obligations"]["judged"] == 0 for u in early["units"])


def test_a_commitments_progress_is_reported_by_its_unit_or_the_office(county):  # noqa: F811
    uow = county
    operator = Actor("op-v01", "operator", "V01")
    made = programme.add_commitment(uow, operator, {"unit_code": "V01", "year": 2026, "text": "每月公开村务",
                                                    "due_on": "2026-12-31"})
    uow.commit()
    assert made["progress"] is None and made["done_on"] is None
    with pytest.raises(Forbidden):
        programme.report_progress(uow, Actor("op-v02", "operator", "V02"), made["id"], {"progress": "已开始"})
    with pytest.raises(NotFound):
        programme.report_progress(uow, operator, 99999, {"progress": "已开始"})
    with pytest.raises(InvalidInput):
        programme.report_progress(uow, operator, made["id"], {"progress": ""})
    going = programme.report_progress(uow, operator, made["id"], {"progress": "已按月公开11次"})
    done = programme.report_progress(uow, Actor("office", "inspector"), made["id"],
                                     {"progress": "全年12次均已公开", "done_on": "2026-12-05"})
    uow.commit()
    assert going["progress"] == "已按月公开11次" and going["progress_at"]
    assert done["done_on"] == "2026-12-05"
    (listed,) = programme.list_commitments(uow, "V01", 2026)
    assert listed["progress"] == "全年12次均已公开" and listed["done_on"] == "2026-12-05"




def test_the_record_of_a_3065_unit_county_is_computed(uow_factory):
    """The facts written as rows at once (facts.apply, one event at a time, is tested above)."""
    uow = uow_factory("supervision")
    codes = [f"T01V{n:04d}" for n in range(3064)]
    uow.session.execute(sa.insert(UnitCopy), [
        {"code": code, "name": f"{code}村党支部", "sector": "town" if code == "T01" else "village",
         "parent_code": None if code == "T01" else "T01", "town_code": "T01", "status": "active",
         "demonstration": False, "revision": 1, "first_seen_at": T0} for code in ["T01", *codes]])
    arrived = datetime(2026, 7, 25, tzinfo=UTC)
    uow.session.execute(sa.insert(ObligationFact), [
        {"event_id": str(uuid.uuid4()), "obligation_id": n * 4 + k, "unit_code": code, "entry_code": "V01",
         "matter": "村务：财务收支", "period": "2026-07", "due_on": date(2026, 7, 10), "occurred_at": at(9),
         "received_at": arrived, **({"kind": "fulfilled", "on_time": True} if (n + k) % 5 else {"kind": "overdue"})}
        for n, code in enumerate(codes) for k in range(4)])
    marks.rebuild(uow.session)  # facts inserted in bulk, not through facts.apply: their marks at once
    uow.commit()
    started = time.perf_counter()
    record = public_record.compute(uow.session, Period("2026"), datetime(2026, 8, 1, tzinfo=UTC))
    seconds = time.perf_counter() - started
    print(f"public_record at {len(record['units'])} units, {len(codes) * 4} obligations: {seconds:.2f} s")
    assert len(record["units"]) == 3065  # its time is printed, not asserted: speed is for make bench
    assert sum(u["obligations"]["missing"] for u in record["units"]) == sum(
        1 for n in range(3064) for k in range(4) if not (n + k) % 5)
