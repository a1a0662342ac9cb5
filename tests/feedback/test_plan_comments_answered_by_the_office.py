"""A comment on the county's yearly plan is the county office's own to answer: an inspector
accepts and drafts the answer, another inspector approves it (never the drafter), and the unit
officials of the county root keep their own way; feedback on a unit stays its officials'."""
from datetime import date

import pytest
import sqlalchemy as sa

from services.common.actor import Actor
from services.common.errors import Forbidden
from services.feedback import intake, roles
from services.feedback.models import Feedback
from tests.feedback.test_feedback_loop import (  # noqa: F401
    CONTACT,
    OFFICE,
    OPERATOR,
    act,
    county,
    send,
)

SECOND = Actor("li", "inspector")


def comment(uow, settings):
    intake.open_plan_consultation(uow.session, {"plan_id": 7, "title": "2027年党务公开工作实施方案",
                                                "closes_on": date(2100, 1, 1)})
    uow.commit()
    receipt = intake.receive(uow, {"target_kind": "plan", "target_id": "7", "kind": "suggestion",
                                   "content": "建议把村务公开的时间节点提前到三月", "contact": CONTACT}, settings=settings)
    uow.commit()
    return uow.session.scalar(sa.select(Feedback).where(Feedback.tracking_code == receipt["tracking_code"]))


def test_the_office_answers_comments_on_its_plan(county):
    uow, settings = county
    feedback = comment(uow, settings)
    assert roles.actions(OFFICE, feedback) == ["reject", "accept", "transfer"]
    act(uow, OFFICE, feedback, "accept")
    assert "answer" in roles.actions(OFFICE, feedback)
    act(uow, OFFICE, feedback, "answer", {"body": "感谢建议，已在方案中调整。"})
    assert roles.actions(OFFICE, feedback, drafter="zhou") == ["transfer", "reject-answer"]  # not approving their own
    with pytest.raises(Forbidden):
        act(uow, OFFICE, feedback, "approve-answer", {})
    act(uow, SECOND, feedback, "approve-answer", {})
    assert feedback.status == "answered" and feedback.answered_at is not None


def test_on_a_unit_the_office_still_does_not_answer(county):
    uow, settings = county
    _, feedback = send(uow, settings)
    act(uow, OFFICE, feedback, "accept")
    assert "answer" not in roles.actions(OFFICE, feedback)
    with pytest.raises(Forbidden):
        act(uow, OFFICE, feedback, "answer", {"body": "由县委办答复"})
    act(uow, OPERATOR, feedback, "answer", {"body": "已修好"})
