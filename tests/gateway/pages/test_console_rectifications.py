"""The rectification loop (限期整改) over HTTP, as a browser without script uses the console
(cookies, CSRF tokens, confirmation pages), against separately started processes: the office
records a finding for A001, A001's operator submits what was done with a photo and a PDF file,
the office returns it with a reason, the operator submits again, the office accepts it. Refused
in words next to the form, nothing changed: a file of the wrong type or over the limit, no text,
another unit's operator, a form the rectification outran, a role that does not take the step."""
import re
import uuid
from datetime import timedelta

import pytest
import requests

from services.units.demo_accounts import DEMO_PASSWORD
from tests.conftest import scalar
from tests.clusters import services_today
from tests.gateway.pages.test_console_office import OFFICE, office_browser, record_by_api
from tests.gateway.pages.test_console_signin import PNG, csrf_of, sign_in
from tests.test_end_to_end import token

pytestmark = pytest.mark.api_level

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
LIMIT = 5 * 1024 * 1024  # SUPERVISION.PHOTO_MAX_BYTES's default


def operator_browser(api):
    browser, answer = sign_in(api, "op-a001", DEMO_PASSWORD)
    assert answer.status_code == 303, answer.text[:2000]
    return browser


def seen_of(page):
    return re.search(r'name="seen" value="(\d+)"', page.text).group(1)


def test_a_rectification_goes_round_the_loop_in_the_console(county):
    api, finding = county["api"], f"公开栏内容未及时更新（{uuid.uuid4().hex[:6]}）"
    inspection_id = record_by_api(api, "A001", finding)
    (rect,) = requests.get(f"{api}/api/v1/rectifications", params={"inspection": inspection_id},
                           headers=OFFICE).json()["items"]
    rid, db = rect["id"], county["urls"]["supervision"]
    url = f"{api}/console/rectifications/{rid}"

    def state():
        return (scalar(db, f"SELECT status FROM rectifications WHERE id = {rid}"),
                scalar(db, f"SELECT count(*) FROM photos WHERE owner = 'rectification:{rid}'"),
                scalar(db, f"SELECT count(*) FROM rectification_steps WHERE rectification_id = {rid}"))

    operator = operator_browser(api)
    shown = operator.get(url)
    assert shown.status_code == 200 and finding in shown.text and f'href="/console/rectifications/{rid}/submit"' in shown.text
    form = operator.get(f"{url}/submit")
    assert form.status_code == 200 and "确认：提交整改情况" in form.text and 'enctype="multipart/form-data"' in form.text
    stale_form = operator.get(f"{url}/submit")

    wrong = operator.post(f"{url}/submit", data={"csrf_token": csrf_of(form), "seen": seen_of(form), "done": ""},
                          files={"evidence": ("说明.txt", b"not a photo", "text/plain")})
    assert wrong.status_code == 400 and "请填写整改情况" in wrong.text
    assert "不是 JPEG、PNG 照片或 PDF 文件" in wrong.text and 'id="e-evidence"' in wrong.text
    large = operator.post(f"{url}/submit", data={"csrf_token": csrf_of(wrong), "seen": seen_of(wrong), "done": "已整改"},
                          files={"evidence": ("大照片.png", PNG + b"\x00" * LIMIT, "image/png")})
    assert large.status_code == 413 and "超过 5 MB" in large.text and "已整改" in large.text  # the text kept
    assert state() == ("open", 0, 1)
    other = token("op-a002", "operator", "A002")
    refused = requests.get(f"{url}/submit", headers=other, allow_redirects=False)
    assert refused.status_code == 403 and "您无权查看" in refused.text  # another unit's: not even read
    assert requests.get(f"{url}/accept", headers=token("rv-a001", "reviewer", "A001")).status_code == 403
    office = office_browser(api)
    not_office = office.get(f"{url}/submit")
    assert not_office.status_code == 403 and "只能由该单位的党务干事提交" in not_office.text
    early = office.get(f"{url}/accept")
    assert early.status_code == 409 and "不能验收通过" in early.text and 'action="/console/rectifications' not in early.text

    done = f"已于本周更新公开栏，补充了第三季度财务明细（{finding[-7:-1]}）"
    sent = operator.post(f"{url}/submit", data={"csrf_token": csrf_of(large), "seen": seen_of(large), "done": done},
                         files=[("evidence", ("公开栏.png", PNG, "image/png")),
                                ("evidence", ("整改报告.pdf", PDF, "application/pdf"))], allow_redirects=False)
    assert sent.status_code == 303 and sent.headers["Location"] == f"/console/rectifications/{rid}?done=submit"
    after = operator.get(f"{api}{sent.headers['Location']}")
    assert "整改情况已提交" in after.text and "整改材料 2 份" in after.text and "PDF 文件" in after.text
    assert state() == ("submitted", 2, 2)
    twice = operator.post(f"{url}/submit", data={"csrf_token": csrf_of(stale_form), "seen": seen_of(stale_form),
                                                 "done": "再交一次"})
    assert twice.status_code == 409 and "已由 op-a001 于" in twice.text and "再交一次" in twice.text
    assert state() == ("submitted", 2, 2)

    to_decide = office.get(url)
    assert f'href="/console/rectifications/{rid}/accept"' in to_decide.text and "/return" in to_decide.text
    evidence = re.findall(rf'/console/rectifications/{rid}/evidence/([0-9a-f]{{64}})', to_decide.text)
    assert len(evidence) == 2
    photo = office.get(f"{url}/evidence/{evidence[0]}")
    assert photo.status_code == 200 and photo.content == PNG and photo.headers["Content-Type"] == "image/png"
    back = office.get(f"{url}/return")
    assert done in back.text  # what the unit reported, read before deciding
    stale_accept = office.get(f"{url}/accept")
    no_reason = office.post(f"{url}/return", data={"csrf_token": csrf_of(back), "seen": seen_of(back), "reason": ""})
    assert no_reason.status_code == 400 and "请填写退回理由" in no_reason.text and 'id="e-reason"' in no_reason.text
    returned = office.post(f"{url}/return", data={"csrf_token": csrf_of(no_reason), "seen": seen_of(no_reason),
                                                  "reason": "照片看不清明细，请补拍"}, allow_redirects=False)
    assert returned.status_code == 303 and "已退回" in office.get(f"{api}{returned.headers['Location']}").text
    outran = office.post(f"{url}/accept", data={"csrf_token": csrf_of(stale_accept), "seen": seen_of(stale_accept)})
    assert outran.status_code == 409 and "已由 office 于" in outran.text and state()[0] == "returned"

    again = operator.get(f"{url}/submit")
    assert "上次提交被 office 退回：照片看不清明细，请补拍" in again.text and "已上传的 2 份会一并提交" in again.text
    resent = operator.post(f"{url}/submit", data={"csrf_token": csrf_of(again), "seen": seen_of(again),
                                                  "done": "已补拍明细照片"}, allow_redirects=False)
    assert resent.status_code == 303
    accept = office.get(f"{url}/accept")
    accepted = office.post(f"{url}/accept", data={"csrf_token": csrf_of(accept), "seen": seen_of(accept)},
                           allow_redirects=False)
    assert accepted.status_code == 303
    final = operator.get(url)
    assert "已验收" in final.text and f"/console/rectifications/{rid}/submit" not in final.text
    assert state() == ("accepted", 2, 5)
    api_view = requests.get(f"{api}/api/v1/rectifications/{rid}", headers=OFFICE).json()
    assert api_view["status"] == "accepted" and api_view["actions"] == [] and len(api_view["evidence"]) == 2


def test_a_unit_sees_its_own_standing_with_the_figures_the_office_sees(county):
    api, finding = county["api"], f"会议记录不全（{uuid.uuid4().hex[:6]}）"
    record_by_api(api, "A001", finding)
    today = services_today(api)  # the standing "as of today" is the services' day, as the run set it
    year = str(today.year)
    office_row = next(u for u in requests.get(f"{api}/api/v1/scores", params={"period": year},
                                              headers=OFFICE).json()["units"] if u["unit_code"] == "A001")
    operator = operator_browser(api)
    own = operator.get(f"{api}/console/standing")
    assert own.status_code == 200 and "考核情况：中共县委办公室机关支部委员会" in own.text
    assert f"总分 {office_row['total']:.1f}" in own.text  # the very figure the office reads
    for dimension in office_row["dimensions"].values():
        assert dimension["name"] in own.text
    assert finding in own.text and "整改期限" in own.text and "逾期的公开任务" in own.text
    assert "逾期未答复的意见建议" in own.text and 'href="/console/standing"' in own.text
    office = office_browser(api)
    seen_by_office = office.get(f"{api}/console/standing", params={"unit": "A001"})
    assert seen_by_office.status_code == 200 and f"总分 {office_row['total']:.1f}" in seen_by_office.text
    assert 'href="/console/standing?unit=A001"' in office.get(f"{api}/console/scores").text
    other = operator.get(f"{api}/console/standing", params={"unit": "A002"})
    assert other.status_code == 403 and "您只能查看本单位（A001）的得分" in other.text
    future = operator.get(f"{api}/console/standing", params={"on": f"{int(year) + 1}-01-01"})
    assert future.status_code == 400 and "日期不能晚于今天" in future.text
    on_today = operator.get(f"{api}/console/standing", params={"on": today.isoformat()})
    assert on_today.status_code == 200 and f"总分 {office_row['total']:.1f}" in on_today.text
    # the county's units arrived as its cluster started (on began_on, which a long run may have left
    # behind at midnight): as of the day before's end there was none
    before = county["began_on"] - timedelta(days=1)
    earlier = operator.get(f"{api}/console/standing", params={"on": before.isoformat()})
    assert earlier.status_code == 404 and f"{before.year}年没有单位 A001 的考核记录" in earlier.text
    assert requests.get(f"{api}/console/standing", headers=OFFICE, allow_redirects=False).status_code == 400


def test_scores_and_rankings_without_a_period_answer_for_the_current_one(county):
    api = county["api"]
    today = services_today(county["api"])  # "the current period" is the services' by nature
    scores = requests.get(f"{api}/api/v1/scores", headers=OFFICE)
    assert scores.status_code == 200 and scores.json()["period"] == str(today.year)
    rankings = requests.get(f"{api}/api/v1/rankings", headers=OFFICE)
    assert rankings.status_code == 200 and rankings.json()["period"] == f"{today:%Y-%m}"
    bad = requests.get(f"{api}/api/v1/scores", params={"period": "2026-13"}, headers=OFFICE)
    assert bad.status_code == 400
