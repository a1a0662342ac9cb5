"""The draw's standing registers and a draw at a stated later time, without a broker: the
registers as they stand on the draw day make the pool, the seed is committed at planning and
revealed by the draw, too small a register is refused in words at planning, and the recorded
draw recomputes with the independent script."""
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from scripts import verify_draw
from services.common.actor import Actor
from services.common.contract import names, new_event
from services.common.errors import Conflict, Forbidden, InvalidInput, Unprocessable
from services.common.records import OutboxRecord
from services.supervision import (
    deadlines,
    draw,
    draw_schedule,
    facts,
    inspections,
    registers,
)

OFFICE = Actor("office", "inspector")
NOW = datetime(2026, 7, 1, 2, tzinfo=UTC)  # 10:00 in the county, a Wednesday
TODAY = date(2026, 7, 1)


def unit_event(code, parent=None, sector="village"):
    event = new_event(names.UNIT_REGISTERED, {
        "code": code, "revision": 1, "name": f"{code}党支部", "sector": sector, "org_type": "branch",
        "parent_code": parent, "status": "active", "merged_into": None, "demonstration": False, "officials": []})
    return event.__class__(**{**event.__dict__, "occurred_at": NOW - timedelta(days=60)})


@pytest.fixture
def county(uow_factory):
    uow = uow_factory("supervision")
    facts.apply(uow.session, unit_event("T01", sector="town"))
    for i in range(1, 11):
        facts.apply(uow.session, unit_event(f"V{i:02d}", parent="T01"))
    uow.commit()
    with time_machine.travel(NOW, tick=False):
        yield uow


def fill(uow, units=("V01", "V02", "V03", "V04", "V05", "V06"), people=(("li", "V01"), ("wang", None), ("zhao", "T01"),
                                                                            ("qian", "V02"))):
    for code in units:
        registers.add(uow, OFFICE, "units", {"unit_code": code})
    for name, own in people:
        registers.add(uow, OFFICE, "inspectors", {"username": name, "unit_code": own})
    uow.commit()


def plan_body(**changes):
    return {"title": "2026年第三季度双随机抽查", "window_opens": "2026-07-10", "window_closes": "2026-07-20",
            "draw_at": "2026-07-06T09:00:00+08:00", "count": 2, **changes}


def test_the_registers_keep_their_dates_and_refuse_stale_forms(county):
    uow = county
    fill(uow)
    view = registers.view(uow, OFFICE)
    assert view["in_force"] == {"inspectors": 4, "units": 6}
    li = next(e for e in view["inspectors"] if e["username"] == "li")
    assert li["state"] == "current" and li["actions"] == ["end"] and li["unit_name"] == "V01党支部"
    with pytest.raises(Conflict):  # li is in the register already
        registers.add(uow, OFFICE, "inspectors", {"username": "li"})
    with pytest.raises(Conflict):  # a form made before the register changed
        registers.add(uow, OFFICE, "units", {"unit_code": "V07", "seen": "0" * 16})
    later = registers.add(uow, OFFICE, "units", {"unit_code": "V07", "effective_from": "2026-08-01",
                                                  "seen": view["units_revision"]})
    assert later["state"] == "upcoming"
    ended = registers.end(uow, OFFICE, "inspectors", li["id"], {"seen": view["inspectors_revision"]})
    assert ended["effective_until"] == "2026-06-30" and ended["state"] == "ended" and ended["actions"] == []
    with pytest.raises(Conflict):  # ended already
        registers.end(uow, OFFICE, "inspectors", li["id"], {})
    with pytest.raises(Conflict):  # no changing the past
        registers.end(uow, OFFICE, "units", view["units"][0]["id"], {"effective_until": "2026-06-01"})
    uow.commit()
    assert [p["username"] for p in registers.pool_on(uow, TODAY)] == ["qian", "wang", "zhao"]
    assert "V07" not in registers.units_on(uow, TODAY) and "V07" in registers.units_on(uow, date(2026, 8, 1))
    assert registers.view(uow, OFFICE, TODAY, ended=True)["inspectors"][0]["state"] == "ended"
    with pytest.raises(Forbidden):
        registers.add(uow, Actor("op", "operator", "V01"), "units", {"unit_code": "V08"})
    with pytest.raises(InvalidInput):
        registers.add(uow, OFFICE, "units", {"unit_code": "V08", "effective_from": "2026-07-05",
                                             "effective_until": "2026-07-01"})


def test_a_draw_at_a_later_time_commits_first_and_draws_from_the_registers_then(county):
    uow = county
    fill(uow)
    planned = draw_schedule.plan(uow, OFFICE, plan_body())
    uow.commit()
    assert planned["units"] == [] and planned["seed"] is None
    assert planned["scheduled_draw"]["status"] == "scheduled"
    before = draw_schedule.public_draw(uow, planned["id"])
    assert before["seed"] is None and before["units"] == [] and len(before["commitment"]) == 64
    assert deadlines.check(uow)["due"] == 0  # nothing to tell before the draw
    # the register changes after planning: the draw takes it as it stands on the draw day
    registers.add(uow, OFFICE, "inspectors", {"username": "sun", "unit_code": None})
    uow.commit()
    assert draw_schedule.run_due(uow, NOW) == 0  # not yet
    assert draw_schedule.run_due(uow, datetime(2026, 7, 6, 1, tzinfo=UTC)) == 1
    assert draw_schedule.run_due(uow, datetime(2026, 7, 6, 1, 5, tzinfo=UTC)) == 0  # once
    after = draw_schedule.public_draw(uow, planned["id"])
    assert after["status"] == "drawn" and after["matches"] is True
    assert draw.commitment(after["seed"]) == before["commitment"]
    assert {p["username"] for p in after["pool"]} == {"li", "wang", "zhao", "qian", "sun"}
    assert len(after["units"]) == 2 and set(after["units"]) <= {"V01", "V02", "V03", "V04", "V05", "V06"}
    for names_ in after["assignments"].values():
        assert "zhao" not in names_  # T01 is above every village
    assert verify_draw.check(after) == []  # the independent script recomputes it
    told = uow.session.scalars(sa.select(OutboxRecord).where(OutboxRecord.type == names.INSPECTION_SCHEDULED)).all()
    assert len(told) == 1  # InspectionScheduled once, when the units are known
    assert inspections.get(uow, OFFICE, planned["id"])["units"]


def test_too_small_a_register_or_a_chosen_seed_is_refused_at_planning(county):
    uow = county
    with pytest.raises(Unprocessable, match="检查对象名录"):
        draw_schedule.plan(uow, OFFICE, plan_body())
    fill(uow, units=("V01", "V02"), people=(("li", "V01"), ("wang", None)))
    with pytest.raises(Unprocessable, match="只有 2 个"):
        draw_schedule.plan(uow, OFFICE, plan_body(count=3))
    with pytest.raises(Unprocessable, match="V01"):  # li is recused from V01: one inspector left
        draw_schedule.plan(uow, OFFICE, plan_body(count=1))
    with pytest.raises(InvalidInput, match="种子"):
        draw_schedule.plan(uow, OFFICE, plan_body(seed="00" * 32))
    with pytest.raises(InvalidInput, match="之后"):
        draw_schedule.plan(uow, OFFICE, plan_body(draw_at="2026-06-30T09:00:00+08:00"))
    with pytest.raises(InvalidInput, match="开始日期"):
        draw_schedule.plan(uow, OFFICE, plan_body(draw_at="2026-07-11T09:00:00+08:00"))


def test_a_draw_whose_registers_shrank_fails_in_words(county):
    uow = county
    fill(uow)
    planned = draw_schedule.plan(uow, OFFICE, plan_body(count=6))
    uow.commit()
    first = registers.view(uow, OFFICE)["units"][0]
    registers.end(uow, OFFICE, "units", first["id"], {"effective_until": "2026-07-03"})
    uow.commit()
    assert draw_schedule.run_due(uow, datetime(2026, 7, 6, 1, tzinfo=UTC)) == 1
    shown = draw_schedule.public_draw(uow, planned["id"])
    assert shown["status"] == "failed" and "只有 5 个" in shown["problem"] and shown["seed"] is None
