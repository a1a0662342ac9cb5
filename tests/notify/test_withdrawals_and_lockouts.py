"""Two notices, without a broker: a rectification withdrawn because a corrected inspection record
removed its finding tells the unit's operator (联络员) and reviewer (审核人) that nothing is left
to put right, on every channel the other rectification notices have a text for, with the console
link to the rectification; and an account locked out after wrong passwords from many addresses
reaches the security administrators — the configured mailbox (sent, through a real SMTP server)
and the in-app inbox of each enabled secadmin account, nobody else."""
import json
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa

from services.common.contract import json_default, new_event
from services.common.records import OutboxRecord
from services.notify import directory, handling, planner, templates
from services.notify.engine import Engine
from services.notify.models import Delivery, InboxMessage
from services.notify.sender import Sender
from tests.notify.test_notify_channels import DAY, RULES, VILLAGE, by_channel, county, settings

PUBLIC = "https://gk.example"
WITHDRAWN = {"rectification_id": 4, "inspection_id": 2, "unit_code": "V01", "dimension": "on_time",
             "finding": "三季度财务未按时公开", "deadline": date(2026, 12, 18), "withdrawn_by": "insp-zhou",
             "withdrawn_at": datetime(2026, 12, 1, 2, 30, tzinfo=timezone.utc), "revision": 2,
             "reason": "复核台账后确认已按时公开"}
REVIEWER = {"role": "reviewer", "name": "周审核", "phone": "13900000004", "email": "v01-review@example.gov.cn"}
LOCKOUT = {"username": "rv-v01", "role": "reviewer", "unit_code": "V01",
           "locked_until": datetime(2026, 12, 1, 7, 15, tzinfo=timezone.utc), "failures": 20, "addresses": 10}


class Asleep:
    def wake(self):
        pass


def account(username, role, unit_code=None, enabled=True):
    return new_event("AccountCreated", {"username": username, "revision": 1, "display_name": username, "role": role,
                                        "unit_code": unit_code, "enabled": enabled})


# --- RectificationWithdrawn ----------------------------------------------------------------------

def test_a_withdrawn_rectification_tells_the_units_operator_and_reviewer_with_the_rectifications_link(
        uow_factory):
    uow = uow_factory("notify")
    county(uow)  # the town T01 and the village V01 (liaison with email and phone, secretary), op-v01
    directory.apply_unit_state(uow.session, {**VILLAGE, "revision": 2, "officials": [*VILLAGE["officials"], REVIEWER]})
    for username, role, unit in (("rv-v01", "reviewer", "V01"), ("rv-t01", "reviewer", "T01")):
        directory.apply_account_state(uow.session, {"username": username, "revision": 1, "display_name": username,
                                                    "role": role, "unit_code": unit, "enabled": True})
    uow.commit()
    event = new_event("RectificationWithdrawn", WITHDRAWN)
    sms = settings(SMS={"URL": "http://127.0.0.1:1/sms"}, ROBOTS={"WECOM": {"URL": "http://127.0.0.1:1/w"}})
    deliveries = by_channel(planner.plan(uow.session, event, RULES, sms, DAY))
    uow.commit()
    assert set(deliveries) == {("email", "v01@example.gov.cn"), ("email", "v01-review@example.gov.cn"),
                               ("sms", "13900000002")}  # not the secretary, not the town, no robot
    link = f"{PUBLIC}/console/rectifications/4"
    for delivery in deliveries.values():
        assert delivery.status == "pending" and delivery.urgency == "normal" and delivery.next_attempt_at == DAY
        assert link in delivery.body and delivery.link == link
    email = deliveries[("email", "v01-review@example.gov.cn")]
    assert "整改已撤销" in email.subject and "整改 4" in email.subject
    for text in ("三季度财务未按时公开", "复核台账后确认已按时公开", "第 2 版", "insp-zhou",
                 "2026-12-01 10:30", "2026-12-18", "无需再提交"):  # withdrawn at 10:30 county time
        assert text in email.body, (text, email.body)
    assert "已撤销" in deliveries[("sms", "13900000002")].body
    inbox = {m.username: m for m in uow.session.scalars(sa.select(InboxMessage))}
    assert set(inbox) == {"op-v01", "rv-v01"}  # the unit's operator and reviewer; the town's reviewer is not told
    assert all(m.link == link and m.subject == email.subject for m in inbox.values())


def test_a_withdrawal_has_its_own_text_on_every_channel_the_other_rectification_notices_have():
    others = {path.name.split(".")[-2] for path in templates.DIRECTORY.glob("Rectification*.j2")
              if not path.name.startswith("RectificationWithdrawn.")}
    assert others == {"email", "sms", "wecom", "dingtalk"}
    payload = json.loads(json.dumps(WITHDRAWN, default=json_default))  # as notify has it: through JSON
    link = PUBLIC + RULES.for_event("RectificationWithdrawn").link_for(payload)
    assert link == f"{PUBLIC}/console/rectifications/4"
    for channel in sorted(others | {"inbox"}):
        own = templates.file_for("RectificationWithdrawn", channel)
        assert own == f"RectificationWithdrawn.{'email' if channel == 'inbox' else channel}.j2"
        subject, body = templates.render("RectificationWithdrawn", channel, payload, link, "东村党支部")
        assert link in body and "撤销" in subject + body and "{{" not in body, (channel, body)
        assert bool(subject) == (channel in ("email", "inbox")), (channel, subject)


# --- AccountLockedOut ----------------------------------------------------------------------------

@pytest.fixture
def engine_for():
    def make(**extra):
        return Engine(RULES, Asleep(), settings(**extra))
    return make


def test_a_lockout_reaches_the_security_administrators_mailbox_and_their_inboxes(uow_factory, engine_for, mail_sink):
    uow = uow_factory("notify")
    engine = engine_for(SECADMIN_EMAIL="security@example.gov.cn")
    for made in (account("sec-a", "secadmin"), account("sec-b", "secadmin"),
                 account("sec-gone", "secadmin", enabled=False), account("root", "admin"),
                 account("rv-v01", "reviewer", "V01")):
        handling.handle(uow, engine, made)  # notify learns the accounts from units' events
    uow.commit()
    handling.handle(uow, engine, new_event("AccountLockedOut", LOCKOUT))
    uow.commit()
    (email,) = uow.session.scalars(sa.select(Delivery).where(Delivery.cause_type == "AccountLockedOut")).all()
    assert (email.channel, email.recipient, email.status, email.urgency) == (
        "email", "security@example.gov.cn", "pending", "urgent")
    assert "rv-v01" in email.subject and "20 次" in email.subject and "10 个网络地址" in email.subject
    assert "2026-12-01 15:15" in email.body  # locked until 15:15 county time
    assert email.link == f"{PUBLIC}/console/accounts" and email.link in email.body
    inbox = {m.username: m for m in uow.session.scalars(sa.select(InboxMessage))}
    assert set(inbox) == {"sec-a", "sec-b"}  # enabled secadmin accounts only: not the admin, not the locked one
    assert all(m.urgency == "urgent" and m.subject == email.subject and m.link == email.link for m in inbox.values())

    uow.commit()  # the sender works in sessions of its own
    config = {"SMTP": {"HOST": "127.0.0.1", "PORT": mail_sink.port, "FROM": "gk@example.gov.cn"},
              "NOTIFY": engine.settings}
    assert Sender(uow._sessions, config).pass_once(wait=True) == 1
    uow.session.expire_all()
    assert uow.session.get(Delivery, email.id).status == "delivered"
    (sent,) = mail_sink.messages()
    assert sent["To"] == "security@example.gov.cn" and sent["Subject"] == email.subject
    assert f"{PUBLIC}/console/accounts" in sent.get_content()


def test_without_a_security_mailbox_the_lockout_is_a_visible_failure_and_the_inboxes_still_hear(uow_factory,
                                                                                              engine_for):
    uow = uow_factory("notify")
    engine = engine_for()  # no NOTIFY SECADMIN_EMAIL
    handling.handle(uow, engine, account("sec-a", "secadmin"))
    handling.handle(uow, engine, new_event("AccountLockedOut", LOCKOUT))
    uow.commit()
    (email,) = uow.session.scalars(sa.select(Delivery).where(Delivery.cause_type == "AccountLockedOut")).all()
    assert (email.recipient, email.status) == ("(secadmin)", "failed")
    assert "SECADMIN_EMAIL" in email.last_error
    (failed,) = uow.session.scalars(sa.select(OutboxRecord).where(OutboxRecord.type == "NotificationFailed")).all()
    assert "SECADMIN_EMAIL" in failed.body  # announced at once, not left for someone to find
    assert [m.username for m in uow.session.scalars(sa.select(InboxMessage))] == ["sec-a"]
