"""A submitted inspection record corrected in the console as a new revision, over HTTP as a browser
without script uses it (cookies, CSRF tokens, a confirmation page), against separately started
processes: the office inspected A003 and found two problems; the unit has already submitted one
rectification; the office corrects the record keeping that finding (its rectification stays
submitted), removing the other (withdrawn) and adding a third (a new rectification). Refused in
words, nothing changed: an inspector of the unit who did not inspect it (page and API), no reason,
a form the record outran (corrected meanwhile). Both revisions stay readable, by the unit too."""
import re
import uuid

import pytest
import requests

from tests.conftest import scalar
from tests.clusters import services_today
from tests.gateway.pages.test_console_office import CRITERIA, OFFICE, office_browser
from tests.gateway.pages.test_console_signin import csrf_of
from tests.test_end_to_end import token

pytestmark = pytest.mark.api_level

OTHER = token("insp-b", "inspector")
HIDDEN = re.compile(r'<input type="hidden" name="([a-z0-9_-]+)" value="([^"]*)"')


def inspected(api, unit_code, findings):
    """A record of the unit by office (insp-b is the unit's second inspector), submitted; its
    window is the services' day (a result is recorded on a day of the window, not after today)."""
    today = services_today(api).isoformat()
    planned = requests.post(f"{api}/api/v1/inspections", headers=OFFICE, json={
        "title": f"专项检查 {uuid.uuid4().hex[:6]}", "kind": "special", "window_opens": today, "window_closes": today,
        "unit_codes": [unit_code], "inspectors": [{"username": "office"}, {"username": "insp-b"}]})
    assert planned.status_code == 201, planned.text
    base = f"{api}/api/v1/inspections/{planned.json()['id']}/units/{unit_code}"
    saved = requests.put(f"{base}/scores", headers=OFFICE, json={
        "scores": [{"criterion": c, "score": 5} for c in CRITERIA],
        "findings": [{"dimension": "form", "text": text, "deduction": 2} for text in findings]})
    assert saved.status_code == 200, saved.text
    submitted = requests.post(f"{base}/submit", headers=OFFICE)
    assert submitted.status_code == 200, submitted.text
    return planned.json()["id"], submitted.json()


def correction_form(csrf, revision, findings, reason, inspected_on):
    """The correction form as its fields are filled: every score 5, the findings' rows as given
    (keeps, text), the rows beyond them empty, inspected on the day given."""
    form = {"csrf_token": csrf, "revision": str(revision), "finding_rows": str(len(findings) + 2), "reason": reason,
            "inspected_on": inspected_on, **{f"score-{c}": "5" for c in CRITERIA}}
    for n, (keeps, text) in enumerate(findings, 1):
        form.update({f"finding-{n}-text": text, f"finding-{n}-dimension": "form", f"finding-{n}-deduction": "2",
                     f"finding-{n}-days": "10"})
        if keeps:
            form[f"finding-{n}-keeps"] = str(keeps)
    return form


def test_a_correction_in_the_console_carries_the_rectifications_it_keeps(county):
    api, tag = county["api"], uuid.uuid4().hex[:6]
    board, ledger, minutes = f"公开栏未更新（{tag}）", f"台账缺页（{tag}）", f"会议记录缺失（{tag}）"
    inspection_id, first = inspected(api, "A003", [board, ledger])
    on = requests.get(f"{api}/api/v1/inspections/{inspection_id}", headers=OFFICE).json()["window_opens"]
    board_id, ledger_id = (f["id"] for f in first["findings"])
    board_rect, ledger_rect = (f["rectification_id"] for f in first["findings"])
    operator = token("op-a003", "operator", "A003")
    sent = requests.post(f"{api}/api/v1/rectifications/{board_rect}/submit", headers=operator, json={"done": "已更新"})
    assert sent.status_code == 200, sent.text
    db = county["urls"]["supervision"]

    def records():
        return scalar(db, f"SELECT count(*) FROM inspection_records WHERE inspection_id = {inspection_id}")

    where = f"{api}/console/inspections/{inspection_id}/units/A003"
    refused = requests.get(f"{where}/correct", headers=OTHER)
    assert refused.status_code == 403 and "只有检查的人员才能更正" in refused.text and 'name="reason"' not in refused.text
    by_api = requests.post(f"{api}/api/v1/inspections/{inspection_id}/units/A003/correct", headers=OTHER,
                           json={"scores": [{"criterion": c, "score": 1} for c in CRITERIA], "reason": "改分"})
    assert by_api.status_code == 403 and "只有检查的人员才能更正" in by_api.json()["error"]["message"]
    assert records() == 1

    office = office_browser(api)
    shown = office.get(where)
    assert f'href="/console/inspections/{inspection_id}/units/A003/correct"' in shown.text
    form = office.get(f"{where}/correct")
    assert form.status_code == 200 and f'name="finding-1-keeps" value="{board_id}"' in form.text
    assert f'name="finding-2-keeps" value="{ledger_id}"' in form.text and board in form.text
    stale = correction_form(csrf_of(form), 1, [(board_id, board), (ledger_id, "")], "复核", on)  # kept for later

    no_reason = office.post(f"{where}/correct", data=correction_form(
        csrf_of(form), 1, [(board_id, board), (ledger_id, ""), (None, minutes)], "", on))
    assert no_reason.status_code == 400 and "请写明更正理由" in no_reason.text and minutes in no_reason.text
    reason = f"复核：台账已补齐，另发现会议记录缺失（{tag}）"
    confirm = office.post(f"{where}/correct", data=correction_form(
        csrf_of(no_reason), 1, [(board_id, board), (ledger_id, ""), (None, minutes)], reason, on))
    assert confirm.status_code == 200 and "确认更正" in confirm.text
    text = re.sub(r"<[^>]+>", "", confirm.text)
    kept_part = text[text.index("沿用的问题"):text.index("删去的问题")]
    gone_part = text[text.index("删去的问题"):text.index("新增的问题")]
    assert board in kept_part and "已提交待验收" in kept_part
    assert ledger in gone_part and minutes in text[text.index("新增的问题"):]
    assert records() == 1  # nothing yet

    hidden = dict(HIDDEN.findall(confirm.text[confirm.text.index('<form method="post"'):]))
    done = office.post(f"{where}/correct", data={**hidden, "confirmed": "1"}, allow_redirects=False)
    assert done.status_code == 303 and done.headers["Location"].endswith("/revisions?corrected=2"), done.text[:3000]
    revisions = office.get(f"{api}{done.headers['Location']}")
    assert "已更正为第 2 版" in revisions.text and reason in revisions.text and "已被更正" in revisions.text
    assert ledger in revisions.text  # the first revision, kept and readable
    assert records() == 2

    outran = office.post(f"{where}/correct", data={**stale, "csrf_token": csrf_of(revisions)})
    assert outran.status_code == 409 and "更正为第 2 版" in outran.text and records() == 2

    rects = {r["id"]: r for r in requests.get(f"{api}/api/v1/rectifications", params={"inspection": inspection_id},
                                              headers=OFFICE).json()["items"]}
    assert rects[board_rect]["status"] == "submitted"  # its progress kept
    assert rects[ledger_rect]["status"] == "withdrawn"
    (new,) = [r for r in rects.values() if r["finding"] == minutes]
    assert new["status"] == "open" and len(rects) == 3
    assert "已撤销" in office.get(f"{api}/console/rectifications/{ledger_rect}").text
    unit_reads = requests.get(f"{where}/revisions", headers=operator)
    assert unit_reads.status_code == 200 and "第 1 版" in unit_reads.text and "第 2 版" in unit_reads.text
