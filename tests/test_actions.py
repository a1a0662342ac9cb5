"""The actions each view carries (what the caller may do now), read from the state tables:
disclosure's item workflow (states.py, items.actions) and feedback's (states.py, roles.py)."""
from __future__ import annotations

from types import SimpleNamespace

from services.common.actor import Actor
from services.disclosure import reading, states, workflow
from services.feedback import roles
from tests.disclosure.test_disclosure_workflow import INSPECTOR, OPERATOR, REVIEWER, draft, uow  # noqa: F401

OTHER_REVIEWER = Actor("rv2-a001", "reviewer", "A001")


def test_the_item_table_names_every_step_transition_takes_and_who_takes_it():
    assert set(workflow.ACTIONS) == set(states.STEPS)
    assert all(action in states.TAKEN_BY for _, action in states.TRANSITIONS if action != "publish")
    assert states.sources("reject") == ("submitted", "reviewed")
    assert states.after("reviewed", "approve") == "approved" and states.after("approved", "publish") == "published"


def test_an_item_view_carries_what_its_reader_may_do_now(uow):
    item_id = draft(uow)
    assert reading.get_item(uow.session, OPERATOR, item_id)["actions"] == ["edit", "submit"]
    assert reading.get_item(uow.session, REVIEWER, item_id)["actions"] == []
    submitted = workflow.transition(uow, OPERATOR, item_id, "submit", None)
    assert submitted["actions"] == []  # the operator's answer: nothing more for them to do
    assert reading.get_item(uow.session, REVIEWER, item_id)["actions"] == ["review", "reject"]
    assert reading.get_item(uow.session, INSPECTOR, item_id)["actions"] == []  # the office watches
    published = publish_reviewed(uow, item_id)
    assert published["status"] == "published"
    assert reading.get_item(uow.session, OPERATOR, item_id)["actions"] == ["correct"]
    workflow.correct(uow, OPERATOR, item_id, {"title": "更正"})
    assert reading.get_item(uow.session, OPERATOR, item_id)["actions"] == []  # one correction at a time
    listed = reading.list_items(uow.session, REVIEWER, {"status": "published"})["items"]
    assert [i["actions"] for i in listed] == [["withdraw"]]
    assert all(i["actions"] == [] for i in reading.list_items(uow.session, None, {})["items"])


def publish_reviewed(uow, item_id):
    workflow.transition(uow, REVIEWER, item_id, "review", None)
    return workflow.transition(uow, OTHER_REVIEWER, item_id, "approve", None)


def test_a_reviewer_is_never_offered_their_own_draft():
    author = Actor("rv-a001", "reviewer", "A001")
    assert states.actions(author, "submitted", "A001", "rv-a001") == []
    assert states.actions(OTHER_REVIEWER, "submitted", "A001", "rv-a001") == ["review", "reject"]
    assert states.actions(OTHER_REVIEWER, "submitted", "A002", "op-a002") == []  # not their unit


def _feedback(status, unit="A001", extension=None, target_kind="unit"):
    return SimpleNamespace(status=status, unit_code=unit, extension_status=extension, target_kind=target_kind)


def test_feedback_actions_follow_the_table_and_who_may_act():
    office = Actor("office", "inspector")
    operator, reviewer = Actor("op-a001", "operator", "A001"), Actor("rv-a001", "reviewer", "A001")
    assert roles.actions(office, _feedback("held")) == ["release", "reject"]
    assert roles.actions(operator, _feedback("held")) == []  # the county office screens held feedback
    assert roles.actions(operator, _feedback("received")) == ["reject", "accept"]
    assert roles.actions(operator, _feedback("received", unit="A002")) == []
    assert roles.actions(operator, _feedback("accepted")) == ["extend", "answer"]
    assert roles.actions(operator, _feedback("accepted", extension="requested")) == ["answer"]
    assert roles.actions(office, _feedback("accepted", extension="requested")) == ["transfer", "grant-extension"]
    assert roles.actions(reviewer, _feedback("reviewing"), drafter="op-a001") == [
        "extend", "approve-answer", "reject-answer"]
    assert "approve-answer" not in roles.actions(reviewer, _feedback("reviewing"), drafter="rv-a001")
    assert roles.actions(None, _feedback("answered")) == []
