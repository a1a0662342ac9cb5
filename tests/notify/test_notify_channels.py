"""notify without a broker: each channel against a real local peer (the SMS provider, the
企业微信 and 钉钉 robots, a subscriber checking Standard Webhooks signatures, aiosmtpd), the
rules file's errors and reloading, quiet hours and the digest on a faked clock, retries,
dead letters, ordering and auto-disabling of webhooks, SSRF checks, template previews."""
import base64
import hashlib
import hmac
import json
import time
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
import time_machine
from standardwebhooks.webhooks import Webhook as Verifier

from services.common.actor import Actor
from services.common.contract import new_event
from services.common.errors import Gone, InvalidInput, NotFound
from services.common.records import OutboxRecord
from services.notify import channels, console, directory, netcheck, planner, sms_vendors, webhooks
from services.notify.models import Delivery, InboxMessage, Webhook, WebhookAttempt
from services.notify.rules import Rules, RulesError, parse
from services.notify.sender import Sender
from tests.peers.http_peer import Peer
from tests.feedback.test_feedback_and_notify_rules import UNIT

RULES = Rules()
TOWN = {**UNIT, "code": "T01", "name": "城关镇党委", "sector": "town", "org_type": "committee", "parent_code": None,
        "officials": [{"role": "secretary", "name": "钱书记", "phone": "13900000001", "email": None}]}
VILLAGE = {**UNIT, "code": "V01", "name": "东村党支部", "sector": "village", "parent_code": "T01",
           "officials": [{"role": "liaison", "name": "孙联络", "phone": "13900000002", "email": "v01@example.gov.cn"},
                         {"role": "secretary", "name": "李书记", "phone": "13900000003", "email": None}]}
ADMIN = Actor("root", "admin")
# 14:00 county time on a weekday, then 23:00 (quiet hours)
DAY = datetime(2026, 12, 1, 6, 0, tzinfo=timezone.utc)
NIGHT = datetime(2026, 12, 1, 15, 0, tzinfo=timezone.utc)


@pytest.fixture
def peer():
    made = []

    def start(answer=None):
        server = Peer(answer) if answer else Peer()
        made.append(server.start())
        return server
    yield start
    for server in made:
        server.stop()


def settings(**extra):
    return {"COUNTY_OFFICE_EMAIL": "office@example.gov.cn", "ADMIN_EMAIL": "admin@example.gov.cn",
            "PUBLIC_URL": "https://gk.example", "QUIET_HOURS": "22:00-07:30", "DIGEST_AT": "08:30",
            "RETRY_BASE_SECONDS": 1, "MAX_ATTEMPTS": 3, "WEBHOOK_DISABLE_AFTER": 3, "WEBHOOK_ALLOW": "127.0.0.1",
            "READ_TIMEOUT_SECONDS": 1, "CONNECT_TIMEOUT_SECONDS": 1, **extra}


def rectification_overdue():
    return new_event("RectificationOverdue", {
        "rectification_id": 4, "inspection_id": 2, "unit_code": "V01", "dimension": "on_time",
        "finding": "三季度财务未按时公开", "deadline": datetime(2026, 11, 30).date()})


def obligation(type_name="ObligationDueSoon", obligation_id=11):
    return new_event(type_name, {"obligation_id": obligation_id, "unit_code": "V01", "entry_code": "DF-01",
                                 "matter": "党费收缴使用管理", "period": "2026-Q4", "due_on": datetime(2026, 12, 4).date()})


def county(uow):
    for state in (TOWN, VILLAGE):
        directory.apply_unit_state(uow.session, state)
    directory.apply_account_state(uow.session, {"username": "op-v01", "revision": 1, "display_name": "孙联络",
                                                "role": "operator", "unit_code": "V01", "enabled": True})
    uow.commit()


def by_channel(deliveries):
    return {(d.channel, d.recipient): d for d in deliveries}


def sender_for(uow, peer_settings, clock=None):
    config = {"SMTP": {"HOST": "127.0.0.1", "PORT": 9, "FROM": "gk@example.gov.cn", "TIMEOUT_SECONDS": 1},
              "NOTIFY": peer_settings}
    return Sender(uow._sessions, config, clock=clock or (lambda: datetime.now(timezone.utc)))


def due_now(uow):
    uow.session.execute(sa.update(Delivery).where(Delivery.status == "pending")
                        .values(next_attempt_at=datetime.now(timezone.utc) - timedelta(seconds=1)))
    uow.commit()


# --- the rules file ---------------------------------------------------------------------------

def test_the_rules_file_is_checked_whole_with_errors_naming_the_place(tmp_path):
    with pytest.raises(RulesError) as refused:
        parse("events:\n  NoSuchEvent: {tell: [{to: [liaison], channels: [email]}]}\n"
              "  ItemPublished: {link: '/items/{item_id}', tell: [{to: [mayor], channels: [fax], urgency: high}]}\n"
              "  WebhookDisabled: {link: item, tell: [{to: [admin], channels: [email]}]}\n")
    text = str(refused.value)
    for expected in ("NoSuchEvent: unknown event type", "unknown recipient mayor", "unknown channel fax",
                     "the link must name a console page", "the item page needs item_id, which WebhookDisabled",
                     "urgency must be one of"):
        assert expected in text
    with pytest.raises(RulesError, match="no template"):
        parse("events:\n  PlanApproved: {tell: [{to: [county_office], channels: [email]}]}\n")
    path = tmp_path / "rules.yaml"
    path.write_text("events:\n  ItemPublished: {tell: [{to: [liaison], channels: [email]}]}\n", encoding="utf-8")
    rules = Rules(path)
    assert rules.event_types() == {"ItemPublished"}
    time.sleep(0.01)
    path.write_text("events:\n  ItemPublished: {tell: [{to: [liaison], channels: [sms]}]}\n"
                    "  ItemRejected: {tell: [{to: [author], channels: [inbox]}]}\n", encoding="utf-8")
    assert rules.event_types() == {"ItemPublished", "ItemRejected"}  # reread on change
    path.write_text("events: [broken", encoding="utf-8")
    assert rules.event_types() == {"ItemPublished", "ItemRejected"}  # a broken edit: the previous stay


# --- planning: recipients, quiet hours, digest, preferences, inbox --------------------------------

def test_a_red_rectification_reaches_the_unit_its_town_and_waits_for_nothing(uow_factory):
    uow = uow_factory("notify")
    county(uow)
    sms = settings(SMS={"URL": "http://127.0.0.1:1/sms"}, ROBOTS={"WECOM": {"URL": "http://127.0.0.1:1/w"}})
    deliveries = by_channel(planner.plan(uow.session, rectification_overdue(), RULES, sms, NIGHT))
    uow.commit()
    assert deliveries[("email", "v01@example.gov.cn")].status == "pending"
    assert deliveries[("email", "(V01/secretary)")].status == "failed"  # no email on record: visible
    for phone in ("13900000002", "13900000003", "13900000001"):  # liaison, secretary, the town's secretary
        assert deliveries[("sms", phone)].next_attempt_at == NIGHT  # urgent: not held for the morning
    robot = deliveries[("wecom", "13900000002,13900000003")]
    assert robot.destination == "wecom" and "逾期" in robot.body
    (message,) = uow.session.scalars(sa.select(InboxMessage)).all()
    assert message.username == "op-v01" and message.link == "https://gk.example/console/rectifications/4"
    assert "2026-11-30" in message.subject


def test_quiet_hours_hold_normal_sms_and_robots_until_morning_county_time():
    assert planner.quiet_until(DAY, "22:00-07:30") is None
    morning = planner.quiet_until(NIGHT, "22:00-07:30")
    assert morning == datetime(2026, 12, 1, 23, 30, tzinfo=timezone.utc)  # 07:30 on 2 Dec in Shanghai
    early = datetime(2026, 12, 1, 21, 0, tzinfo=timezone.utc)  # 05:00 county time
    assert planner.quiet_until(early, "22:00-07:30") == morning


def test_a_retry_that_would_fall_in_quiet_hours_waits_for_the_morning_too(uow_factory, peer):
    uow = uow_factory("notify")
    county(uow)
    provider = peer(lambda request: (503, {}))
    sms = settings(SMS={"URL": provider.url + "/sms", "TEMPLATES": {"default": "SMS_1"}}, RETRY_BASE_SECONDS=600)
    evening = datetime(2026, 12, 1, 13, 55, tzinfo=timezone.utc)  # 21:55 county time: not quiet yet
    reminded = new_event("ObligationReminded", {
        "obligation_id": 11, "unit_code": "V01", "entry_code": "DF-01", "matter": "党费收缴使用管理", "period": "2026-Q4",
        "due_on": datetime(2026, 12, 4).date(), "year": 2026, "status": "overdue", "reminded_by": "office",
        "reminded_at": evening, "note": "", "reminder_no": 1})
    (text,) = [d for d in planner.plan(uow.session, reminded, RULES, sms, evening) if d.channel == "sms"]
    assert text.next_attempt_at == evening  # goes at once
    uow.session.execute(sa.update(Delivery).where(Delivery.channel == "email").values(status="delivered"))
    uow.commit()
    assert sender_for(uow, sms, clock=lambda: evening).pass_once(wait=True) == 1
    uow.session.expire_all()
    retry = uow.session.get(Delivery, text.id)
    assert retry.status == "pending" and retry.attempts == 1 and len(provider.requests) == 1
    morning = datetime(2026, 12, 1, 23, 30, tzinfo=timezone.utc)  # 07:30 county time, not 22:05
    assert retry.next_attempt_at.replace(tzinfo=timezone.utc) == morning
    uow.commit()
    two_am = datetime(2026, 12, 1, 18, 0, tzinfo=timezone.utc)
    assert sender_for(uow, sms, clock=lambda: two_am).pass_once(wait=True) == 0  # nothing goes out at 02:00


def test_yellow_warnings_are_bundled_into_one_morning_digest_per_person_and_channel(uow_factory, peer):
    uow = uow_factory("notify")
    county(uow)
    provider = peer(lambda request: (200, {"Code": "OK", "Message": "OK", "BizId": "1"}))
    sms = settings(SMS={"URL": provider.url + "/sms", "KEY": "k", "SIGN_NAME": "党务公开",
                        "TEMPLATES": {"default": "SMS_1"}})
    for number in (11, 12, 13):
        planned = planner.plan(uow.session, obligation(obligation_id=number), RULES, sms, NIGHT)
        assert {d.status for d in planned if d.channel == "sms"} == {"held"}
        assert {d.status for d in planned if d.channel == "email"} == {"pending"}  # email goes at once
    uow.commit()
    assert planner.bundle_digests(uow.session, NIGHT + timedelta(hours=1), sms) == []  # 00:00: not yet
    (digest,) = planner.bundle_digests(uow.session, NIGHT + timedelta(hours=10), sms)  # 09:00 county time
    uow.commit()
    assert digest.channel == "sms" and digest.recipient == "13900000002" and digest.body.count("党费收缴使用管理") == 3
    assert planner.bundle_digests(uow.session, NIGHT + timedelta(hours=10, minutes=5), sms) == []  # once
    uow.session.execute(sa.update(Delivery).where(Delivery.channel == "email").values(status="delivered"))
    due_now(uow)
    assert sender_for(uow, sms).pass_once(wait=True) == 1
    (request,) = provider.requests
    body = request.json()
    assert body["PhoneNumbers"] == "13900000002" and body["TemplateCode"] == "SMS_1" and body["SignName"] == "党务公开"
    assert body["OutId"] == digest.message_id and "每日提醒" in json.loads(body["TemplateParam"])["content"]
    assert request.headers["authorization"] == "Bearer k"


def test_an_official_turns_a_channel_off_and_the_office_sets_defaults(uow_factory):
    uow = uow_factory("notify")
    county(uow)
    office = {"username": "office", "role": "inspector"}
    operator = {"username": "op-v01", "role": "operator", "unit": "V01"}
    console.set_preferences(uow.session, Actor.of(office), {"sms": False}, defaults=True)
    console.set_preferences(uow.session, Actor.of(operator), {"email": False})
    with pytest.raises(InvalidInput):
        console.set_preferences(uow.session, Actor.of(operator), {"fax": True})
    uow.commit()
    sms = settings(SMS={"URL": "http://127.0.0.1:1/sms"})
    planned = planner.plan(uow.session, obligation("ObligationOverdue"), RULES, sms, DAY)
    channels_to_liaison = {d.channel for d in planned if d.unit_code == "V01" and "0002" in d.recipient + "v01"}
    assert "email" not in channels_to_liaison and not [d for d in planned if d.channel == "sms"]
    assert console.preferences(uow.session, "op-v01")["channels"]["email"] is False


# --- channels against their peers ----------------------------------------------------------------

def delivery(channel, recipient, body="【红色预警】测试", cause="ObligationOverdue"):
    return Delivery(id=1, channel=channel, recipient=recipient, body=body, subject="s", cause_type=cause,
                    message_id="<abc@gk>", delivery_key="k")


def test_sms_provider_answers_are_classified(peer):
    answers = iter([(200, {"Code": "OK"}), (200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"}),
                    (200, {"Code": "isv.BUSINESS_LIMIT_CONTROL"}), (200, b"<html>gateway</html>"), (503, {})])
    provider = peer(lambda request: next(answers))
    sms = {"URL": provider.url, "TEMPLATES": {"default": "SMS_1"}, "READ_TIMEOUT_SECONDS": 1}
    sms_vendors.send(sms, delivery("sms", "13900000002"))
    with pytest.raises(channels.Permanent, match="MOBILE_NUMBER_ILLEGAL"):
        sms_vendors.send(sms, delivery("sms", "123"))
    for _ in range(3):  # rate limited, garbage, 5xx: worth another try
        with pytest.raises(channels.Transient):
            sms_vendors.send(sms, delivery("sms", "13900000002"))
    assert channels.segments("字" * 70) == 1 and channels.segments("字" * 71) == 2


def test_a_hanging_provider_is_a_transient_failure_within_the_timeout(peer):
    provider = peer(lambda request: (time.sleep(3), (200, {"Code": "OK"}))[1])
    started = time.monotonic()
    with pytest.raises(channels.Transient, match="in time"):
        sms_vendors.send({"URL": provider.url, "TEMPLATES": {"default": "S"}, "READ_TIMEOUT_SECONDS": 0.5},
                          delivery("sms", "13900000002"))
    assert time.monotonic() - started < 2


def test_wecom_robot_body_mentions_and_errcode_inside_a_200(peer):
    answers = iter([(200, {"errcode": 0, "errmsg": "ok"}), (200, {"errcode": 93000, "errmsg": "invalid webhook url"}),
                    (200, {"errcode": 45009, "errmsg": "api freq out of limit"})])
    robot = peer(lambda request: next(answers))
    config = {"URL": robot.url + "/cgi-bin/webhook/send?key=abc"}
    limiter = channels.RateLimiter()
    channels.send_wecom(config, delivery("wecom", "13900000002,13900000003"), limiter)
    assert robot.requests[0].json() == {"msgtype": "text", "text": {
        "content": "【红色预警】测试", "mentioned_mobile_list": ["13900000002", "13900000003"]}}
    assert robot.requests[0].query == {"key": ["abc"]}
    with pytest.raises(channels.Permanent, match="93000"):
        channels.send_wecom(config, delivery("wecom", ""), limiter)
    with pytest.raises(channels.Transient, match="45009"):
        channels.send_wecom(config, delivery("wecom", ""), limiter)


def test_dingtalk_robot_is_signed_mentions_by_mobile_and_its_throttle_waits_ten_minutes(peer):
    secret = "SEC0123456789abcdef"

    def answer(request):
        timestamp, sign = request.query["timestamp"][0], request.query["sign"][0]
        expected = base64.b64encode(hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(),
                                             hashlib.sha256).digest()).decode()
        assert sign == expected and abs(int(timestamp) / 1000 - time.time()) < 60
        return (200, {"errcode": 0, "errmsg": "ok"}) if len(robot.requests) == 1 else \
            (200, {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"})
    robot = peer(answer)
    config = {"URL": robot.url + "/robot/send?access_token=t", "SECRET": secret}
    limiter = channels.RateLimiter()
    channels.send_dingtalk(config, delivery("dingtalk", "13900000002"), limiter)
    body = robot.requests[0].json()
    assert body["msgtype"] == "text" and body["at"] == {"atMobiles": ["13900000002"], "isAtAll": False}
    assert body["text"]["content"].endswith("@13900000002")
    with pytest.raises(channels.Transient) as throttled:
        channels.send_dingtalk(config, delivery("dingtalk", ""), limiter)
    assert throttled.value.delay == 600


def test_twenty_robot_messages_a_minute_then_wait_without_using_an_attempt():
    clock = [0.0]
    limiter = channels.RateLimiter(clock=lambda: clock[0])
    assert all(limiter.wait_for("r") == 0 for _ in range(20))
    assert limiter.wait_for("r") == pytest.approx(60)
    assert limiter.wait_for("other") == 0  # per robot
    clock[0] = 60.5
    assert limiter.wait_for("r") == 0


def test_email_has_one_message_id_per_delivery_even_when_resent(uow_factory, mail_sink):
    uow = uow_factory("notify")
    county(uow)
    (email,) = [d for d in planner.plan(uow.session, obligation("ObligationOverdue"), RULES, settings(), DAY)
                if d.channel == "email" and d.status == "pending"]
    uow.commit()
    smtp = {"HOST": "127.0.0.1", "PORT": mail_sink.port, "FROM": "gk@example.gov.cn"}
    channels.send_email(smtp, email)
    channels.send_email(smtp, email)  # a crash between send and mark: the resend
    first, second = mail_sink.messages()
    assert first["Message-ID"] == second["Message-ID"] == email.message_id
    assert "2026-12-04" in first["Subject"] and "https://gk.example/console/obligations/11" in first.get_content()


# --- subscribers' webhooks ------------------------------------------------------------------------

def test_ssrf_urls_inside_the_network_are_refused_unless_allowed():
    for url in ("http://10.1.2.3/x", "http://169.254.169.254/latest", "http://[::1]/", "http://192.168.0.1/",
                "http://127.0.0.1:8000/"):
        with pytest.raises(InvalidInput, match="内部网络"):
            netcheck.check(url, None)
    netcheck.check("http://127.0.0.1:8000/", "127.0.0.1")
    netcheck.check("http://10.20.3.4/", "10.20.0.0/16")
    with pytest.raises(InvalidInput, match="内部网络"):  # a name resolving inside is refused too
        netcheck.check("http://intranet.example/", None, resolve=lambda host, port: [(2, 1, 6, "", ("10.0.0.5", port))])
    for url in ("ftp://x.example/", "file:///etc/passwd", "javascript:alert(1)"):
        with pytest.raises(InvalidInput, match="http"):
            netcheck.check(url, None)


def event_number(n):
    return obligation(obligation_id=n)


def test_subscriber_verifies_signatures_and_gets_every_event_once_in_order_after_being_down(uow_factory, peer):
    uow = uow_factory("notify")
    down = {"value": True}
    received = []

    def answer(request):
        if down["value"]:
            return 500, {"error": "down"}
        payload = Verifier(hook["secret"]).verify(request.body, request.headers)  # raises when not signed right
        received.append((request.headers["webhook-id"], payload["payload"]["obligation_id"]))
        return 204, b""
    subscriber = peer(answer)
    hook = webhooks.create(uow.session, Actor("archive", "subscriber"), subscriber.url + "/hook",
                           ["ObligationDueSoon"], "127.0.0.1")
    uow.commit()
    for n in (1, 2, 3):
        webhooks.fan_out(uow.session, event_number(n), datetime.now(timezone.utc))
    uow.commit()
    sender = sender_for(uow, settings(WEBHOOK_DISABLE_AFTER=50))
    for _ in range(3):  # down: only the first is tried, the others wait behind it
        due_now(uow)
        assert sender.pass_once(wait=True) == 1
    attempts = uow.session.scalars(sa.select(WebhookAttempt)).all()
    assert {a.delivery_id for a in attempts} == {min(a.delivery_id for a in attempts)} and len(attempts) == 3
    down["value"] = False
    for _ in range(3):
        due_now(uow)
        sender.pass_once(wait=True)
    assert [number for _, number in received] == [1, 2, 3]
    ids = [webhook_id for webhook_id, _ in received]
    assert len(set(ids)) == 3 and all(i.startswith("msg_") for i in ids)
    # the same delivery sent again (a crash between send and mark) carries the same webhook-id
    uow.session.execute(sa.update(Delivery).where(Delivery.webhook_id == hook["id"], Delivery.id == min(
        a.delivery_id for a in attempts)).values(status="pending"))
    due_now(uow)
    sender.pass_once(wait=True)
    assert received[-1][0] == ids[0]
    listed = webhooks.attempts(uow.session, ADMIN, hook["id"])
    assert {a["outcome"] for a in listed} == {"retry", "delivered"} and listed[0]["status_code"] == 204


def test_a_webhook_failing_n_times_in_a_row_is_disabled_and_the_admin_told(uow_factory, peer):
    uow = uow_factory("notify")
    subscriber = peer(lambda request: (500, {}))
    hook = webhooks.create(uow.session, Actor("archive", "subscriber"), subscriber.url,
                           ["ObligationDueSoon"], "127.0.0.1")
    webhooks.fan_out(uow.session, event_number(1), datetime.now(timezone.utc))
    uow.commit()
    sender = sender_for(uow, settings())
    for _ in range(3):
        due_now(uow)
        sender.pass_once(wait=True)
    uow.session.expire_all()
    stored = uow.session.get(Webhook, hook["id"])
    assert not stored.active and stored.consecutive_failures == 3 and "HTTP 500" in stored.disabled_reason
    assert "WebhookDisabled" in set(uow.session.scalars(sa.select(OutboxRecord.type)))
    due_now(uow)
    assert sender.pass_once(wait=True) == 0  # a disabled webhook's deliveries wait, kept
    enabled = webhooks.enable(uow.session, ADMIN, hook["id"], "127.0.0.1")
    assert enabled["active"] and enabled["consecutive_failures"] == 0
    rotated = webhooks.rotate_secret(uow.session, ADMIN, hook["id"])
    assert rotated["secret"] != hook["secret"] and rotated["secret"].startswith("whsec_")


def test_ping_posts_a_signed_test_message(uow_factory, peer):
    uow = uow_factory("notify")
    seen = []
    subscriber = peer(lambda request: (seen.append(Verifier(hook["secret"]).verify(request.body, request.headers)),
                                       (200, {}))[1])
    hook = webhooks.create(uow.session, ADMIN, subscriber.url, ["ItemPublished"], "127.0.0.1")
    answer = webhooks.ping(uow.session, ADMIN, hook["id"], settings())
    assert answer["delivered"] and answer["status_code"] == 200 and seen[0]["type"] == "ping"


def test_a_deleted_webhook_answers_gone_saying_when_and_by_whom(uow_factory):
    uow = uow_factory("notify")
    owner, stranger = Actor("archive", "subscriber"), Actor("other", "subscriber")
    with time_machine.travel(datetime(2030, 1, 28, 2, 5, tzinfo=timezone.utc), tick=False):
        hook = webhooks.create(uow.session, owner, "https://archive.example/hook", ["ItemPublished"], "127.0.0.1")
        webhooks.delete(uow.session, owner, hook["id"])
        uow.commit()
    for reader in (owner, ADMIN):
        with pytest.raises(Gone) as gone:
            webhooks.get(uow.session, reader, hook["id"])
        assert gone.value.status == 410
        assert gone.value.message == (f"推送订阅 {hook['id']}（https://archive.example/hook）已于 2030年01月28日 10:05 "
                                      "由 archive 删除，不再提供。")
        assert gone.value.details["kind"] == "webhook" and gone.value.details["deleted_by"] == "archive"
    with pytest.raises(NotFound):  # another subscriber learns nothing of it
        webhooks.get(uow.session, stranger, hook["id"])
    with pytest.raises(NotFound):
        webhooks.get(uow.session, ADMIN, hook["id"] + 1)


def test_sign_takes_an_aware_utc_time():
    secret = webhooks.new_secret()
    headers = channels.sign_headers(secret, "msg_1", "{}", datetime.now(timezone.utc))
    Verifier(secret).verify("{}", headers)


# --- the delivery log and previews -------------------------------------------------------------

def test_a_template_preview_in_county_time_and_bad_payloads_refused():
    answer = console.preview(RULES, "ItemPublished", "email", {
        "item_id": 3, "unit_code": "A001", "title": "党费", "version": 1, "audience": "society", "summary": "…",
        "carriers": ["网站"], "obligation_id": None, "published_by": "rv",
        "published_at": "2026-12-01T16:30:00+00:00"}, "https://gk.example")
    assert "2026-12-02 00:30" in answer["body"] and answer["link"] == "https://gk.example/console/items/3"
    with pytest.raises(InvalidInput, match="不符合"):
        console.preview(RULES, "ItemPublished", "email", {"item_id": "x"})


def test_a_claim_left_by_a_killed_sender_is_taken_over_after_its_short_lease(uow_factory, mail_sink):
    uow = uow_factory("notify")
    county(uow)
    planner.plan(uow.session, obligation("ObligationOverdue"), RULES, settings(), DAY)
    uow.commit()
    now = datetime.now(timezone.utc)
    uow.session.execute(sa.update(Delivery).where(Delivery.status == "pending").values(
        status="sending", claimed_by="killed", next_attempt_at=now + timedelta(seconds=10)))
    uow.commit()
    smtp = {"SMTP": {"HOST": "127.0.0.1", "PORT": mail_sink.port, "FROM": "gk@example.gov.cn"}, "NOTIFY": settings()}
    assert Sender(uow._sessions, smtp, clock=lambda: now + timedelta(seconds=5)).pass_once(wait=True) == 0
    assert Sender(uow._sessions, smtp, clock=lambda: now + timedelta(seconds=11)).pass_once(wait=True) == 1
    uow.session.expire_all()
    (sent,) = uow.session.scalars(sa.select(Delivery).where(Delivery.status == "delivered")).all()
    assert sent.attempts == 1 and mail_sink.messages()[0]["Message-ID"] == sent.message_id
    assert "NotificationDelivered" in set(uow.session.scalars(sa.select(OutboxRecord.type)))


def test_a_sent_email_whose_outcome_cannot_be_recorded_yet_is_recorded_later_not_sent_again(uow_factory, mail_sink,
                                                                                          monkeypatch, caplog):
    """The database away just after the SMTP server took the message (a restart): the sender
    keeps trying to record it instead of letting its lease expire into a second send."""
    uow = uow_factory("notify")
    county(uow)
    planner.plan(uow.session, obligation("ObligationOverdue"), RULES, settings(), DAY)
    uow.commit()
    due_now(uow)
    config = {"SMTP": {"HOST": "127.0.0.1", "PORT": mail_sink.port, "FROM": "gk@example.gov.cn"},
              "NOTIFY": settings()}
    sender = Sender(uow._sessions, config)
    record, failures = sender._record, []

    def away_twice(*args):
        if len(failures) < 2:
            failures.append(1)
            raise sa.exc.OperationalError("UPDATE deliveries", {}, Exception("server closed the connection"))
        return record(*args)

    monkeypatch.setattr(sender, "_record", away_twice)
    monkeypatch.setattr("services.notify.sender.eventlet.sleep", lambda seconds: None)
    sender.pass_once(wait=True)
    uow.session.expire_all()
    emails = uow.session.scalars(sa.select(Delivery).where(Delivery.channel == "email",
                                                           Delivery.status != "failed")).all()  # no address
    assert emails and all(d.status == "delivered" and d.attempts == 1 for d in emails)
    assert len(mail_sink.messages()) == len(emails) and len(failures) == 2
    assert "could not be recorded yet" in caplog.text


def test_an_inspection_due_reaches_its_inspectors_own_inboxes_not_the_office_mailbox(uow_factory):
    uow = uow_factory("notify")
    county(uow)
    for username in ("insp-a", "insp-b", "office-clerk"):
        directory.apply_account_state(uow.session, {"username": username, "revision": 1, "display_name": username,
                                                    "role": "inspector", "unit_code": None, "enabled": True})
    uow.commit()
    due = new_event("InspectionDue", {
        "inspection_id": 7, "title": "双随机抽查", "kind": "random", "window_opens": datetime(2026, 12, 4).date(),
        "window_closes": datetime(2026, 12, 11).date(), "unit_codes": ["V01"], "inspectors": ["insp-a", "insp-b"],
        "dimensions": ["content", "form", "procedure", "timeliness", "feedback"]})
    deliveries = by_channel(planner.plan(uow.session, due, RULES, settings(), DAY))
    uow.commit()
    assert not any(address == "office@example.gov.cn" for _, address in deliveries)
    inbox = {m.username: m for m in uow.session.scalars(sa.select(InboxMessage))}
    assert set(inbox) == {"insp-a", "insp-b", "op-v01"}  # the drawn inspectors and the unit's liaison
    assert inbox["insp-a"].link == "https://gk.example/console/inspections/7"
