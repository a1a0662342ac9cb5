"""The yearly plan (实施方案), without a broker: draft → consultation (征求意见) → approved →
active → closed, with its trail and events, and what is refused on the way."""
import json
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from services.common.actor import Actor
from services.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.common.records import OutboxRecord
from services.common.workdays import county_date
from tests.conftest import rule_instant
from services.disclosure import plans
from services.disclosure.models import Plan

OFFICE = Actor("office", "inspector", None)
ADMIN = Actor("root", "admin", None)
MEMBER = Actor("pm-a001", "member", "A001")
IMPORTED_AT = rule_instant()  # TODAY's moment: each test runs from it (conftest.py day_of_import)
TODAY = county_date(datetime.fromtimestamp(IMPORTED_AT, timezone.utc))
pytestmark = pytest.mark.usefixtures("day_of_import")


def plan_data(year, **changes):
    return {"year": year, "title": f"{year}年党务公开工作实施方案", "goals": ["党务公开目录全覆盖", "村务财务按月公开"],
            "milestones": [{"title": "公开目录修订", "due_on": f"{year}-03-31"},
                           {"title": "年度总结", "due_on": f"{year}-12-15"}],
            "carriers": ["公开栏", "网站"], "forms": ["公开栏张贴", "网站发布", "党员大会通报"],
            "consultation_days": 10, **changes}


@pytest.fixture
def uow(uow_factory):
    return uow_factory("disclosure")


def create(uow, year, **changes):
    plan = plans.create_plan(uow, OFFICE, plan_data(year, **changes))
    uow.commit()
    return plan["id"]


def end_consultation(uow, plan_id):
    """As if the comment period had passed: its last day was yesterday."""
    uow.session.execute(sa.update(Plan).where(Plan.id == plan_id)
                        .values(consultation_closes_on=TODAY - timedelta(days=1)))
    uow.commit()


def approved(uow, year):
    plan_id = create(uow, year)
    plans.transition(uow, OFFICE, plan_id, "consult", {})
    uow.commit()
    end_consultation(uow, plan_id)
    plans.transition(uow, OFFICE, plan_id, "approve", {"reason": "县委审定"})
    uow.commit()
    return plan_id


def plan_events(uow):
    rows = uow.session.execute(sa.select(OutboxRecord.type, OutboxRecord.body)
                               .where(OutboxRecord.type.like("Plan%")).order_by(OutboxRecord.id))
    return [(kind, json.loads(body)["payload"]) for kind, body in rows]


def test_the_whole_path_from_draft_to_closed_keeps_a_trail_and_emits_the_events(uow):
    year = TODAY.year - 1  # a year that has begun and ended: every step is allowed today
    plan_id = create(uow, year)
    consulting = plans.transition(uow, OFFICE, plan_id, "consult", {"reason": "征求党员群众意见"})
    uow.commit()
    closes_on = TODAY + timedelta(days=10)  # the opening day is not counted
    assert consulting["status"] == "consultation" and consulting["consultation_open"]
    assert (consulting["consultation_opens_on"], consulting["consultation_closes_on"]) == (
        TODAY.isoformat(), closes_on.isoformat())

    with pytest.raises(Conflict, match=f"open for comments until {closes_on}; it can be approved from "
                                       f"{closes_on + timedelta(days=1)}"):
        plans.transition(uow, OFFICE, plan_id, "approve", {})
    uow.rollback()
    end_consultation(uow, plan_id)
    done = plans.transition(uow, OFFICE, plan_id, "approve", {"reason": "县委审定"})
    uow.commit()
    assert done["status"] == "approved" and done["approved_at"] and "obligations_scheduled" in done
    plans.transition(uow, OFFICE, plan_id, "activate", {})
    closed = plans.transition(uow, OFFICE, plan_id, "close", {"reason": "年度结束"})
    uow.commit()

    assert closed["status"] == "closed" and not closed["consultation_open"]
    assert [(t["from_status"], t["to_status"], t["actor"], t["reason"]) for t in closed["trail"]] == [
        (None, "draft", "office", None), ("draft", "consultation", "office", "征求党员群众意见"),
        ("consultation", "approved", "office", "县委审定"), ("approved", "active", "office", None),
        ("active", "closed", "office", "年度结束")]
    (opened_kind, opened), (approved_kind, approval) = plan_events(uow)
    assert (opened_kind, approved_kind) == ("PlanConsultationOpened", "PlanApproved")
    assert opened == {"plan_id": plan_id, "year": year, "title": f"{year}年党务公开工作实施方案",
                      "opens_on": TODAY.isoformat(), "closes_on": closes_on.isoformat()}
    assert approval["approved_by"] == "office" and approval["milestones"] == [
        {"title": "公开目录修订", "due_on": f"{year}-03-31"}, {"title": "年度总结", "due_on": f"{year}-12-15"}]


def test_the_consultation_may_be_given_its_own_length(uow):
    plan_id = create(uow, TODAY.year)
    plan = plans.transition(uow, OFFICE, plan_id, "consult", {"consultation_days": 3})
    assert plan["consultation_days"] == 3
    assert plan["consultation_closes_on"] == (TODAY + timedelta(days=3)).isoformat()
    for bad in ({"consultation_days": 0}, {"consultation_days": 61}, {"surprise": 1}):
        with pytest.raises(InvalidInput):
            plans.transition(uow, OFFICE, plan_id, "approve", bad)


def test_activation_waits_for_the_year_and_closing_for_its_end(uow):
    this_year = approved(uow, TODAY.year)
    assert plans.transition(uow, OFFICE, this_year, "activate", {})["status"] == "active"
    with pytest.raises(Conflict, match=f"can be closed from {TODAY.year + 1}-01-01"):
        plans.transition(uow, OFFICE, this_year, "close", {})
    uow.commit()
    next_year = approved(uow, TODAY.year + 1)
    with pytest.raises(Conflict, match=f"can be activated from {TODAY.year + 1}-01-01"):
        plans.transition(uow, OFFICE, next_year, "activate", {})
    uow.rollback()
    assert plans.get_plan(uow.session, None, next_year)["status"] == "approved"


def test_a_step_out_of_order_an_unknown_action_or_a_wrong_role_is_refused(uow):
    plan_id = create(uow, TODAY.year)
    with pytest.raises(Conflict, match="a plan must be consultation to approve it; plan .* is draft"):
        plans.transition(uow, OFFICE, plan_id, "approve", {})
    with pytest.raises(Conflict, match="must be active to close"):
        plans.transition(uow, OFFICE, plan_id, "close", {})
    with pytest.raises(InvalidInput, match="unknown action 'publish'"):
        plans.transition(uow, OFFICE, plan_id, "publish", {})
    for actor in (MEMBER, ADMIN, Actor("op", "operator", "A001")):
        with pytest.raises(Forbidden, match="only a inspector"):
            plans.transition(uow, actor, plan_id, "consult", {})
        with pytest.raises(Forbidden):
            plans.create_plan(uow, actor, plan_data(TODAY.year + 1))
        with pytest.raises(Forbidden):
            plans.update_plan(uow, actor, plan_id, {"title": "改"})
    with pytest.raises(NotFound, match="no plan 999"):
        plans.transition(uow, OFFICE, 999, "consult", {})
    uow.rollback()
    assert [p["status"] for p in plans.list_plans(uow.session, OFFICE)] == ["draft"]
    assert plan_events(uow) == []


def test_a_draft_is_the_county_offices_own(uow):
    plan_id = create(uow, TODAY.year)
    for actor in (None, MEMBER):
        with pytest.raises(NotFound):
            plans.get_plan(uow.session, actor, plan_id)
        assert plans.list_plans(uow.session, actor) == []
    assert plans.get_plan(uow.session, ADMIN, plan_id)["status"] == "draft"
    assert [p["id"] for p in plans.list_plans(uow.session, OFFICE)] == [plan_id]
    plans.transition(uow, OFFICE, plan_id, "consult", {})
    uow.commit()
    public = plans.get_plan(uow.session, None, plan_id)
    assert public["status"] == "consultation" and public["consultation_open"]
    assert [p["id"] for p in plans.list_plans(uow.session, None)] == [plan_id]


def test_one_plan_per_year_and_milestones_inside_it(uow):
    create(uow, TODAY.year)
    with pytest.raises(Conflict, match=f"the plan for {TODAY.year} exists already"):
        plans.create_plan(uow, OFFICE, plan_data(TODAY.year, title="另一个方案"))
    outside = [{"title": "次年总结", "due_on": f"{TODAY.year + 2}-01-10"}]
    with pytest.raises(InvalidInput, match="milestone «次年总结» is due .* outside the plan's year"):
        plans.create_plan(uow, OFFICE, plan_data(TODAY.year + 1, milestones=outside))
    for bad in ({"goals": []}, {"year": 1999}, {"carriers": ["飞鸽传书"]}, {"consultation_days": 61},
                {"milestones": [{"title": "无日期"}]}, {"title": " "}, {"colour": "red"}):
        with pytest.raises(InvalidInput):
            plans.create_plan(uow, OFFICE, {**plan_data(TODAY.year + 1), **bad})
    uow.rollback()
    assert len(plans.list_plans(uow.session, OFFICE)) == 1


def test_only_a_draft_is_edited_and_the_edit_is_validated_whole(uow):
    plan_id = create(uow, TODAY.year)
    other = create(uow, TODAY.year + 1)
    edited = plans.update_plan(uow, OFFICE, plan_id, {"title": "修改后的方案", "goals": ["目录全覆盖"]})
    uow.commit()
    assert edited["title"] == "修改后的方案" and edited["goals"] == ["目录全覆盖"]
    assert edited["milestones"][0] == {"title": "公开目录修订", "due_on": f"{TODAY.year}-03-31"}
    with pytest.raises(InvalidInput, match="outside the plan's year"):  # its milestones stay in the old year
        plans.update_plan(uow, OFFICE, plan_id, {"year": TODAY.year + 2})
    with pytest.raises(Conflict, match="exists already"):
        plans.update_plan(uow, OFFICE, other, {"year": TODAY.year, "milestones": []})
    with pytest.raises(InvalidInput, match="changes nothing"):
        plans.update_plan(uow, OFFICE, plan_id, {})
    moved = plans.update_plan(uow, OFFICE, other, {"year": TODAY.year + 2, "milestones": [
        {"title": "启动", "due_on": date(TODAY.year + 2, 1, 15).isoformat()}]})
    assert moved["year"] == TODAY.year + 2
    plans.transition(uow, OFFICE, plan_id, "consult", {})
    uow.commit()
    with pytest.raises(Conflict, match="only a draft plan can be changed"):
        plans.update_plan(uow, OFFICE, plan_id, {"title": "征求意见中再改"})
