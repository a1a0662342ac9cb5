"""The disclosure programme over HTTP, against separately started processes with the sample
county: the catalogue, the year's plan through its consultation (comments through the
feedback service) to approval, the obligations that follow, an item through its workflow
with attachments, a correction and a withdrawal, progress, and the archive.

One cluster serves the whole module (every start costs seconds); the tests share the year
the `year` fixture sets up and each works on its own catalogue matter or obligations."""
import io
import json
import zipfile
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import quote

import pytest
import requests
import sqlalchemy as sa

from services.common import crypto
from services.common.workdays import county_today
from tests.clusters import running_county
from tests.conftest import scalar, wait_for
from tests.test_end_to_end import token

pytestmark = pytest.mark.api_level

YEAR = county_today().year  # the plan is this year's, so the test holds on any date
ATTACHMENT_MAX_BYTES = 64 * 1024
OFFICE = token("office", "inspector")
OPERATOR, REVIEWER = token("op-a001", "operator", "A001"), token("rv-a001", "reviewer", "A001")
OTHER_OPERATOR = token("op-a002", "operator", "A002")
MEMBER = token("pm-a001", "member", "A001")
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
QUARTERLY = {"code": "TQ-01", "matter": "党费", "sub_matter": "党费收缴、使用和管理情况",
             "content_elements": "收缴人数、金额，使用项目、金额，结余", "basis": "《中国共产党党务公开条例（试行）》第八条",
             "time_limit": "每季度结束后10个工作日内", "audience": "society", "carriers": ["公开栏", "网站"],
             "sectors": ["agency"], "frequency": "quarterly", "grace_days": 10, "valid_from": f"{YEAR}-01-01"}
ON_EVENT = {**QUARTERLY, "code": "TE-02", "matter": "组织建设", "sub_matter": "党员发展情况",
            "content_elements": "发展对象、入党时间", "time_limit": "确定发展对象后5个工作日内", "audience": "party",
            "frequency": "on_event", "grace_days": None, "within_days": 5}


def execute(url, sql):
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text(sql))
    engine.dispose()


@pytest.fixture(scope="module")
def county(tmp_path_factory, sqlite_templates):
    """The sample county, small attachments, deadlines checked every second."""
    with running_county(tmp_path_factory.mktemp("disclosure-api"), sqlite_templates, env={
            "ATTACHMENT_MAX_BYTES": str(ATTACHMENT_MAX_BYTES), "DEADLINE_CHECK_SECONDS": "1",
            "RATE_LIMITS_ENABLED": "false"}) as running:
        yield running

@pytest.fixture(scope="module")
def year(county):
    """The catalogue gets a quarterly matter for county agencies; this year's plan is put to
    consultation, takes a comment, and is approved once its window has passed."""
    api = county.api
    for entry in (QUARTERLY, ON_EVENT):
        added = requests.post(f"{api}/api/v1/catalogue", json=entry, headers=OFFICE)
        assert added.status_code == 201, added.text
    plan = requests.post(f"{api}/api/v1/plans", headers=OFFICE, json={
        "year": YEAR, "title": f"{YEAR}年党务公开工作实施方案", "goals": ["党务公开目录全覆盖"],
        "milestones": [{"title": "年度公开目录修订", "due_on": f"{YEAR}-12-15"}], "carriers": ["公开栏", "网站"],
        "forms": ["公开栏张贴", "网站发布"], "consultation_days": 5})
    assert plan.status_code == 201, plan.text
    plan_id = plan.json()["id"]
    assert requests.get(f"{api}/api/v1/plans/{plan_id}").status_code == 404  # a draft is the office's

    consulting = requests.post(f"{api}/api/v1/plans/{plan_id}/consult", headers=OFFICE)
    assert consulting.status_code == 200, consulting.text
    assert consulting.json()["status"] == "consultation" and consulting.json()["consultation_open"]
    wait_for(lambda: scalar(county.db["feedback"], f"SELECT active FROM targets WHERE kind = 'plan' "
                                                    f"AND target_id = '{plan_id}'") in (True, 1),
             timeout=20, message="feedback to open the plan for comments")
    comment = requests.post(f"{api}/api/v1/feedback", json={
        "target_kind": "plan", "target_id": str(plan_id), "kind": "suggestion",
        "content": "建议把村级财务公开改为每月一次"}, headers=MEMBER)
    assert comment.status_code == 201, comment.text

    early = requests.post(f"{api}/api/v1/plans/{plan_id}/approve", headers=OFFICE)
    assert early.status_code == 409 and early.json()["error"]["code"] == "conflict"
    assert "征求意见到" in early.json()["error"]["message"]  # 方案 N 征求意见到 … 截止，… 起才能批准。
    closed = county_today() - timedelta(days=1)  # as if the window had passed
    execute(county.db["disclosure"], f"UPDATE plans SET consultation_closes_on = '{closed}' WHERE id = {plan_id}")
    approved = requests.post(f"{api}/api/v1/plans/{plan_id}/approve", headers=OFFICE, json={"reason": "县委审定"})
    assert approved.status_code == 200, approved.text
    return SimpleNamespace(plan_id=plan_id, comment=comment.json(), approved=approved.json())


def obligations(api, headers=OPERATOR, **filters):
    response = requests.get(f"{api}/api/v1/obligations", params=filters, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def error(response, status):
    assert response.status_code == status, (response.request.method, response.request.url, response.text)
    body = response.json()
    assert body["error"]["message"] and body["request_id"]
    return body["error"]["message"]


def test_the_catalogue_is_public_and_kept_by_the_county_office(county, year):
    api = county.api
    listed = requests.get(f"{api}/api/v1/catalogue")
    assert listed.status_code == 200 and {"TQ-01", "TE-02"} <= {e["code"] for e in listed.json()["items"]}
    found = requests.get(f"{api}/api/v1/catalogue", params={"sector": "agency", "frequency": "quarterly",
                                                            "q": "党费"}).json()["items"]
    assert [e["code"] for e in found if e["code"].startswith("T")] == ["TQ-01"]
    assert "TQ-01" not in {e["code"] for e in requests.get(f"{api}/api/v1/catalogue",
                                                           params={"sector": "village"}).json()["items"]}
    before = requests.get(f"{api}/api/v1/catalogue", params={"on": f"{YEAR - 1}-06-01"}).json()["items"]
    assert not {"TQ-01", "TE-02"} & {e["code"] for e in before}  # not yet in force then
    error(requests.get(f"{api}/api/v1/catalogue", params={"on": "yesterday"}), 400)
    entry = requests.get(f"{api}/api/v1/catalogue/TQ-01").json()
    assert entry["current"]["grace_days"] == 10 and len(entry["versions"]) == 1
    error(requests.get(f"{api}/api/v1/catalogue/NOPE-1"), 404)

    error(requests.post(f"{api}/api/v1/catalogue", json={**QUARTERLY, "code": "TX-09"}, headers=OPERATOR), 403)
    error(requests.post(f"{api}/api/v1/catalogue", json={**QUARTERLY, "code": "TX-09"}), 401)
    error(requests.post(f"{api}/api/v1/catalogue", json=QUARTERLY, headers=OFFICE), 409)  # the code is taken
    bad = requests.post(f"{api}/api/v1/catalogue", json={**QUARTERLY, "code": "TX-09", "grace_days": None},
                        headers=OFFICE)
    assert bad.status_code == 400 and "grace_days" in bad.json()["error"]["details"]

    revised = requests.put(f"{api}/api/v1/catalogue/TE-02", json={"within_days": 3, "change_note": "缩短时限"},
                           headers=OFFICE)
    assert revised.status_code == 200, revised.text
    assert revised.json()["version"] == 2 and revised.json()["within_days"] == 3
    versions = requests.get(f"{api}/api/v1/catalogue/TE-02").json()["versions"]
    assert [v["version"] for v in versions] == [1, 2] and versions[0]["valid_to"] is not None
    error(requests.put(f"{api}/api/v1/catalogue/TE-02", json={"within_days": 4, "change_note": "x"},
                       headers=OPERATOR), 403)

    assert requests.post(f"{api}/api/v1/catalogue", json={**ON_EVENT, "code": "TR-03"}, headers=OFFICE
                         ).status_code == 201
    retired = requests.post(f"{api}/api/v1/catalogue/TR-03/retire", json={"reason": "并入 TE-02"}, headers=OFFICE)
    assert retired.status_code == 200, retired.text
    (last,) = requests.get(f"{api}/api/v1/catalogue/TR-03").json()["versions"]
    assert last["valid_to"] == county_today().isoformat() and last["retired_reason"] == "并入 TE-02"
    error(requests.post(f"{api}/api/v1/catalogue/TR-03/retire", json={}, headers=OFFICE), 400)  # no reason
    error(requests.post(f"{api}/api/v1/catalogue/TR-03/retire", json={"reason": "再次"}, headers=OFFICE), 409)


def test_the_plan_takes_comments_while_in_consultation_and_is_approved(county, year):
    api = county.api
    assert year.comment["target_kind"] == "plan" and year.comment["status"] == "received"
    assert requests.get(f"{api}/api/v1/feedback/{year.comment['tracking_code']}").json()["status"] == "received"
    assert scalar(county.db["feedback"], "SELECT unit_code FROM feedback WHERE target_kind = 'plan'") == "C000"
    assert year.approved["status"] == "approved" and year.approved["obligations_scheduled"] > 0

    plan = requests.get(f"{api}/api/v1/plans/{year.plan_id}").json()  # public once past its draft
    assert [step["to_status"] for step in plan["trail"]][-2:] == ["consultation", "approved"]
    assert year.plan_id in [p["id"] for p in requests.get(f"{api}/api/v1/plans").json()["items"]]

    def refused_after_approval():
        response = requests.post(f"{api}/api/v1/feedback", json={
            "target_kind": "plan", "target_id": str(year.plan_id), "kind": "opinion", "content": "还有意见"})
        return response.json() if response.status_code == 400 else None  # (a 4xx Response is falsy)

    late = wait_for(refused_after_approval, timeout=20, interval=0.2, message="the consultation to close")
    assert "不再接收意见" in late["error"]["message"]
    error(requests.post(f"{api}/api/v1/plans/{year.plan_id}/approve", headers=OFFICE), 409)
    error(requests.post(f"{api}/api/v1/plans/{year.plan_id}/close", headers=OFFICE), 409)  # the year goes on
    error(requests.patch(f"{api}/api/v1/plans/{year.plan_id}", json={"title": "改"}, headers=OPERATOR), 403)
    error(requests.post(f"{api}/api/v1/plans/{year.plan_id}/consult", json={"surprise": 1}, headers=OFFICE), 400)


def test_obligations_follow_from_the_plan_for_each_unit(county, year):
    api = county.api
    mine = obligations(api, entry="TQ-01")
    assert sorted(o["period"] for o in mine) == [f"{YEAR}-Q{n}" for n in (1, 2, 3, 4)]
    assert {o["unit_code"] for o in mine} == {"A001"} and mine[0]["matter"] == "党费"
    # past quarters turn overdue with the timer; the first quarter is made due yesterday whatever today is
    q1 = next(o for o in mine if o["period"] == f"{YEAR}-Q1")
    execute(county.db["disclosure"], f"UPDATE obligations SET due_on = '{county_today() - timedelta(days=2)}' "
                                     f"WHERE id = {q1['id']}")
    expected = {o["period"] for o in mine if o["due_on"] < county_today().isoformat()} | {q1["period"]}
    wait_for(lambda: {o["period"] for o in obligations(api, entry="TQ-01", status="overdue")} == expected
                    and obligations(api, entry="TQ-01", status="overdue"), timeout=20, interval=0.3,
                    message="the deadline timer to mark past quarters overdue")
    (q4,) = obligations(api, entry="TQ-01", period=f"{YEAR}-Q4")
    assert q4["status"] == "open" and q4["due_on"] > f"{YEAR}-12-31"
    assert obligations(api, entry="TQ-01", status="fulfilled") == []

    error(requests.get(f"{api}/api/v1/obligations", params={"unit": "A002"}, headers=OPERATOR), 403)
    error(requests.get(f"{api}/api/v1/obligations/{q4['id']}", headers=OTHER_OPERATOR), 403)
    error(requests.get(f"{api}/api/v1/obligations", headers=MEMBER), 403)
    error(requests.get(f"{api}/api/v1/obligations"), 401)
    error(requests.get(f"{api}/api/v1/obligations", params={"year": "twenty"}, headers=OPERATOR), 400)
    error(requests.get(f"{api}/api/v1/obligations", params={"status": "lost"}, headers=OPERATOR), 400)

    first = requests.get(f"{api}/api/v1/obligations", params={"subtree": "C000", "entry": "TQ-01", "limit": 5},
                         headers=OFFICE).json()
    second = requests.get(f"{api}/api/v1/obligations", params={"subtree": "C000", "entry": "TQ-01", "limit": 5,
                                                               "cursor": first["next_cursor"]}, headers=OFFICE).json()
    assert len(first["items"]) == 5 and first["next_cursor"]
    assert not {o["id"] for o in first["items"]} & {o["id"] for o in second["items"]}
    error(requests.get(f"{api}/api/v1/obligations", params={"cursor": "bm9wZQ"}, headers=OFFICE), 400)

    today = county_today().isoformat()
    event = requests.post(f"{api}/api/v1/obligations/events", headers=OPERATOR,
                          json={"unit_code": "A001", "entry_code": "TE-02", "event_on": today, "note": "确定发展对象"})
    assert event.status_code == 201, event.text
    assert event.json()["period"] == "E1" and event.json()["due_on"] > today
    error(requests.post(f"{api}/api/v1/obligations/events", headers=OTHER_OPERATOR,
                        json={"unit_code": "A001", "entry_code": "TE-02", "event_on": today}), 403)
    error(requests.post(f"{api}/api/v1/obligations/events", headers=OPERATOR,
                        json={"unit_code": "A001", "entry_code": "TQ-01", "event_on": today}), 400)

    error(requests.post(f"{api}/api/v1/obligations/{q1['id']}/waive", json={"reason": "机构调整"},
                        headers=OPERATOR), 403)
    waived = requests.post(f"{api}/api/v1/obligations/{q1['id']}/waive", json={"reason": "机构调整"}, headers=OFFICE)
    assert waived.status_code == 200 and waived.json()["status"] == "waived"
    assert waived.json()["waived_by"] == "office"
    assert "已免除" in error(requests.post(f"{api}/api/v1/obligations/{q1['id']}/waive",
                                           json={"reason": "再次"}, headers=OFFICE), 409)
    error(requests.post(f"{api}/api/v1/obligations/{q1['id']}/waive", json={}, headers=OFFICE), 400)

    red = wait_for(lambda: scalar(county.db["notify"], "SELECT subject FROM deliveries WHERE cause_type = "
                                  "'ObligationOverdue' AND recipient_index = '"
                                  f"{crypto.blind_index('a001@example.gov.cn', 'deliveries.recipient')}' "
                                  "AND body LIKE '%TQ-01%'"),
                   timeout=60, interval=0.3, message="the red warning to A001's liaison")
    assert red.startswith("【党务公开·红色预警】党费")


def test_an_item_goes_through_its_workflow_with_attachments_and_fulfils_its_obligation(county, year):
    api = county.api
    (q4,) = obligations(api, entry="TQ-01", period=f"{YEAR}-Q4")
    draft = {"unit_code": "A001", "title": f"{YEAR}年第四季度党费收缴使用情况", "body": "本季度共收缴党费……",
             "audience": "society", "carriers": ["公开栏", "网站"], "obligation_id": q4["id"]}
    error(requests.post(f"{api}/api/v1/items", json=draft, headers=OTHER_OPERATOR), 403)  # another unit's
    created = requests.post(f"{api}/api/v1/items", json=draft, headers=OPERATOR)
    assert created.status_code == 201, created.text
    item_id = created.json()["id"]
    assert item_id not in [i["id"] for i in requests.get(f"{api}/api/v1/items", params={"unit": "A001"}
                                                         ).json()["items"]]  # a draft is not public
    error(requests.get(f"{api}/api/v1/items/{item_id}", headers=OTHER_OPERATOR), 404)
    error(requests.patch(f"{api}/api/v1/items/{item_id}", json={"title": "改"}, headers=OTHER_OPERATOR), 403)
    edited = requests.patch(f"{api}/api/v1/items/{item_id}", json={"body": "本季度共收缴党费12,345元……"},
                            headers=OPERATOR)
    assert edited.status_code == 200 and edited.json()["body"].startswith("本季度共收缴党费12,345元")
    error(requests.patch(f"{api}/api/v1/items/{item_id}", json={"author": "me"}, headers=OPERATOR), 400)

    # attachments: by content type and name, or as a form; wrong types and big files refused
    name = f"{YEAR}年第四季度党费明细.pdf"
    pdf = requests.post(f"{api}/api/v1/items/{item_id}/attachments", params={"filename": name}, data=PDF,
                        headers={**OPERATOR, "Content-Type": "application/pdf"})
    assert pdf.status_code == 201, pdf.text
    sha256 = pdf.json()["sha256"]
    assert pdf.json()["media_type"] == "application/pdf" and pdf.json()["size"] == len(PDF)
    note = requests.post(f"{api}/api/v1/items/{item_id}/attachments", headers=OPERATOR,
                         files={"file": ("说明.txt", "本表为季度汇总。".encode(), "text/plain")})
    assert note.status_code == 201, note.text
    exe = requests.post(f"{api}/api/v1/items/{item_id}/attachments", params={"filename": "setup.exe"},
                        data=b"MZ\x90\x00\x03\x00\x00\x00" + bytes(200),
                        headers={**OPERATOR, "Content-Type": "application/octet-stream"})
    assert "只能上传" in error(exe, 400)
    disguised = requests.post(f"{api}/api/v1/items/{item_id}/attachments", params={"filename": "a.pdf"},
                              data=b"MZ\x90\x00" + bytes(100), headers={**OPERATOR, "Content-Type": "application/pdf"})
    error(disguised, 400)
    big = requests.post(f"{api}/api/v1/items/{item_id}/attachments", params={"filename": "big.pdf"},
                        data=PDF + bytes(ATTACHMENT_MAX_BYTES), headers={**OPERATOR, "Content-Type": "application/pdf"})
    assert big.status_code == 413 and big.json()["error"]["code"] == "too_large"
    error(requests.post(f"{api}/api/v1/items/{item_id}/attachments", params={"filename": "a.pdf"}, data=PDF,
                        headers={**OTHER_OPERATOR, "Content-Type": "application/pdf"}), 403)
    error(requests.post(f"{api}/api/v1/items/{item_id}/attachments", data=PDF,
                        headers={**OPERATOR, "Content-Type": "application/pdf"}), 400)  # no name
    removed = requests.delete(f"{api}/api/v1/items/{item_id}/attachments/{note.json()['sha256']}", headers=OPERATOR)
    assert removed.status_code == 200 and [a["sha256"] for a in removed.json()["attachments"]] == [sha256]
    error(requests.get(f"{api}/api/v1/items/{item_id}/attachments/{sha256}"), 404)  # not public yet

    # the workflow: wrong steps are refused with the reason, nothing changes
    assert "须处于“待审批”状态" in error(requests.post(f"{api}/api/v1/items/{item_id}/approve", headers=REVIEWER),
                                       409)
    assert requests.post(f"{api}/api/v1/items/{item_id}/submit", headers=OPERATOR).json()["status"] == "submitted"
    error(requests.post(f"{api}/api/v1/items/{item_id}/submit", headers=OPERATOR), 409)
    error(requests.post(f"{api}/api/v1/items/{item_id}/review", headers=token("rv-a002", "reviewer", "A002")), 403)
    assert requests.post(f"{api}/api/v1/items/{item_id}/review", headers=REVIEWER).json()["status"] == "reviewed"
    error(requests.post(f"{api}/api/v1/items/{item_id}/attachments", params={"filename": "late.pdf"},
                        data=PDF + b"x", headers={**OPERATOR, "Content-Type": "application/pdf"}), 409)
    published = requests.post(f"{api}/api/v1/items/{item_id}/approve", headers=REVIEWER, json={"reason": "同意"})
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert [t["to_status"] for t in published.json()["trail"]] == ["draft", "submitted", "reviewed", "approved",
                                                                    "published"]
    fulfilled = requests.get(f"{api}/api/v1/obligations/{q4['id']}", headers=OPERATOR).json()
    assert fulfilled["status"] == "fulfilled" and fulfilled["item_id"] == item_id

    # anyone reads it, per unit and county-wide by title, with its attachment
    assert item_id in [i["id"] for i in requests.get(f"{api}/api/v1/items", params={"unit": "A001"}).json()["items"]]
    assert item_id in [i["id"] for i in requests.get(f"{api}/api/v1/items", params={"q": "党费收缴"}).json()["items"]]
    assert requests.get(f"{api}/api/v1/items", params={"q": "没有这个标题"}).json()["items"] == []
    public = requests.get(f"{api}/api/v1/items/{item_id}").json()
    assert "author" not in public and "trail" not in public
    download = requests.get(f"{api}/api/v1/items/{item_id}/attachments/{sha256}")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert f"filename*=UTF-8''{quote(name)}" in download.headers["Content-Disposition"]
    error(requests.get(f"{api}/api/v1/items/{item_id}/attachments/{'0' * 64}"), 404)
    error(requests.get(f"{api}/api/v1/items", params={"year": "2026x"}), 400)

    progress = requests.get(f"{api}/api/v1/progress", params={"year": YEAR}, headers=OFFICE)
    assert progress.status_code == 200, progress.text
    report = progress.json()
    agencies = next(r for r in report["rows"] if r["sector"] == "agency" and r["town_code"] is None)
    assert report["year"] == YEAR and agencies["fulfilled"] >= 1 and agencies["total"] >= agencies["fulfilled"]
    assert report["totals"]["fulfilled"] == sum(r["fulfilled"] for r in report["rows"])
    assert requests.get(f"{api}/api/v1/progress", params={"year": YEAR, "sector": "village"}, headers=OFFICE
                        ).json()["totals"]["fulfilled"] == 0
    error(requests.get(f"{api}/api/v1/progress", headers=OPERATOR), 403)

    # a correction is a new version; the old one stays readable, superseded
    error(requests.post(f"{api}/api/v1/items/{item_id}/correct", json={"audience": "everyone"}, headers=OPERATOR),
          400)
    correction = requests.post(f"{api}/api/v1/items/{item_id}/correct", json={"body": "更正：本季度共收缴党费12,354元。"},
                               headers=OPERATOR)
    assert correction.status_code == 201, correction.text
    new_id = correction.json()["id"]
    assert correction.json()["version"] == 2 and correction.json()["status"] == "draft"
    error(requests.post(f"{api}/api/v1/items/{new_id}/correct", json={}, headers=OPERATOR), 409)  # not published
    for action, headers in (("submit", OPERATOR), ("review", REVIEWER), ("approve", REVIEWER)):
        assert requests.post(f"{api}/api/v1/items/{new_id}/{action}", headers=headers).status_code == 200
    old = requests.get(f"{api}/api/v1/items/{item_id}").json()
    assert old["status"] == "corrected" and old["superseded_by_id"] == new_id
    versions = requests.get(f"{api}/api/v1/items/{new_id}/versions").json()["items"]
    assert [v["version"] for v in versions] == [1, 2] and versions[1]["body"].startswith("更正")
    assert requests.get(f"{api}/api/v1/items/{new_id}/attachments/{sha256}").content == PDF  # carried over

    # feedback on the published correction, then a withdrawal (with a reason) ends it
    def feedback_on(target_id, status):
        response = requests.post(f"{api}/api/v1/feedback", json={
            "target_kind": "item", "target_id": str(target_id), "kind": "question", "content": "差额是什么原因？"})
        return response.json() if response.status_code == status else None  # (a 4xx Response is falsy)

    wait_for(lambda: feedback_on(new_id, 201), timeout=20, interval=0.2, message="feedback to take the item")
    assert "撤回须写明原因" in error(requests.post(f"{api}/api/v1/items/{new_id}/withdraw", headers=REVIEWER), 400)
    withdrawn = requests.post(f"{api}/api/v1/items/{new_id}/withdraw", json={"reason": "数据需重新核对"},
                              headers=REVIEWER)
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert withdrawn.json()["trail"][-1]["reason"] == "数据需重新核对"
    wait_for(lambda: feedback_on(new_id, 404), timeout=20, interval=0.2, message="feedback to refuse a withdrawn item")
    assert new_id not in [i["id"] for i in requests.get(f"{api}/api/v1/items", params={"unit": "A001"}
                                                        ).json()["items"]]

    # the unit's year as a zip with its manifest; sealing waits for the year's end
    archive = requests.get(f"{api}/api/v1/archive/A001/{YEAR}", headers=OPERATOR)
    assert archive.status_code == 200 and archive.headers["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(archive.content)) as opened:
        manifest = json.loads(opened.read("manifest.json"))
        assert manifest["unit"] == "A001" and manifest["item_count"] == 2
        paths = {f["path"] for f in manifest["files"]}
        assert {f"items/{item_id}-v1.json", f"items/{new_id}-v2.json", f"attachments/{sha256}"} <= paths
        assert opened.read(f"attachments/{sha256}") == PDF
    error(requests.get(f"{api}/api/v1/archive/A002/{YEAR}", headers=OPERATOR), 403)
    error(requests.get(f"{api}/api/v1/archive/A001/{YEAR}", headers=MEMBER), 403)
    assert "年度还没有结束" in error(requests.post(f"{api}/api/v1/archive/{YEAR}/seal", headers=OFFICE), 409)
    error(requests.post(f"{api}/api/v1/archive/{YEAR - 1}/seal", headers=OPERATOR), 403)
    # last year was sealed by the service's own timer as it started
    assert "年度已经封存" in error(requests.post(f"{api}/api/v1/archive/{YEAR - 1}/seal", headers=OFFICE), 409)
    sealed = requests.post(f"{api}/api/v1/archive/{YEAR - 2}/seal", headers=OFFICE)
    assert sealed.status_code == 200 and sealed.json()["year"] == YEAR - 2, sealed.text
