"""The actions a plan's view offers its reader (the console's buttons): the county office's
only, each when the plan's status and the date allow it; a catalogue matter's while in force."""
from datetime import date

from services.common.actor import Actor
from services.disclosure import catalogue, plans
from services.disclosure.models import Plan

OFFICE = Actor("office", "inspector", None)


def test_a_plans_actions_follow_its_status_and_the_date():
    plan = Plan(year=2027, status="draft", consultation_closes_on=None)
    today = date(2026, 12, 7)
    assert plans.actions_of(plan, OFFICE, today) == ["edit", "consult"]
    assert plans.actions_of(plan, Actor("op", "operator", "A001"), today) == []
    assert plans.actions_of(plan, None, today) == []
    plan.status, plan.consultation_closes_on = "consultation", date(2026, 12, 17)
    assert plans.actions_of(plan, OFFICE, today) == []  # comments still being taken
    assert plans.actions_of(plan, OFFICE, date(2026, 12, 18)) == ["approve"]
    plan.status = "approved"
    assert plans.actions_of(plan, OFFICE, date(2026, 12, 18)) == []  # its year has not begun
    assert plans.actions_of(plan, OFFICE, date(2027, 1, 1)) == ["activate"]
    plan.status = "active"
    assert plans.actions_of(plan, OFFICE, date(2027, 6, 1)) == []
    assert plans.actions_of(plan, OFFICE, date(2028, 1, 1)) == ["close"]
    plan.status = "closed"
    assert plans.actions_of(plan, OFFICE, date(2028, 1, 1)) == []


def test_a_catalogue_matter_offers_revise_and_retire_until_retired(uow_factory):
    uow = uow_factory("disclosure")
    entry = {"code": "ZZ-ACT", "matter": "组织建设", "sub_matter": "党员发展", "content_elements": "发展对象名单",
             "basis": "《中国共产党党务公开条例（试行）》", "time_limit": "确定后5个工作日内", "audience": "party",
             "carriers": ["公开栏"], "sectors": ["village"], "frequency": "on_event", "within_days": 5}
    catalogue.add_entry(uow, OFFICE, entry)
    uow.commit()
    assert catalogue.get_entry(uow.session, "ZZ-ACT")["actions"] == ["revise", "retire"]
    catalogue.retire_entry(uow, OFFICE, "ZZ-ACT", {"reason": "合并到其他事项"})
    uow.commit()
    assert catalogue.get_entry(uow.session, "ZZ-ACT")["actions"] == []
