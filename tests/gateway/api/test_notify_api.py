"""notify over HTTP against separately started processes (one cluster for the module), with
real local peers: aiosmtpd, an SMS provider, the 企业微信 and 钉钉 robots and a subscriber that
verifies Standard Webhooks signatures. An account created at units reads its in-app inbox;
a publication reaches the liaison by email and the subscriber by webhook; the office reads
the delivery log and previews a template; an internal webhook URL is refused; and notify
killed with SIGKILL between sending a webhook and marking it, then restarted, sends it again
with the same webhook-id, once more only."""
import os
import signal
import threading

import pytest
import requests
from standardwebhooks.webhooks import Webhook as Verifier

from tests.clusters import running_county
from tests.conftest import scalar, wait_for
from tests.peers.http_peer import Peer
from tests.test_end_to_end import token

OFFICE = token("office", "inspector")
ADMIN = token("root", "admin")
SUBSCRIBER = token("archive", "subscriber")
OPERATOR = token("op-a001", "operator", "A001")
REVIEWER = token("rv-a001", "reviewer", "A001")


class Subscriber:
    """Verifies each POST; on the first sight of a title marked KILL it SIGKILLs notify
    before answering (the crash between send and mark)."""

    def __init__(self) -> None:
        self.secret, self.seen, self.kill_pid, self.lock = None, [], None, threading.Lock()

    def __call__(self, request):
        body = Verifier(self.secret).verify(request.body, request.headers)
        if body.get("type") == "ping":
            return 200, {}
        with self.lock:
            self.seen.append((request.headers["webhook-id"], body["payload"]["title"]))
            first = sum(1 for _, t in self.seen if t == body["payload"]["title"]) == 1
        if "KILL" in body["payload"]["title"] and first and self.kill_pid:
            os.kill(self.kill_pid, signal.SIGKILL)
            return 500, {}
        return 200, {}


@pytest.fixture(scope="module")
def county(tmp_path_factory, sqlite_templates):
    subscriber = Subscriber()
    peers = {"sms": Peer(lambda r: (200, {"Code": "OK", "Message": "OK"})).start(),
             "wecom": Peer().start(), "dingtalk": Peer().start(), "subscriber": Peer(subscriber).start()}
    env = {"SMS_URL": peers["sms"].url + "/sms", "SMS_KEY": "test-key",
           "WECOM_ROBOT_URL": peers["wecom"].url + "/cgi-bin/webhook/send?key=k",
           "DINGTALK_ROBOT_URL": peers["dingtalk"].url + "/robot/send?access_token=t",
           "DINGTALK_ROBOT_SECRET": "SECtest", "WEBHOOK_ALLOW": "127.0.0.1", "NOTIFY_QUIET_HOURS": "",
           "NOTIFY_LEASE_SECONDS": "3", "NOTIFY_RETRY_BASE_SECONDS": "0.5"}
    try:
        with running_county(tmp_path_factory.mktemp("notify"), sqlite_templates, env=env) as running:
            running.peers, running.subscriber = peers, subscriber
            yield running
    finally:
        for peer in peers.values():
            peer.stop()


def publish(api, title):
    draft = {"unit_code": "A001", "title": title, "body": "本季度共收缴党费……", "audience": "society",
             "carriers": ["公开栏"]}
    item = requests.post(f"{api}/api/v1/items", json=draft, headers=OPERATOR).json()
    assert requests.post(f"{api}/api/v1/items/{item['id']}/submit", headers=OPERATOR).status_code == 200
    assert requests.post(f"{api}/api/v1/items/{item['id']}/review", headers=REVIEWER).status_code == 200
    assert requests.post(f"{api}/api/v1/items/{item['id']}/approve", headers=REVIEWER).status_code == 200
    return item["id"]


def test_publication_reaches_email_inbox_and_a_signed_webhook(county):
    api, subscriber = county["api"], county["subscriber"]
    made = requests.post(f"{api}/api/v1/accounts", headers=ADMIN, json={
        "username": "op-a001", "display_name": "杨超", "role": "operator", "unit_code": "A001"})
    assert made.status_code == 201, made.text
    wait_for(lambda: scalar(county["urls"]["notify"], "SELECT count(*) FROM known_accounts WHERE username = 'op-a001'"),
             timeout=20, message="notify to learn the account")
    hook = requests.post(f"{api}/api/v1/webhooks", headers=SUBSCRIBER, json={
        "url": county["peers"]["subscriber"].url + "/hook", "event_types": ["ItemPublished"]})
    assert hook.status_code == 201, hook.text
    subscriber.secret = hook.json()["secret"]
    assert subscriber.secret.startswith("whsec_")

    publish(api, "党费收缴情况公示")
    wait_for(lambda: subscriber.seen, timeout=20, message="the webhook")
    wait_for(lambda: county["mail"].exists() and list(county["mail"].iterdir()), timeout=20, message="the email")
    inbox = wait_for(lambda: requests.get(f"{api}/api/v1/notifications", headers=OPERATOR).json()["items"],
                     timeout=20, message="the inbox message")
    assert "党费收缴情况公示" in inbox[0]["subject"] and "/console/items/" in inbox[0]["link"]
    read = requests.post(f"{api}/api/v1/notifications/read", headers=OPERATOR, json={})
    assert read.json()["unread"] == 0
    assert requests.get(f"{api}/api/v1/notifications?unread=true", headers=OPERATOR).json()["items"] == []

    log = requests.get(f"{api}/api/v1/deliveries", headers=OFFICE, params={"channel": "email", "status": "delivered"})
    assert log.status_code == 200 and any(d["event_type"] == "ItemPublished" for d in log.json()["items"])
    assert all("***" in d["recipient"] for d in log.json()["items"])
    assert requests.get(f"{api}/api/v1/deliveries", headers=OPERATOR).status_code == 403
    attempts = requests.get(f"{api}/api/v1/webhooks/{hook.json()['id']}/deliveries", headers=SUBSCRIBER).json()
    assert attempts["items"][0]["outcome"] == "delivered" and attempts["items"][0]["status_code"] == 200
    ping = requests.post(f"{api}/api/v1/webhooks/{hook.json()['id']}/ping", headers=SUBSCRIBER).json()
    assert ping["delivered"], ping
    county["hook"] = hook.json()


def test_bad_webhook_urls_and_template_previews(county):
    api = county["api"]
    for url in ("http://10.0.0.8/hook", "http://169.254.169.254/latest/meta-data", "ftp://x.example/"):
        refused = requests.post(f"{api}/api/v1/webhooks", headers=SUBSCRIBER, json={"url": url,
                                                                                  "event_types": ["ItemPublished"]})
        assert refused.status_code == 400, (url, refused.text)
    preview = requests.post(f"{api}/api/v1/notification-templates/preview", headers=OFFICE, json={
        "event_type": "ObligationOverdue", "channel": "sms", "payload": {
            "obligation_id": 3, "unit_code": "A001", "entry_code": "DF-01", "matter": "党费收缴使用管理",
            "period": "2026-Q4", "due_on": "2026-12-04"}})
    body = preview.json()["body"]
    assert preview.status_code == 200 and "已逾期" in body and body.endswith("/console/obligations/3")
    assert preview.json()["segments"] == 2  # the link makes it two 70-character segments
    bad = requests.post(f"{api}/api/v1/notification-templates/preview", headers=OFFICE, json={
        "event_type": "ObligationOverdue", "channel": "sms", "payload": {"obligation_id": "x"}})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_input"
    prefs = requests.put(f"{api}/api/v1/notification-preferences", headers=OPERATOR, json={"channels": {"sms": False}})
    assert prefs.status_code == 200 and prefs.json()["channels"]["sms"] is False


def test_notify_killed_between_send_and_mark_resends_with_the_same_webhook_id(county):
    api, subscriber, cluster = county["api"], county["subscriber"], county["cluster"]
    subscriber.kill_pid = cluster.processes["notify"].proc.pid
    publish(api, "KILL 三季度组织生活会情况")
    wait_for(lambda: cluster.processes["notify"].proc.poll() is not None, timeout=20, message="notify killed")
    cluster.start("notify")
    seen = wait_for(lambda: [s for s in subscriber.seen if s[1].startswith("KILL")][1:] and
                    [s for s in subscriber.seen if s[1].startswith("KILL")], timeout=30, message="the resend")
    first, again = seen[0], seen[1]
    assert first[0] == again[0]  # the same webhook-id: the subscriber sees a duplicate, not a new message
    wait_for(lambda: scalar(county["urls"]["notify"], "SELECT count(*) FROM deliveries WHERE channel = 'webhook' "
                                                      "AND status = 'delivered'") == 2, timeout=20,
             message="both webhooks marked delivered")
    assert scalar(county["urls"]["notify"], "SELECT count(*) FROM deliveries WHERE channel = 'webhook'") == 2
