"""The sender's contact kept only as long as stated, without a broker: the form's notice, erasure
by the sender with the tracking code and PIN (a wrong PIN counted and nothing changed, a second
erasure refused), erasure by the retention timer a configured time after the case ended (never
before, never an open case, once each), the step and the event, no notice after it, notify's
waiting sends dropped with the address, and the erasures counted."""
import json
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from services.common.contract import new_event
from services.common.errors import Conflict, Forbidden
from services.common.records import OutboxRecord
from services.feedback import gauges, privacy
from services.feedback.models import Feedback
from services.feedback.settings import Settings
from services.notify import planner
from services.notify.models import Delivery
from services.notify.outcomes import drop_sender_sends
from services.notify.rules import Rules
from tests.feedback.test_feedback_loop import CONTACT, OPERATOR, act, county, send  # noqa: F401 (a fixture)

RETENTION = Settings(contact_retention_days=30)


def erased_events(uow):
    return [json.loads(row.body)["payload"] for row in uow.session.scalars(
        sa.select(OutboxRecord).where(OutboxRecord.type == "FeedbackContactErased").order_by(OutboxRecord.id))]


def test_the_form_is_told_the_uses_and_the_configured_period():
    notice = privacy.notice(Settings.of({"FEEDBACK": {"CONTACT_RETENTION_DAYS": "90"}}))
    assert notice["retention_days"] == 90 and any("短信或邮件" in use for use in notice["uses"])


def test_the_sender_erases_the_contact_with_the_pin_and_nothing_else_changes(county):
    uow, settings = county
    receipt, feedback = send(uow, settings)
    act(uow, OPERATOR, feedback, "accept")
    before = (feedback.status, feedback.answer_due, feedback.content)

    with pytest.raises(Forbidden):
        privacy.erase_by_sender(uow, receipt["tracking_code"], {"secret": "00000000"}, settings)
    uow.session.expire_all()
    assert uow.session.get(Feedback, feedback.id).contact == CONTACT  # a wrong PIN: counted, nothing erased

    view = privacy.erase_by_sender(uow, receipt["tracking_code"], {"secret": receipt["secret"]}, settings)
    uow.commit()
    assert view["contact_kept"] is False and view["contact_erased_at"] and view["steps"][-1]["action"] == "erase_contact"
    stored = uow.session.get(Feedback, feedback.id)
    assert stored.contact is None and (stored.status, stored.answer_due, stored.content) == before
    assert privacy.sender_contact(uow.session, feedback.id) == {"tracking_code": receipt["tracking_code"],
                                                                "mobile": None, "email": None}
    (event,) = erased_events(uow)
    assert event["reason"] == "sender" and event["tracking_code"] == receipt["tracking_code"]
    assert CONTACT not in json.dumps(event)

    with pytest.raises(Conflict, match="没有留存的联系方式"):
        privacy.erase_by_sender(uow, receipt["tracking_code"], {"secret": receipt["secret"]}, settings)
    uow.rollback()
    assert len(erased_events(uow)) == 1


def test_the_retention_timer_erases_once_the_period_after_the_end_has_passed(county):
    uow, settings = county
    _, refused = send(uow, settings, content="第一条：请修路")
    _, still_open = send(uow, settings, content="第二条：请修桥")
    _, no_contact = send(uow, settings, content="第三条：请修渠", contact=None)
    act(uow, OPERATOR, refused, "reject", {"reason": "不属于本单位职责"})
    act(uow, OPERATOR, no_contact, "reject", {"reason": "不属于本单位职责"})
    ended = uow.session.get(Feedback, refused.id).closed_at

    assert privacy.erase_expired(uow, RETENTION, ended + timedelta(days=29)) == 0  # not yet
    assert privacy.erase_expired(uow, RETENTION, ended + timedelta(days=30, seconds=1)) == 1
    assert privacy.erase_expired(uow, RETENTION, ended + timedelta(days=31)) == 0  # once
    uow.session.expire_all()
    assert uow.session.get(Feedback, refused.id).contact is None
    assert uow.session.get(Feedback, still_open.id).contact == CONTACT  # an open case keeps it
    assert [e["reason"] for e in erased_events(uow)] == ["retention"]

    erased = {s.labels["reason"]: s.value for family in gauges.gauges(uow.session)
              if family.name == "gongkai_feedback_contacts_erased" for s in family.samples if s.name.endswith("_total")}
    assert erased == {"sender": 0, "retention": 1}


def test_after_erasure_notify_drops_the_sends_still_waiting_and_plans_none(uow_factory):
    uow = uow_factory("notify")
    two_am = datetime(2027, 3, 11, 18, 0, tzinfo=timezone.utc)  # 02:00 in the county: the SMS waits
    payload = {"feedback_id": 5, "unit_code": "A001", "kind": "question", "target_kind": "unit", "target_id": "A001",
               "accepted_by": "op", "accepted_at": two_am, "acknowledge_due": two_am.date(),
               "acknowledged_on_time": True, "answer_due": two_am.date()}
    settings = {"PUBLIC_URL": "https://gk.example", "QUIET_HOURS": "22:00-07:30", "SMS": {"URL": "http://x/sms"}}
    contact = {"tracking_code": "ABCD2345EF", "mobile": "13812340000", "email": None}
    planner.plan(uow.session, new_event("FeedbackAccepted", payload), Rules(), settings, two_am, contact)
    uow.commit()
    assert drop_sender_sends(uow.session, "ABCD2345EF") == 1
    uow.commit()
    (sms,) = uow.session.scalars(sa.select(Delivery))
    assert (sms.status, sms.recipient, sms.next_attempt_at) == ("failed", "138***", None)
    gone = {"tracking_code": "ABCD2345EF", "mobile": None, "email": None}
    assert planner.plan(uow.session, new_event("FeedbackAccepted", payload), Rules(), settings, two_am, gone) == []
