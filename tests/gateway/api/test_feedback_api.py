"""The feedback loop over HTTP, against separately started processes with the sample county:
send → held by the word screen → released → accepted → extension asked and granted → answered
and approved → rated 不满意 → reopened → answered → rated 满意 → closed; the deadlines passing
(answer_due moved back in feedback's database, the timer every half second) → yellow, red and
both escalations emailed to the right people once each; a merge moving open feedback; a flood
refused with 429; and the sender's contact on no public read route and in no event body.

One cluster serves the module; each test works on its own units."""
import email
import email.policy
import json
import time
from datetime import timedelta

import pytest
import requests

from services.common.contract import CATALOGUE
from services.common.workdays import add_working_days, county_today
from tests.clusters import running_county
from tests.conftest import scalar, wait_for
from tests.gateway.api.test_disclosure_api import execute
from tests.test_end_to_end import token

pytestmark = pytest.mark.api_level

OFFICE, ADMIN = token("office", "inspector"), token("admin", "admin")
CONTACT = "13712345678"
COUNTY_OFFICE_EMAIL = "office@county.example.gov.cn"


def officials(unit):
    return (token(f"op-{unit}", "operator", unit), token(f"rv-{unit}", "reviewer", unit))


@pytest.fixture(scope="module")
def county(tmp_path_factory, sqlite_templates):
    with running_county(tmp_path_factory.mktemp("feedback-api"), sqlite_templates, env={
            "FEEDBACK_DEADLINE_CHECK_SECONDS": "0.5", "COUNTY_OFFICE_EMAIL": COUNTY_OFFICE_EMAIL,
            "RATE_LIMIT_FEEDBACK": "5/minute"}) as running:
        yield running


def mails(county):
    """(recipient, subject) of every email the sink received; none may carry a sender's contact."""
    found = []
    for path in sorted(county.mail.glob("*")) if county.mail.exists() else ():
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        subject = str(message["Subject"])
        assert CONTACT not in subject and CONTACT not in message.get_content(), path
        found.append((message["To"], subject))
    return found


def send(county, unit, content, headers=None, **extra):
    response = requests.post(f"{county.api}/api/v1/feedback", headers=headers or {}, json={
        "target_kind": "unit", "target_id": unit, "kind": "complaint", "content": content, "contact": CONTACT,
        **extra})
    assert response.status_code == 201, response.text
    return response.json()


def find(county, code):
    items = requests.get(f"{county.api}/api/v1/feedback", headers=OFFICE, params={"limit": 200}).json()["items"]
    return next(item for item in items if item["tracking_code"] == code)


def act(county, feedback_id, action, headers, body=None, status=200):
    response = requests.post(f"{county.api}/api/v1/feedback/{feedback_id}/{action}", headers=headers, json=body)
    assert response.status_code == status, response.text
    return response.json()


def test_the_whole_loop_over_http(county):
    api, unit = county.api, "T01V001"
    operator, reviewer = officials(unit)
    receipt = send(county, unit, "社区里有人聚众博彩，请尽快处理", public=True)
    code, secret = receipt["tracking_code"], receipt["secret"]
    assert receipt["status"] == "held" and CONTACT not in json.dumps(receipt)
    feedback_id = find(county, code)["id"]
    unit_queue = requests.get(f"{api}/api/v1/feedback", headers=operator).json()["items"]
    assert code not in [item["tracking_code"] for item in unit_queue]  # held: not the unit's yet
    held = requests.get(f"{api}/api/v1/feedback", headers=OFFICE, params={"status": "held"}).json()["items"]
    assert [item["id"] for item in held] == [feedback_id]
    act(county, feedback_id, "release", operator, status=403)
    assert act(county, feedback_id, "release", OFFICE)["status"] == "received"
    act(county, feedback_id, "accept", token("op-x", "operator", "T01V002"), status=403)  # another unit
    assert act(county, feedback_id, "accept", operator)["status"] == "accepted"
    act(county, feedback_id, "accept", operator, status=409)  # twice
    act(county, feedback_id, "transfer", operator, {"unit_code": "T01V002", "reason": "不归我们"}, status=403)
    act(county, feedback_id, "extend", operator, {"working_days": 16, "reason": "太多"}, status=400)
    before = act(county, feedback_id, "extend", operator, {"working_days": 5, "reason": "需要联合执法"})["answer_due"]
    granted = act(county, feedback_id, "grant-extension", OFFICE)
    assert granted["answer_due"] > before and granted["extension"]["status"] == "granted"
    act(county, feedback_id, "answer", operator, {"body": "已会同派出所查处，联系电话 13900001111。"})
    act(county, feedback_id, "approve-answer", operator, status=403)  # the policy: reviewers approve
    act(county, feedback_id, "approve-answer", token(f"op-{unit}", "reviewer", unit), status=403)  # own draft
    assert act(county, feedback_id, "approve-answer", reviewer)["status"] == "answered"

    tracked = requests.get(f"{api}/api/v1/feedback/{code}").json()
    assert tracked["answers"][0]["body"].startswith("已会同派出所") and tracked["status"] == "answered"
    wrong = requests.post(f"{api}/api/v1/feedback/{code}/rate", json={"secret": "12345678", "rating": "satisfied"})
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "forbidden"
    rated = requests.post(f"{api}/api/v1/feedback/{code}/rate",
                          json={"secret": secret, "rating": "unsatisfied", "comment": "还在继续"})
    assert rated.status_code == 200 and rated.json()["status"] == "reopened", rated.text
    act(county, feedback_id, "answer", operator, {"body": "已开展第二轮整治，举报电话 13900002222。"})
    act(county, feedback_id, "approve-answer", reviewer)
    closed = requests.post(f"{api}/api/v1/feedback/{code}/rate", json={"secret": secret, "rating": "satisfied"})
    assert closed.json()["status"] == "closed" and [a["round"] for a in closed.json()["answers"]] == [1, 2]
    assert requests.post(f"{api}/api/v1/feedback/{code}/reopen", json={"secret": secret}).status_code == 409

    # the contact: the answering unit and the county office see it; nobody else, on no route, in no event
    assert requests.get(f"{api}/api/v1/feedback/{feedback_id}", headers=operator).json()["contact"] == CONTACT
    assert requests.get(f"{api}/api/v1/feedback/{feedback_id}", headers=OFFICE).json()["contact"] == CONTACT
    other, _ = officials("T01V002")
    refused = requests.get(f"{api}/api/v1/feedback/{feedback_id}", headers=other)
    assert refused.status_code == 403 and CONTACT not in refused.text  # says whose it is, shows nothing of it
    assert requests.get(f"{api}/api/v1/feedback/{feedback_id}").status_code == 401
    public_reads = [requests.get(f"{api}/api/v1/feedback/{code}"),
                    requests.get(f"{api}/api/v1/answers", params={"unit": unit}),
                    requests.get(f"{api}/api/v1/feedback", headers=other)]
    answers = public_reads[1].json()["items"]
    assert [a["id"] for a in answers] == [feedback_id] and "139****2222" in answers[0]["answer"]
    for response in public_reads:
        assert response.status_code == 200 and CONTACT not in response.text, response.url
    steps = requests.get(f"{api}/api/v1/feedback/{feedback_id}", headers=OFFICE).json()["steps"]
    assert [s["action"] for s in steps] == ["hold", "release", "accept", "extend", "grant_extension", "answer",
                                            "approve_answer", "wrong_pin", "rate", "reopen", "answer", "approve_answer",
                                            "rate", "close"]  # the wrong PIN tried above is counted
    wait_for(lambda: _feedback_events(county, feedback_id)[-1:] == ["FeedbackClosed"], timeout=20,
             message="the loop's events in the feed")
    assert _feedback_events(county, feedback_id) == [
        "FeedbackReceived", "FeedbackAccepted", "FeedbackExtended", "FeedbackAnswered", "FeedbackRated",
        "FeedbackReopened", "FeedbackAnswered", "FeedbackRated", "FeedbackClosed"]
    wait_for(lambda: any(to == "t01v001@example.gov.cn" and "重新办理" in s for to, s in mails(county)), timeout=20,
             message="the liaison to hear of the reopening")
    metrics = county.cluster.processes["feedback"].metrics()
    assert 'gongkai_feedback{kind="complaint",status="closed",town="T01"} 1.0' in metrics
    assert 'gongkai_feedback_ratings{rating="satisfied",town="T01"} 1.0' in metrics
    assert 'gongkai_feedback_moderation{outcome="released"} 1.0' in metrics


def _feedback_events(county, feedback_id):
    """The types of one feedback's events in the event feed, asserting no body carries the contact."""
    types = ",".join(t for t in CATALOGUE if t.startswith("Feedback"))
    response = requests.get(f"{county.api}/api/v1/events", headers=OFFICE, params={"limit": 200, "type": types})
    assert response.status_code == 200, response.text
    assert CONTACT not in response.text
    return [e["type"] for e in response.json()["items"] if e["payload"]["feedback_id"] == feedback_id]


def test_deadlines_passing_email_the_right_people_once(county):
    api, unit = county.api, "T01V002"
    operator, _ = officials(unit)
    appointed = requests.put(f"{api}/api/v1/units/{unit}/officials/secretary", headers=ADMIN,
                             json={"name": "贾娜春", "email": "secretary-t01v002@example.gov.cn"})
    assert appointed.status_code == 200, appointed.text
    wait_for(lambda: scalar(county.db["notify"], "SELECT count(*) FROM contacts WHERE unit_code = 'T01V002' "
                                                 "AND role = 'secretary' AND email IS NOT NULL") == 1,
             timeout=20, message="notify's copy of the new secretary")
    receipt = send(county, unit, "路灯坏了三个月", headers=token("pm-1", "member", unit))
    feedback_id = find(county, receipt["tracking_code"])["id"]
    act(county, feedback_id, "accept", operator)
    soon = add_working_days(county_today(), 1)
    execute(county.db["feedback"], f"UPDATE feedback SET answer_due = '{soon}' WHERE id = {feedback_id}")
    liaison = "t01v002@example.gov.cn"
    wait_for(lambda: any(to == liaison and "黄色提醒" in s for to, s in mails(county)), timeout=20,
             message="the yellow warning to the liaison")
    assert requests.get(f"{api}/api/v1/feedback/{feedback_id}", headers=operator).json()["yellow"] is True
    long_ago = county_today() - timedelta(days=40)
    execute(county.db["feedback"], f"UPDATE feedback SET answer_due = '{long_ago}' WHERE id = {feedback_id}")
    wanted = {(liaison, "红色预警"), ("secretary-t01v002@example.gov.cn", "1级"), (COUNTY_OFFICE_EMAIL, "2级")}

    def arrived():
        return all(any(to == who and word in s for to, s in mails(county)) for who, word in wanted)
    wait_for(arrived, timeout=30, message="red and both escalations")
    time.sleep(2)  # four more timer passes: nothing is sent twice
    about = [(to, s) for to, s in mails(county) if f"编号 {feedback_id} " in s]
    assert sorted(about) == sorted({(to, s) for to, s in about}) and len(about) == 4, about
    queue = requests.get(f"{api}/api/v1/feedback", headers=OFFICE, params={"overdue": "true", "town": "T01"})
    (row,) = [r for r in queue.json()["items"] if r["id"] == feedback_id]
    assert row["red"] and row["escalation_level"] == 2


def test_a_merge_moves_open_feedback_and_bad_input_changes_nothing(county):
    api = county.api
    receipt = send(county, "T01V003", "小区垃圾无人清运", headers=token("pm-2", "member", "T01V003"))
    feedback_id = find(county, receipt["tracking_code"])["id"]
    act(county, feedback_id, "transfer", OFFICE, {"unit_code": "NOPE", "reason": "试试"}, status=422)
    merged = requests.post(f"{api}/api/v1/units/T01V003/merge", headers=ADMIN, json={"into_code": "T01V004"})
    assert merged.status_code == 200, merged.text
    wait_for(lambda: requests.get(f"{api}/api/v1/feedback/{feedback_id}", headers=OFFICE).json()["unit_code"]
             == "T01V004", timeout=20, message="the feedback to follow the merge")
    shown = requests.get(f"{api}/api/v1/feedback/{feedback_id}", headers=OFFICE).json()
    assert shown["steps"][-1]["action"] == "transfer" and shown["steps"][-1]["actor"] == "units"
    refused = act(county, feedback_id, "transfer", OFFICE, {"unit_code": "T01V003", "reason": "转回"}, status=409)
    assert "合并" in refused["error"]["message"]
    wait_for(lambda: any(to == "t01v004@example.gov.cn" and "转办" in s for to, s in mails(county)), timeout=20,
             message="the survivor's liaison to hear of the transfer")
    new_operator, _ = officials("T01V004")
    assert act(county, feedback_id, "accept", new_operator)["unit_code"] == "T01V004"
    unknown = requests.post(f"{api}/api/v1/feedback", json={"target_kind": "unit", "target_id": "NOPE",
                                                            "kind": "opinion", "content": "有意见"})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"

    def audited():  # every step is in the audit trail, refused ones included
        entries = requests.get(f"{api}/api/v1/audit", headers=token("auditor", "auditor"), params={
            "action": "POST /api/v1/feedback/<id:feedback_id>/transfer", "limit": 200}).json()["items"]
        return sorted(e["result"] for e in entries if e["target"] == f"/api/v1/feedback/{feedback_id}/transfer")
    wait_for(lambda: audited() == [409, 422], timeout=20, message="the refused transfers in the audit trail")


def test_a_flood_from_one_client_is_refused_and_nothing_received_is_lost(county):
    api = county.api
    answers = [requests.post(f"{api}/api/v1/feedback", json={
        "target_kind": "unit", "target_id": "T02", "kind": "suggestion", "content": f"第 {n} 条建议"})
        for n in range(8)]
    statuses = [r.status_code for r in answers]
    assert set(statuses) == {201, 429} and statuses.index(429) <= 5, statuses
    assert all(r.headers.get("Retry-After") for r in answers if r.status_code == 429)
    for accepted in (r.json() for r in answers if r.status_code == 201):
        assert requests.get(f"{api}/api/v1/feedback/{accepted['tracking_code']}").json()["status"] == "received"
    gateway = county.cluster.processes["gateway"].metrics()
    assert 'gongkai_rate_limited_total{route_class="feedback"}' in gateway
