"""Feedback intake and notification planning, without a broker."""
import json
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from services.common.contract import new_event
from services.common.errors import InvalidInput, NotFound
from services.common.records import OutboxRecord
from services.feedback import intake, sender
from services.common.records import utcnow
from services.notify import directory, planner
from services.notify.models import Delivery
from services.notify.rules import Rules
from services.notify.outcomes import report_unreachable
from services.notify.sender import Sender

RULES = Rules()

UNIT = {"code": "A001", "revision": 1, "name": "县委办支部", "sector": "agency", "org_type": "branch",
        "parent_code": "C000", "status": "active", "merged_into": None, "demonstration": False,
        "officials": [{"role": "liaison", "name": "杨超", "phone": "15518190937", "email": "a001@example.gov.cn"},
                      {"role": "secretary", "name": "赵秀杰", "phone": "19281948219", "email": None}]}


def plan(uow, event, county_office=None):
    """The email deliveries the rules file plans for an event, as notify's handler would."""
    deliveries = planner.plan(uow.session, event, RULES, {"COUNTY_OFFICE_EMAIL": county_office}, utcnow())
    report_unreachable(uow, deliveries)
    return [d for d in deliveries if d.channel == "email"]


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
    assert sender.track(uow.session, receipt["tracking_code"].lower())["status"] == "received"


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
    directory.apply_unit_state(uow.session, UNIT)
    (delivery,) = plan(uow, published())
    uow.commit()
    assert (delivery.recipient, delivery.status, delivery.channel) == ("a001@example.gov.cn", "pending", "email")
    assert "党费收缴情况" in delivery.subject


def test_a_unit_without_a_liaison_email_gets_a_visible_failure(uow_factory):
    uow = uow_factory("notify")
    directory.apply_unit_state(uow.session, {**UNIT, "officials": []})
    plan(uow, published())
    uow.commit()
    assert uow.session.scalar(sa.select(Delivery.status)) == "failed"
    assert uow.session.scalar(sa.select(OutboxRecord.type)) == "NotificationFailed"


def test_a_failing_smtp_server_is_retried_then_given_up_on(uow_factory):
    uow = uow_factory("notify")
    directory.apply_unit_state(uow.session, UNIT)
    plan(uow, published())
    uow.commit()
    dead_smtp = {"HOST": "127.0.0.1", "PORT": 9, "FROM": "gongkai@example.gov.cn", "TIMEOUT_SECONDS": 1}
    sender = Sender(uow._sessions, {"SMTP": dead_smtp, "NOTIFY": {"MAX_ATTEMPTS": 3}})
    for attempt in range(3):
        uow.session.execute(sa.update(Delivery).values(next_attempt_at=datetime.now(timezone.utc)))
        uow.commit()
        assert sender.pass_once(wait=True) == 1
    uow.session.expire_all()
    delivery = uow.session.scalar(sa.select(Delivery))
    assert delivery.status == "dead" and delivery.attempts == 3
    assert "ConnectionRefusedError" in delivery.last_error
    assert list(uow.session.scalars(sa.select(OutboxRecord.type))) == ["NotificationFailed"]


# --- comments on the plan (方案征求意见), withdrawn items ------------------------------------

ROOT = {**UNIT, "code": "C000", "name": "中共集美县委员会", "org_type": "committee", "parent_code": None}


def plan_event(type_name, plan_id=3, closes_in_days=10):
    from datetime import timedelta

    from services.common.workdays import county_today

    today = county_today()
    if type_name == "PlanConsultationOpened":
        payload = {"opens_on": today, "closes_on": today + timedelta(days=closes_in_days)}
    else:
        payload = {"approved_by": "office", "approved_at": datetime.now(timezone.utc), "milestones": []}
    return new_event(type_name, {"plan_id": plan_id, "year": today.year, "title": "2026年党务公开实施方案",
                                 **payload})


def comment(uow, target_kind="plan", target_id="3"):
    return intake.receive(uow, {"target_kind": target_kind, "target_id": target_id, "kind": "suggestion",
                                "content": "建议增加村级财务公开频次"})


def test_the_plan_takes_comments_while_its_consultation_is_open(uow_factory):
    from datetime import timedelta

    from services.feedback.models import Feedback, Target

    uow = uow_factory("feedback")
    intake.apply_unit(uow.session, UNIT)
    intake.apply_unit(uow.session, ROOT)
    intake.open_plan_consultation(uow.session, plan_event("PlanConsultationOpened").payload)
    receipt = comment(uow)
    uow.commit()
    assert receipt["target_kind"] == "plan" and receipt["status"] == "received"
    assert uow.session.scalar(sa.select(Feedback.unit_code)) == "C000"  # the county committee answers

    target = uow.session.get(Target, ("plan", "3"))
    target.open_until = target.open_until - timedelta(days=11)  # the window has passed
    with pytest.raises(InvalidInput, match="截止"):
        comment(uow)
    intake.close_plan_consultation(uow.session, plan_event("PlanApproved").payload)
    with pytest.raises(InvalidInput, match="已结束"):
        comment(uow)


def test_a_plan_approved_before_its_consultation_event_arrived_stays_closed(uow_factory):
    uow = uow_factory("feedback")
    intake.close_plan_consultation(uow.session, plan_event("PlanApproved", plan_id=4).payload)
    intake.open_plan_consultation(uow.session, plan_event("PlanConsultationOpened", plan_id=4).payload)
    with pytest.raises(InvalidInput):
        comment(uow, target_id="4")
    with pytest.raises(NotFound):
        comment(uow, target_id="5")  # a plan never put to consultation
    intake.open_plan_consultation(uow.session, plan_event("PlanConsultationOpened", plan_id=6).payload)
    assert comment(uow, target_id="6")["status"] == "received"
    assert intake.county_root(uow.session) == intake.COUNTY_FALLBACK  # no root unit known yet


def withdrawn(item_id=7):
    return new_event("ItemWithdrawn", {
        "item_id": item_id, "unit_code": "A001", "title": "党费收缴情况", "version": 1, "audience": "society",
        "withdrawn_by": "op", "withdrawn_at": datetime.now(timezone.utc), "reason": "数据有误"})


def test_a_withdrawn_item_takes_no_more_feedback_whatever_the_order_of_events(uow_factory):
    uow = uow_factory("feedback")
    intake.apply_published_item(uow.session, published(item_id=7).payload)
    assert comment(uow, "item", "7")["status"] == "received"
    intake.apply_withdrawn_item(uow.session, withdrawn(7).payload)
    intake.apply_withdrawn_item(uow.session, withdrawn(9).payload)  # withdrawn arrives first ...
    intake.apply_published_item(uow.session, published(item_id=9).payload)  # ... published does not reopen it
    for item_id in ("7", "9"):
        with pytest.raises(NotFound):
            comment(uow, "item", item_id)


# --- deadline warnings (黄色提醒, 红色预警) --------------------------------------------------------

def deadline(type_name):
    return new_event(type_name, {"obligation_id": 11, "unit_code": "A001", "entry_code": "DF-01",
                                 "matter": "党费收缴使用管理", "period": "2026-Q3",
                                 "due_on": datetime(2026, 10, 15).date()})


def test_a_yellow_reminder_goes_to_the_liaison(uow_factory):
    uow = uow_factory("notify")
    directory.apply_unit_state(uow.session, {**UNIT, "officials": [
        {**UNIT["officials"][0]}, {**UNIT["officials"][1], "email": "zhao@example.gov.cn"}]})
    (delivery,) = plan(uow, deadline("ObligationDueSoon"))
    uow.commit()
    assert delivery.recipient == "a001@example.gov.cn"
    assert delivery.subject.startswith("【党务公开·黄色提醒】") and "2026-10-15" in delivery.subject
    assert "3 个工作日" in delivery.body


def test_a_red_warning_goes_to_the_liaison_and_the_secretary_with_an_email(uow_factory):
    uow = uow_factory("notify")
    directory.apply_unit_state(uow.session, UNIT)  # the secretary has no email
    liaison, secretary = plan(uow, deadline("ObligationOverdue"))
    assert liaison.recipient == "a001@example.gov.cn" and liaison.subject.startswith("【党务公开·红色预警】")
    assert secretary.status == "failed" and "书记" in secretary.last_error  # visible, not silent
    directory.apply_unit_state(uow.session, {**UNIT, "revision": 2, "officials": [
        {**UNIT["officials"][0]}, {**UNIT["officials"][1], "email": "zhao@example.gov.cn"}]})
    deliveries = plan(uow, deadline("ObligationOverdue"))
    uow.commit()
    assert [d.recipient for d in deliveries] == ["a001@example.gov.cn", "zhao@example.gov.cn"]
    assert all(d.status == "pending" and "已逾期" in d.subject for d in deliveries)


def test_a_red_warning_without_a_liaison_still_reaches_the_secretary(uow_factory):
    uow = uow_factory("notify")
    directory.apply_unit_state(uow.session, {**UNIT, "officials": [
        {**UNIT["officials"][1], "email": "zhao@example.gov.cn"}]})
    deliveries = plan(uow, deadline("ObligationOverdue"))
    uow.commit()
    assert [(d.recipient, d.status) for d in deliveries] == [("(A001/liaison)", "failed"),
                                                              ("zhao@example.gov.cn", "pending")]
    assert uow.session.scalar(sa.select(OutboxRecord.type)) == "NotificationFailed"


def test_feedback_deadlines_reach_the_liaison_the_secretary_then_the_county_office(uow_factory):
    uow = uow_factory("notify")
    directory.apply_unit_state(uow.session, {**UNIT, "officials": UNIT["officials"][:1] + [
        {"role": "secretary", "name": "赵秀杰", "phone": None, "email": "sec-a001@example.gov.cn"}]})
    ref = {"feedback_id": 5, "unit_code": "A001", "kind": "complaint", "target_kind": "unit", "target_id": "A001",
           "answer_due": datetime(2026, 12, 18).date()}
    told = {}
    for name, extra in (("FeedbackDueSoon", {}), ("FeedbackOverdue", {}),
                        ("FeedbackEscalated", {"level": 1, "to": "secretary"}),
                        ("FeedbackEscalated", {"level": 2, "to": "county_office"})):
        (delivery,) = plan(uow, new_event(name, {**ref, **extra}), "office@example.gov.cn")
        told[(name, extra.get("level"))] = (delivery.recipient, delivery.subject)
    assert told[("FeedbackDueSoon", None)][0] == told[("FeedbackOverdue", None)][0] == "a001@example.gov.cn"
    assert "黄色提醒" in told[("FeedbackDueSoon", None)][1] and "红色预警" in told[("FeedbackOverdue", None)][1]
    assert told[("FeedbackEscalated", 1)][0] == "sec-a001@example.gov.cn"
    assert told[("FeedbackEscalated", 2)][0] == "office@example.gov.cn"
    (unconfigured,) = plan(uow, new_event("FeedbackEscalated", {
        **ref, "level": 2, "to": "county_office"}))
    assert unconfigured.status == "failed" and "COUNTY_OFFICE_EMAIL" in unconfigured.last_error
