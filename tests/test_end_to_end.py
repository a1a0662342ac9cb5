"""The walking skeleton over HTTP, against separately started processes: the sample county
is loaded; an item is drafted, submitted, reviewed and approved through the gateway; the
unit's liaison gets an email over SMTP; the public lists the item and sends feedback on it,
and the liaison is told of that too."""
import subprocess
import sys

import pytest
import requests

from gateway.auth import mint_token
from services.common.config import ROOT, load_config
from tests.conftest import free_port, scalar, wait_for

SECRET = load_config()["GATEWAY"]["JWT_SECRET"]


TEST_TOKEN_TTL = 12 * 3600  # tokens minted when a module is imported must outlive the whole run


def token(user, role, unit=None):
    return {"Authorization": f"Bearer {mint_token(SECRET, user, role, unit, TEST_TOKEN_TTL)}"}




def test_walking_skeleton(cluster, database_urls, mail_sink):
    loaded = subprocess.run([sys.executable, "-m", "services.units.load_sample"], cwd=ROOT, env=cluster.env,
                            capture_output=True, text=True, check=True)
    assert "121 registered" in loaded.stdout

    api = cluster.start_everything()
    wait_for(lambda: scalar(database_urls["disclosure"], "SELECT count(*) FROM unit_copies") == 121,
             timeout=30, message="disclosure's copy of the county")
    wait_for(lambda: scalar(database_urls["notify"], "SELECT count(*) FROM contacts") == 242,
             timeout=30, message="notify's contacts")

    # the directory is public and shows no contacts
    codes, cursor = [], None
    while True:
        page = requests.get(f"{api}/api/v1/units", params={"limit": 50, "cursor": cursor}).json()
        codes += [u["code"] for u in page["items"]]
        assert all("officials" not in u and "liaison_phone" not in u for u in page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(codes) == len(set(codes)) == 121

    operator, reviewer = token("op-a001", "operator", "A001"), token("rv-a001", "reviewer", "A001")
    draft = {"unit_code": "A001", "title": "2026年第四季度党费收缴使用情况", "body": "本季度共收缴党费……",
             "audience": "society", "carriers": ["公开栏", "网站"]}
    created = requests.post(f"{api}/api/v1/items", json=draft, headers=operator)
    assert created.status_code == 201, created.text
    item_id = created.json()["id"]
    assert requests.get(f"{api}/api/v1/items").json()["items"] == []  # drafts are not public

    assert requests.post(f"{api}/api/v1/items/{item_id}/submit", headers=operator).json()["status"] == "submitted"
    assert requests.post(f"{api}/api/v1/items/{item_id}/review", headers=reviewer).json()["status"] == "reviewed"
    approved = requests.post(f"{api}/api/v1/items/{item_id}/approve",
                             headers={**reviewer, "X-Request-ID": "req-approve-1"})
    assert approved.status_code == 200 and approved.json()["status"] == "published"
    assert approved.headers["X-Request-ID"] == "req-approve-1"
    assert scalar(database_urls["disclosure"],
                  "SELECT correlation_id FROM outbox WHERE type = 'ItemPublished'") == "req-approve-1"

    listed = requests.get(f"{api}/api/v1/items").json()["items"]
    assert [i["id"] for i in listed] == [item_id] and "author" not in listed[0]

    mail = wait_for(lambda: [m for m in mail_sink.messages() if draft["title"] in m["Subject"]], timeout=20,
                    message="the publication email")
    assert mail[0]["To"] == "a001@example.gov.cn"

    # the public sends feedback once feedback has heard of the item
    def send_feedback():
        response = requests.post(f"{api}/api/v1/feedback", json={
            "target_kind": "item", "target_id": str(item_id), "kind": "question",
            "content": "党费使用明细能否再细一些？", "contact": "13800000000"})
        return response if response.status_code == 201 else None

    receipt = wait_for(send_feedback, timeout=20, message="feedback to accept the item").json()
    assert requests.get(f"{api}/api/v1/feedback/{receipt['tracking_code']}").json()["status"] == "received"
    wait_for(lambda: [m for m in mail_sink.messages() if receipt["tracking_code"] in m["Subject"]], timeout=20,
             message="the feedback email")
    assert "13800000000" not in "".join(str(m) for m in mail_sink.messages())
    # the message reaches the sink a moment before notify records it delivered
    wait_for(lambda: scalar(database_urls["notify"], "SELECT count(*) FROM deliveries WHERE status = 'delivered'") == 2,
             timeout=20, message="both deliveries recorded")

    # every process serves its metrics
    assert 'gongkai_events_published_total{service="disclosure",type="ItemPublished"} 1.0' in \
        cluster.processes["disclosure"].metrics()
    assert 'gongkai_notifications_total{channel="email",outcome="delivered"} 2.0' in \
        cluster.processes["notify"].metrics()
    assert 'gongkai_outbox_backlog{service="units"} 0.0' in cluster.processes["units"].metrics()
    assert "gongkai_worker_duration_seconds_bucket" in cluster.processes["gateway"].metrics()


@pytest.mark.api_level  # the gateway's envelope: one backend is enough
def test_bad_requests_get_the_error_envelope(cluster):
    address = f"127.0.0.1:{free_port()}"
    cluster.start("disclosure")
    cluster.start("gateway", GATEWAY_ADDRESS=address)
    api = f"http://{address}"
    operator = token("op-a001", "operator", "A001")
    cases = [
        (requests.post(f"{api}/api/v1/items", json={}), 401, "unauthorized"),
        (requests.post(f"{api}/api/v1/items", json={}, headers={"Authorization": "Bearer forged"}), 401,
         "unauthorized"),
        (requests.post(f"{api}/api/v1/items", data="{", headers={**operator, "Content-Type": "application/json"}),
         400, "invalid_input"),
        (requests.post(f"{api}/api/v1/items", data="x", headers={**operator, "Content-Type": "text/plain"}),
         415, "unsupported_media_type"),
        (requests.post(f"{api}/api/v1/items", json={"unit_code": "A001", "surprise": 1}, headers=operator), 400,
         "invalid_input"),
        (requests.post(f"{api}/api/v1/items/1/approve", headers=token("pm", "member", "A001")), 403, "forbidden"),
        (requests.get(f"{api}/api/v1/items/999"), 404, "not_found"),
        (requests.get(f"{api}/api/v1/nowhere"), 404, "not_found"),
        (requests.get(f"{api}/api/v1/items", params={"limit": "0"}), 400, "invalid_input"),
        (requests.get(f"{api}/api/v1/units"), 503, "service_unavailable"),
        (requests.get(f"{api}/api/v1/dead-letters", headers=operator), 403, "forbidden"),
        (requests.get(f"{api}/api/v1/dead-letters", params={"service": "nope"},
                      headers=token("root", "admin")), 400, "invalid_input"),
    ]
    for response, status, code in cases:
        assert response.status_code == status, (response.request.url, response.text)
        body = response.json()
        assert body["error"]["code"] == code and body["error"]["message"] and body["request_id"]
    letters = requests.get(f"{api}/api/v1/dead-letters", params={"service": "disclosure"},
                           headers=token("root", "admin"))
    assert letters.status_code == 200 and letters.json() == {"items": [], "next_cursor": None}
    readiness = requests.get(f"{api}/readyz")
    assert readiness.status_code == 503 and readiness.json()["services"]["units"]["ok"] is False
