"""Supervision over HTTP against separately started processes (one cluster for the module):
a random inspection of 5 units drawn with a seed nobody chose, published on the portal and
recomputed by scripts/verify_draw.py, scored; two findings, one rectification
returned, resubmitted and accepted, the other overdue (red to the unit); the same as-of query
before and after a later change; the monthly report with its figures checked by hand; a
model candidate nominated and designated through units; and the bad inputs."""
import hashlib
import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
import requests
from openpyxl import load_workbook

from services.common.config import ROOT
from services.common.workdays import county_today
from services.supervision import draw
from tests.clusters import running_county
from tests.conftest import scalar, wait_for
from tests.test_end_to_end import token

OFFICE = token("office", "inspector")
FULL = [("content_complete", 10), ("content_true", 10), ("content_detail", 10), ("form_board", 10),
        ("form_online", 10), ("procedure_steps", 10), ("procedure_records", 5), ("on_time_periodic", 10),
        ("feedback_handling", 10)]
VERIFY = ROOT / "scripts" / "verify_draw.py"
POOL = [{"username": "insp-a"}, {"username": "insp-b"}, {"username": "insp-c", "unit_code": None}]


@pytest.fixture(scope="module")
def county(tmp_path_factory, sqlite_templates):
    with running_county(tmp_path_factory.mktemp("supervision"), sqlite_templates,
                        env={"SUPERVISION_DEADLINE_CHECK_SECONDS": "0.5"}) as running:
        yield running


def mail_subjects(county):
    import email
    import email.policy
    folder = county["mail"]
    if not folder.exists():
        return []
    return [(m["To"], m["Subject"]) for m in (email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
                                              for p in sorted(folder.iterdir()))]


def check_published_draw(api, inspection, tmp_path):
    """The portal publishes the draw to anyone; the independent script recomputes it from that."""
    page = requests.get(f"{api}/draws/{inspection['id']}")  # not signed in
    published = requests.get(f"{api}/draws/{inspection['id']}.json")
    assert page.status_code == published.status_code == 200, page.text
    record = published.json()
    assert record["seed"] == inspection["seed"] and record["algorithm"] == "hmac-sha256-v1"
    assert hashlib.sha256(bytes.fromhex(record["seed"])).hexdigest() == record["commitment"]
    for shown in (record["commitment"], record["seed"], "hmac-sha256-v1", *record["units"],
                  *(p["username"] for p in record["pool"])):
        assert shown in page.text
    assert "<script" not in page.text
    saved = tmp_path / "draw.json"
    saved.write_text(published.text, encoding="utf-8")
    verified = subprocess.run([sys.executable, "-I", str(VERIFY), str(saved)], capture_output=True, text=True)
    assert verified.returncode == 0 and verified.stdout.startswith("OK"), verified.stdout + verified.stderr
    tampered = {**record, "units": list(reversed(record["units"]))}
    saved.write_text(json.dumps(tampered), encoding="utf-8")
    assert subprocess.run([sys.executable, "-I", str(VERIFY), str(saved)], capture_output=True).returncode == 1
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    shots = os.environ.get("PORTAL_SCREENSHOTS") or tmp_path / "shots"  # `make screenshots` keeps them
    seen = subprocess.run([sys.executable, "-m", "tests.gateway.pages.draw_browser", f"{api}/draws/{inspection['id']}",
                           str(tmp_path / "browser.json"), str(ROOT / shots)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert seen.returncode == 0, seen.stdout + seen.stderr
    browser = json.loads((tmp_path / "browser.json").read_text())
    assert browser["axe"] == {"390": [], "1280": []} and browser["scroll_width_390"] <= 390
    assert browser["h1"].startswith("双随机抽查第")


def test_inspection_to_report_and_models(county, tmp_path):
    api = county["api"]
    today = county_today()
    month = f"{today:%Y-%m}"
    # the inspection in the third month before this one (September when run in December), so that
    # the three months that have ended since are scored from it, whatever the day the test runs
    opens = (today.replace(day=1) - timedelta(days=80)).replace(day=1)
    closes = (opens + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    inspected_on = opens.replace(day=15).isoformat()
    plan = {"title": "双随机抽查", "kind": "random", "window_opens": opens.isoformat(),
            "window_closes": closes.isoformat(), "sample": {"count": 5, "scope": "county"},
            "inspectors": POOL}
    # bad inputs change nothing
    too_many = {**plan, "sample": {"count": 500}}
    assert requests.post(f"{api}/api/v1/inspections", json=too_many, headers=OFFICE).status_code == 422
    chosen = requests.post(f"{api}/api/v1/inspections", json={**plan, "sample": {"count": 5, "seed": 1}},
                           headers=OFFICE)
    assert chosen.status_code == 400 and "种子由系统生成" in chosen.text  # nobody chooses the seed
    made = requests.post(f"{api}/api/v1/inspections", json=plan, headers=OFFICE)
    assert made.status_code == 201, made.text
    inspection = made.json()
    assert inspection["id"] == 1  # the refused plan left nothing behind
    assert len(bytes.fromhex(inspection["seed"])) == 32 and len(inspection["units"]) == 5
    drawn = requests.get(f"{api}/api/v1/inspections/{inspection['id']}/draw", headers=OFFICE).json()
    assert drawn["matches"] is True
    again = draw.draw(drawn["population"], drawn["pool"], drawn["seed"], count=5,
                      belongs_under=lambda own, unit: own in drawn["chains"][unit])
    check_published_draw(api, inspection, tmp_path)
    assert again["units"] == [u["unit_code"] for u in inspection["units"]]
    units = {u["unit_code"]: u["inspectors"][0] for u in inspection["units"]}
    codes = sorted(units)
    u1, u2 = codes[0], codes[1]
    outside = next(c for c in ("A001", "A002", "A003") if c not in units)

    def record(code, body):
        return requests.put(f"{api}/api/v1/inspections/{inspection['id']}/units/{code}/scores", json=body,
                            headers=token(units[code], "inspector"))

    full = [{"criterion": c, "score": m, "note": "符合要求"} for c, m in FULL]
    over = [{"criterion": "content_true", "score": 11}]
    assert record(u1, {"scores": over}).status_code == 400  # above the criterion's maximum
    assert requests.put(f"{api}/api/v1/inspections/{inspection['id']}/units/{outside}/scores", json={"scores": full},
                        headers=token(units[u1], "inspector")).status_code == 422  # outside the inspection
    findings = [{"dimension": "content", "text": "财务收支未公开到明细", "deduction": 6, "deadline_days": 250},
                {"dimension": "form", "text": "公开栏内容未及时更新", "deduction": 4, "deadline_days": 1}]
    for code in codes:
        body = {"scores": full, "inspected_on": inspected_on, "findings": findings if code == u1 else []}
        assert record(code, body).status_code == 200, record(code, body).text
        submitted = requests.post(f"{api}/api/v1/inspections/{inspection['id']}/units/{code}/submit",
                                  headers=token(units[code], "inspector"))
        assert submitted.status_code == 200, submitted.text
    assert requests.post(f"{api}/api/v1/inspections/{inspection['id']}/units/{u1}/submit",
                         headers=token(units[u1], "inspector")).status_code == 409  # a second submission

    rects = requests.get(f"{api}/api/v1/rectifications", params={"unit": u1}, headers=OFFICE).json()["items"]
    r1, r2 = sorted(rects, key=lambda r: r["dimension"])  # content, form
    operator, other = token(f"op-{u1}", "operator", u1), token(f"op-{u2}", "operator", u2)
    done = {"done": "已将财务收支按明细补充公开"}
    assert requests.post(f"{api}/api/v1/rectifications/{r1['id']}/submit", json=done, headers=other).status_code == 403
    assert requests.post(f"{api}/api/v1/rectifications/{r1['id']}/submit", json=done,
                         headers=operator).json()["status"] == "submitted"
    returned = requests.post(f"{api}/api/v1/rectifications/{r1['id']}/return", json={"reason": "缺少公开栏照片"},
                             headers=token("insp-a", "inspector"))
    assert returned.json()["status"] == "returned"
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    assert requests.post(f"{api}/api/v1/rectifications/{r1['id']}/photos", data=b"MZ\x90\0not a photo",
                         headers={**operator, "Content-Type": "image/png"}).status_code == 415  # the bytes decide
    photo = requests.post(f"{api}/api/v1/rectifications/{r1['id']}/photos", data=png,
                          headers={**operator, "Content-Type": "image/png"})
    assert photo.status_code == 201, photo.text
    resubmitted = requests.post(f"{api}/api/v1/rectifications/{r1['id']}/submit",
                                json={**done, "evidence": [photo.json()["sha256"]]}, headers=operator)
    assert resubmitted.json()["status"] == "submitted"
    assert requests.post(f"{api}/api/v1/rectifications/{r1['id']}/accept",
                         headers=token("insp-b", "inspector")).json()["status"] == "accepted"
    wait_for(lambda: requests.get(f"{api}/api/v1/rectifications/{r2['id']}", headers=operator).json()["status"]
             == "overdue", timeout=20, message="the second rectification to fall overdue")
    wait_for(lambda: any("红色预警" in s and str(r2["id"]) in s for _, s in mail_subjects(county)), timeout=20,
             message="the red warning to the unit")

    wait_for(lambda: any(to == "dangwu-office@county.example.gov.cn" and "请验收" in s for to, s in mail_subjects(county))
             and any("整改被退回" in s for _, s in mail_subjects(county))
             and any("请按期整改" in s for _, s in mail_subjects(county)), timeout=20,
             message="the rectification emails to the unit and the office")
    metrics = county["cluster"].processes["supervision"].metrics()
    assert 'gongkai_rectifications{status="overdue",town=' in metrics

    # scores, by hand: every unit full marks (100) but u1: content (30-6)/30 lifted by acceptance = 100,
    # form (20-4)/20 = 80 while overdue; weighted (100*30 + 80*20 + 100*15 + 100*20 + 100*15) / 100 = 96,
    # minus 5 for the overdue rectification = 91
    assert requests.get(f"{api}/api/v1/scores", params={"period": "2026-13"}, headers=OFFICE).status_code == 400
    assert requests.get(f"{api}/api/v1/scores", params={"period": month, "as_of": "2099-01-01T00:00:00+08:00"},
                        headers=OFFICE).status_code == 400
    t1 = datetime.now(UTC).isoformat()
    query = {"period": month, "as_of": t1}
    before = requests.get(f"{api}/api/v1/scores", params=query, headers=OFFICE).json()
    totals = {u["unit_code"]: u["total"] for u in before["units"] if u["unit_code"] in units}
    assert totals == {**{c: 100.0 for c in codes}, u1: 91.0}
    own = requests.get(f"{api}/api/v1/scores", params=query, headers=operator).json()
    assert [u["unit_code"] for u in own["units"]] == [u1]
    # a later change (u2's record corrected: content_true 10 → 5) leaves the same as-of answer alone
    corrected = [{**s, "score": 5} if s["criterion"] == "content_true" else s for s in full]
    fixed = requests.post(f"{api}/api/v1/inspections/{inspection['id']}/units/{u2}/correct",
                          json={"scores": corrected, "reason": "复核发现公开内容与台账不一致"},
                          headers=token(units[u2], "inspector"))
    assert fixed.status_code == 201 and fixed.json()["revision"] == 2
    assert requests.get(f"{api}/api/v1/scores", params=query, headers=OFFICE).json() == before
    now = requests.get(f"{api}/api/v1/scores", params={"period": month, "unit": u2}, headers=OFFICE).json()
    assert now["units"][0]["total"] == 95.0  # content 25/30: 83.33*0.3 + 70

    # the monthly report: 5 scored ... and the other 116 units have no facts, so no score
    draft = requests.post(f"{api}/api/v1/reports", json={"kind": "monthly", "period": month}, headers=OFFICE)
    assert draft.status_code == 201, draft.text
    assert requests.get(f"{api}/api/v1/rankings", params={"period": month}).status_code == 404  # not published
    issued = requests.post(f"{api}/api/v1/reports/{draft.json()['id']}/issue", json={"publish": True},
                           headers=OFFICE).json()
    f = issued["figures"]
    assert (f["units_scored"], f["mean"]) == (5, 97.2)  # (91 + 95 + 3 * 100) / 5
    assert (f["rectifications_unresolved"], f["rectifications_overdue"]) == (1, 1)
    assert f["black_list"][0] == u1 and f["below_threshold"] == [] and f["interviews"] == []
    assert [u["unit_code"] for u in f["units"][:3]] == sorted(set(codes) - {u1, u2})
    assert requests.post(f"{api}/api/v1/reports/{issued['id']}/issue", headers=OFFICE).status_code == 409
    book = load_workbook(io.BytesIO(requests.get(f"{api}/api/v1/reports/{issued['id']}.xlsx").content))
    assert book["单位得分"].max_row == 6
    public = requests.get(f"{api}/api/v1/rankings", params={"period": month}).json()
    assert public["black_list"][0] == u1
    assert "月度通报" in requests.get(f"{api}/api/v1/reports/{issued['id']}/page").text

    # model candidates: full marks in the three months ended since the inspection, nothing unresolved
    listed = requests.get(f"{api}/api/v1/candidates", headers=OFFICE).json()
    assert sorted(c["unit_code"] for c in listed["items"]) == sorted(set(codes) - {u1, u2}) or \
        sorted(c["unit_code"] for c in listed["items"]) == sorted(set(codes) - {u1})
    chosen = listed["items"][0]["unit_code"]
    nominated = requests.post(f"{api}/api/v1/candidates/{chosen}/nominate", json={"reason": "连续三期满分"},
                              headers=OFFICE)
    assert nominated.status_code == 201, nominated.text
    assert requests.post(f"{api}/api/v1/candidates/{u1}/nominate", headers=OFFICE).status_code == 409
    designated = requests.post(f"{api}/api/v1/designations/{nominated.json()['id']}/designate",
                               json={"term_years": 3}, headers=OFFICE)
    assert designated.status_code == 200, designated.text
    wait_for(lambda: scalar(county["urls"]["supervision"],
                            f"SELECT count(*) FROM designation_facts WHERE unit_code = '{chosen}'") == 1,
             timeout=20, message="supervision to learn of the designation")
