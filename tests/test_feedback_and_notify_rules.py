"""Feedback intake and notification planning, without a broker."""
import json
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from services.common.contract import new_event
from services.common.errors import InvalidInput, NotFound
from services.common.records import OutboxRecord
from services.feedback import intake
from services.notify import mailer, messages
from services.notify.models import Delivery

UNIT = {"code": "A001", "revision": 1, "name": "县委办支部", "sector": "agency", "org_type": "branch",
        "parent_code": "C000", "status": "active", "merged_into": None, "demonstration": False,
        "officials": [{"role": "liaison", "name": "杨超", "phone": "15518190937", "email": "a001@example.gov.cn"},
                      {"role": "secretary", "name": "赵秀杰", "phone": "19281948219", "email": None}]}


def published(item_id=7, unit="A001", audience="society"):
    return new_event("ItemPublished", {
        "item_id": item_id, "unit_code": unit, "title": "党费收缴情况", "version": 1, "audience": audience,
        "summary": "本季度……", "carriers": ["网站"], "obligation_id": None, "published_by": "rv",
        "published_at": datetime.now(timezone.utc)})


def test_feedback_gets_a_tracking_code_and_working_day_deadlines(uow_factory):
    uow = uow_factory("feedback")
    intake.apply_published_item(uow.session, published().payload)
    receipt = intake.receive(uow, {"target_kind": "item", "target_id": "7", "kind": "question",
                                   "content": "标准是多少？", "contact": "13800000000"})
    uow.commit()
    assert len(receipt["tracking_code"]) == 10 and receipt["status"] == "received"
    assert receipt["acknowledge_due"] < receipt["answer_due"]
    assert "contact" not in receipt
    body = uow.session.scalar(sa.select(OutboxRecord.body))
    assert "13800000000" not in body and json.loads(body)["payload"]["unit_code"] == "A001"
    assert intake.track(uow.session, receipt["tracking_code"].lower())["status"] == "received"


def test_feedback_on_nothing_known_or_not_public_is_refused(uow_factory):
    uow = uow_factory("feedback")
    intake.apply_published_item(uow.session, published(item_id=8, audience="party").payload)
    for target in ("7", "8"):
        with pytest.raises(NotFound):
            intake.receive(uow, {"target_kind": "item", "target_id": target, "kind": "opinion", "content": "x"})
    with pytest.raises(InvalidInput):
        intake.receive(uow, {"target_kind": "item", "target_id": "7", "kind": "opinion", "content": ""})


def test_the_liaison_is_told_of_a_publication(uow_factory):
    uow = uow_factory("notify")
    messages.apply_unit_state(uow.session, UNIT)
    (delivery,) = messages.plan_deliveries(uow.session, published())
    uow.commit()
    assert (delivery.recipient, delivery.status, delivery.channel) == ("a001@example.gov.cn", "pending", "email")
    assert "党费收缴情况" in delivery.subject


def test_a_unit_without_a_liaison_email_gets_a_visible_failure(uow_factory):
    uow = uow_factory("notify")
    messages.apply_unit_state(uow.session, {**UNIT, "officials": []})
    mailer.report_unreachable(uow, messages.plan_deliveries(uow.session, published()))
    uow.commit()
    assert uow.session.scalar(sa.select(Delivery.status)) == "failed"
    assert uow.session.scalar(sa.select(OutboxRecord.type)) == "NotificationFailed"


def test_a_failing_smtp_server_is_retried_then_given_up_on(uow_factory):
    uow = uow_factory("notify")
    messages.apply_unit_state(uow.session, UNIT)
    messages.plan_deliveries(uow.session, published())
    uow.commit()
    dead_smtp = {"HOST": "127.0.0.1", "PORT": 9, "FROM": "gongkai@example.gov.cn", "TIMEOUT_SECONDS": 1}
    for attempt in range(mailer.MAX_ATTEMPTS):
        uow.session.execute(sa.update(Delivery).values(next_attempt_at=datetime.now(timezone.utc)))
        uow.commit()
        assert mailer.send_due(uow, dead_smtp) == 1
    delivery = uow.session.scalar(sa.select(Delivery))
    assert delivery.status == "failed" and delivery.attempts == mailer.MAX_ATTEMPTS
    assert "ConnectionRefusedError" in delivery.last_error
    assert list(uow.session.scalars(sa.select(OutboxRecord.type))) == ["NotificationFailed"]
