"""Every sender hears back, on a running county (separate processes, a real SMTP sink, a local SMS
provider): one feedback walked over HTTP through acceptance, transfer, extension, answer and
closing, another refused with its reason, a third from a sender who left no contact. Exactly one
SMS and one email per state change per channel the sender left, each with the tracking link
(which opens) and never the PIN; none for the sender who left nothing."""
import email
import email.policy
import json
import time
import uuid
from collections import Counter

import pytest
import requests

from tests.clusters import running_county
from tests.conftest import wait_for
from tests.peers.http_peer import Peer
from tests.test_end_to_end import token

OFFICE = token("office", "inspector")
MOBILE, MAILBOX = "13912345678", "villager.wang@example.cn"
STEPS = ("受理", "转由", "延", "答复", "办结")  # what each notice says, in the order of the walk


@pytest.fixture(scope="module")
def county(tmp_path_factory, sqlite_templates):
    sms = Peer(lambda r: (200, {"Code": "OK", "Message": "OK"})).start()
    env = {"SMS_URL": sms.url + "/sms", "SMS_KEY": "test-key", "NOTIFY_QUIET_HOURS": "",
           "NOTIFY_RETRY_BASE_SECONDS": "0.5", "PUBLIC_URL": "https://dangwu.example.gov.cn"}
    try:
        with running_county(tmp_path_factory.mktemp("senders"), sqlite_templates, env=env) as running:
            running.sms = sms
            yield running
    finally:
        sms.stop()


def ok(response, status=200):
    assert response.status_code == status, (response.request.method, response.url, response.status_code,
                                            response.text[:500])
    return response.json()


def send(api, contact):
    body = {"target_kind": "unit", "target_id": "A001", "kind": "question", "contact": contact,
            "content": f"村口路灯坏了一个月，什么时候修？{uuid.uuid4().hex[:6]}"}
    receipt = wait_for(lambda: (r := requests.post(f"{api}/api/v1/feedback", json=body)).status_code == 201 and r,
                       timeout=30, message="feedback to know the unit").json()
    found = ok(requests.get(f"{api}/api/v1/feedback", params={"q": body["content"]}, headers=OFFICE))["items"]
    return receipt, found[0]["id"]


def act(api, who, feedback_id, action, **data):
    return ok(requests.post(f"{api}/api/v1/feedback/{feedback_id}/{action}", json=data, headers=who))


def texts_to_sender(county):
    """(SMS texts to MOBILE, (subject, body) of emails to MAILBOX) received so far."""
    sms = [json.loads(r.json()["TemplateParam"])["content"] for r in county.sms.requests
           if r.json()["PhoneNumbers"] == MOBILE]
    mails = []
    for path in (county.mail.iterdir() if county.mail.exists() else ()):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if message["To"] == MAILBOX:
            mails.append((str(message["Subject"]), message.get_body(("plain",)).get_content()))
    return sms, mails


def test_one_sms_and_one_email_per_state_change_and_none_without_a_contact(county):
    api = county.api
    operator, reviewer = token("op-a001", "operator", "A001"), token("rv-a001", "reviewer", "A001")
    new_operator, new_reviewer = token("op-a002", "operator", "A002"), token("rv-a002", "reviewer", "A002")

    receipt, walked = send(api, f"王先生 {MOBILE} {MAILBOX}")
    _, refused = send(api, f"手机 {MOBILE[:3]}-{MOBILE[3:7]}-{MOBILE[7:]}")  # the same mobile, written otherwise
    silent_receipt, silent = send(api, None)

    act(api, operator, walked, "accept")
    act(api, OFFICE, walked, "transfer", unit_code="A002", reason="属组织部职责")
    act(api, new_operator, walked, "extend", working_days=5, reason="需实地核实")
    act(api, OFFICE, walked, "grant-extension", grant=True)
    act(api, new_operator, walked, "answer", body="已安排电工本周内更换路灯。")
    act(api, new_reviewer, walked, "approve-answer")
    ok(requests.post(f"{api}/api/v1/feedback/{receipt['tracking_code']}/rate",
                     json={"secret": receipt["secret"], "rating": "satisfied"}))
    act(api, operator, refused, "reject", reason="与本单位职责无关，请向县住建局反映")
    act(api, operator, silent, "accept")

    expected_sms = len(STEPS) + 1  # the walk, and the refusal to the same mobile
    wait_for(lambda: len(texts_to_sender(county)[0]) >= expected_sms and len(texts_to_sender(county)[1]) >= len(STEPS),
             timeout=60, message="the sender's SMS and emails")
    time.sleep(3)  # anything sent twice would arrive by now
    sms, mails = texts_to_sender(county)
    assert len(sms) == expected_sms and len(mails) == len(STEPS), (sms, mails)
    link = f"https://dangwu.example.gov.cn/track/{receipt['tracking_code']}"
    walk_sms = [text for text in sms if link in text]
    assert len(walk_sms) == len(STEPS)
    for step in STEPS:  # one of each, in SMS and in email
        assert sum(step in text for text in walk_sms) >= 1, (step, walk_sms)
        assert sum(step in subject + body for subject, body in mails) >= 1, (step, mails)
    assert all(link in body and receipt["secret"] not in body for _, body in mails)
    assert not any(receipt["secret"] in text for text in sms)
    (refusal,) = [text for text in sms if link not in text]
    assert "不予受理" in refusal and "县住建局" in refusal and "/track/" in refusal

    # the delivery log counts them, masked; the silent sender's acceptance made no delivery at all
    log = ok(requests.get(f"{api}/api/v1/deliveries", headers=OFFICE, params={"limit": 200}))["items"]
    assert not any(silent_receipt["tracking_code"] in text for text in sms)
    assert sorted(d["channel"] for d in log if d["event_type"] == "FeedbackAccepted") == ["email", "sms"]
    to_sender = Counter((d["event_type"], d["channel"]) for d in log
                        if d["recipient"] in (f"{MOBILE[:3]}***", "vi***@example.cn"))
    assert to_sender == Counter({(t, c): 1 for t in ("FeedbackAccepted", "FeedbackTransferred", "FeedbackExtended",
                                                     "FeedbackAnswered", "FeedbackClosed") for c in ("sms", "email")}
                                | {("FeedbackRejected", "sms"): 1}), to_sender
    assert all(d["status"] == "delivered" for d in log if d["recipient"] in (f"{MOBILE[:3]}***", "vi***@example.cn"))
    print("SMS and emails to the sender per state change:", dict(sorted(to_sender.items())))

    # the link in the message opens the tracking page
    page = requests.get(api + f"/track/{receipt['tracking_code']}")
    assert page.status_code == 200 and "已办结" in page.text
