"""A feedback sender hears back, without a broker: feedback reads the mobile and email out of the
contact, notify plans one SMS and one email per state change where the sender left that kind of
address (none otherwise), with the tracking link and never the PIN; an event handled twice
sends nothing twice; an SMS (first attempt or retry) never goes out in quiet hours; and notify
keeps the sender's address only until the send is finished."""
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
import time_machine

from services.common.contract import new_event
from services.feedback import privacy
from services.notify import handling, planner, templates
from services.notify.engine import Engine
from services.notify.models import Delivery
from services.notify.rules import Rules
from services.notify.sender import Sender
from services.common.workdays import COUNTY_TIMEZONE

RULES = Rules()
SETTINGS = {"PUBLIC_URL": "https://gk.example", "QUIET_HOURS": "22:00-07:30", "SMS": {"URL": "http://127.0.0.1:9/sms",
                                                                                 "TEMPLATES": {"default": "SMS_1"}}}
NOON = datetime(2027, 3, 10, 12, 0, tzinfo=COUNTY_TIMEZONE).astimezone(timezone.utc)
TWO_AM = datetime(2027, 3, 11, 2, 0, tzinfo=COUNTY_TIMEZONE).astimezone(timezone.utc)
class Asleep:
    def wake(self):
        pass


SENDER = {"tracking_code": "ABCD2345EF", "mobile": "13812340000", "email": "villager@example.cn"}


def accepted(feedback_id=5):
    return new_event("FeedbackAccepted", {
        "feedback_id": feedback_id, "unit_code": "A001", "kind": "question", "target_kind": "unit", "target_id": "A001",
        "accepted_by": "op-a001", "accepted_at": NOON, "acknowledge_due": NOON.date(), "acknowledged_on_time": True,
        "answer_due": NOON.date() + timedelta(days=21)})


@pytest.mark.parametrize("contact, mobile, email", [
    ("13812340000", "13812340000", None),
    ("电话 +86 138-1234-0000，邮箱 Wang.Li@example.com.cn", "13812340000", "Wang.Li@example.com.cn"),
    ("villager@example.cn", None, "villager@example.cn"),
    ("0592-1234567 王先生", None, None),
    (None, None, None),
    ("123812340000", None, None),  # twelve digits: not a mobile number
])
def test_the_contact_gives_a_mobile_and_an_email_or_neither(contact, mobile, email):
    assert privacy.channels_of(contact) == {"mobile": mobile, "email": email}


def test_one_sms_and_one_email_with_the_tracking_link_and_nothing_twice(uow_factory):
    uow = uow_factory("notify")
    event = accepted()
    asked = []
    engine = Engine(RULES, Asleep(), SETTINGS)

    def lookup(feedback_id):
        asked.append(feedback_id)
        return SENDER

    for _ in range(2):  # the same event delivered twice
        handling.handle(uow, engine, event, lookup)
        uow.commit()
    deliveries = list(uow.session.scalars(sa.select(Delivery).order_by(Delivery.channel)))
    assert [(d.channel, d.recipient, d.status) for d in deliveries] == [
        ("email", "villager@example.cn", "pending"), ("sms", "13812340000", "pending")]
    assert asked == [5, 5]
    for delivery in deliveries:
        assert "https://gk.example/track/ABCD2345EF" in delivery.body and "/console" not in delivery.body
        assert "受理" in delivery.body + delivery.subject
    assert deliveries[0].subject == "您的咨询已受理"


def test_no_contact_no_delivery_and_events_for_officials_ask_nothing(uow_factory):
    uow = uow_factory("notify")
    engine = Engine(RULES, Asleep(), SETTINGS)
    handling.handle(uow, engine, accepted(), lambda _id: {"tracking_code": "ABCD2345EF", "mobile": None, "email": None})
    handling.handle(uow, engine, accepted(6), lambda _id: None)  # feedback knows no such feedback
    only_email = planner.plan(uow.session, accepted(7), RULES, SETTINGS, NOON,
                              {"tracking_code": "ABCD2345EG", "mobile": None, "email": "a@example.cn"})
    assert [d.channel for d in only_email] == ["email"]
    received = new_event("FeedbackReceived", {
        "feedback_id": 8, "tracking_code": "X", "target_kind": "unit", "target_id": "A001", "unit_code": "A001",
        "kind": "question", "source": "public", "summary": "路灯", "received_at": NOON,
        "acknowledge_due": NOON.date(), "answer_due": NOON.date(), "provisional": False})
    handling.handle(uow, engine, received, lambda _id: pytest.fail("FeedbackReceived tells the unit only"))
    uow.commit()
    assert uow.session.scalar(sa.select(sa.func.count()).select_from(Delivery).where(
        Delivery.delivery_key.like("%:sender"))) == 1


def test_an_sms_in_quiet_hours_waits_for_the_morning_and_so_does_its_retry(uow_factory):
    uow = uow_factory("notify")
    (sms,) = [d for d in planner.plan(uow.session, accepted(), RULES, SETTINGS, TWO_AM, SENDER) if d.channel == "sms"]
    uow.session.execute(sa.delete(Delivery).where(Delivery.channel == "email"))  # email knows no quiet hours
    uow.commit()
    assert sms.next_attempt_at.astimezone(COUNTY_TIMEZONE) == datetime(2027, 3, 11, 7, 30, tzinfo=COUNTY_TIMEZONE)

    # sent at 21:59:58, refused for the moment: its backoff retry would fall at 22:00:03
    late = datetime(2027, 3, 11, 21, 59, 58, tzinfo=COUNTY_TIMEZONE).astimezone(timezone.utc)
    uow.session.execute(sa.update(Delivery).where(Delivery.id == sms.id).values(next_attempt_at=late))
    uow.commit()
    sender = Sender(uow._sessions, {"NOTIFY": {**SETTINGS, "RETRY_BASE_SECONDS": 5}}, clock=lambda: late)
    assert sender.pass_once(wait=True) == 1  # nothing listens on port 9: a transient failure
    uow.session.expire_all()
    retry = uow.session.get(Delivery, sms.id)
    assert retry.status == "pending" and retry.attempts == 1
    assert retry.next_attempt_at.astimezone(COUNTY_TIMEZONE) == datetime(2027, 3, 12, 7, 30, tzinfo=COUNTY_TIMEZONE)
    assert retry.recipient == "13812340000"  # still needed for the retry, sealed at rest


def test_notify_keeps_the_senders_address_only_until_the_send_is_finished(uow_factory):
    uow = uow_factory("notify")
    planner.plan(uow.session, accepted(), RULES, SETTINGS, NOON, SENDER)
    uow.commit()
    stored = uow.session.execute(sa.text("SELECT recipient FROM deliveries")).scalars().all()
    assert all("13812340000" not in s and "villager" not in s for s in stored)  # sealed at rest
    uow.session.execute(sa.update(Delivery).values(next_attempt_at=NOON))
    uow.commit()
    dead_smtp = {"HOST": "127.0.0.1", "PORT": 9, "FROM": "gongkai@example.gov.cn", "TIMEOUT_SECONDS": 1}
    sender = Sender(uow._sessions, {"SMTP": dead_smtp, "NOTIFY": {**SETTINGS, "MAX_ATTEMPTS": 1}})
    with time_machine.travel(NOON, tick=True):  # noon in the county: no quiet hours hold the SMS back
        assert sender.pass_once(wait=True) == 2
    uow.session.expire_all()
    finished = {d.channel: (d.status, d.recipient) for d in uow.session.scalars(sa.select(Delivery))}
    assert finished == {"email": ("dead", "vi***@example.cn"), "sms": ("dead", "138***")}


def test_the_units_email_of_new_feedback_names_what_it_is_about_in_chinese():
    payload = {"kind": "suggestion", "tracking_code": "FK-7Q2M", "target_kind": "unit", "target_id": "A001",
               "acknowledge_due": "2027-01-05", "answer_due": "2027-01-18", "summary": "公开栏的照片看不清"}
    _subject, body = templates.render("FeedbackReceived", "email", payload, "https://gk.example/console/feedback/1")
    assert "关于党组织 A001 的" in body and "unit" not in body
