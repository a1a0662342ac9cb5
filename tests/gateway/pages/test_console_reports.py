"""The month's 通报 in the console and on the portal, over HTTP as a browser without script uses
them (cookies, CSRF tokens, a confirmation page), against separately started processes: the office
drafts it from the month's figures, edits its text, issues it once (published); the public then
reads it on the portal's list and its own page, not before. Refused in words, nothing changed: a
period of the wrong shape, an edit the draft outran, issuing it twice, another role."""
import re
import uuid

import pytest
import requests

from tests.conftest import scalar, wait_for
from tests.gateway.pages.test_console_office import office_browser
from tests.gateway.pages.test_console_signin import csrf_of
from tests.test_end_to_end import token

pytestmark = pytest.mark.api_level


def seen_of(page):
    return re.search(r'name="seen" value="([0-9a-f]+)"', page.text).group(1)


def test_the_office_drafts_edits_and_issues_the_months_report_once_and_the_public_reads_it(county):
    api, tag = county["api"], uuid.uuid4().hex[:6]
    # a month gone by, written down: this month's 通报 is drafted by other tests sharing the county (one a month)
    month = "2025-11"
    office = office_browser(api)
    listed = office.get(f"{api}/console/reports")
    assert listed.status_code == 200 and "起草" in listed.text
    wrong = office.post(f"{api}/console/reports", data={"csrf_token": csrf_of(listed), "kind": "monthly",
                                                        "period": month[:4]})
    assert wrong.status_code == 400 and "月度通报的期间是一个月份" in wrong.text and 'id="e-period"' in wrong.text
    made = office.post(f"{api}/console/reports", data={"csrf_token": csrf_of(wrong), "kind": "monthly",
                                                       "period": month}, allow_redirects=False)
    assert made.status_code == 303 and made.headers["Location"].endswith("/edit"), made.text[:2000]
    report_id = int(made.headers["Location"].split("/")[3])
    db = county["urls"]["supervision"]
    edit = office.get(f"{api}{made.headers['Location']}")
    assert edit.status_code == 200 and "参加考核单位" in edit.text  # drafted from the month's figures
    stale = office.get(f"{api}{made.headers['Location']}")
    text = f"本月各单位按时公开情况良好。下一步加强村级财务公开（{tag}）。"
    saved = office.post(f"{api}/console/reports/{report_id}/edit", data={
        "csrf_token": csrf_of(edit), "seen": seen_of(edit), "title": f"{month} 党务公开工作通报", "text": text},
        allow_redirects=False)
    assert saved.status_code == 303
    shown = office.get(f"{api}/console/reports/{report_id}")
    assert text in shown.text and f'href="/console/reports/{report_id}/issue"' in shown.text
    outran = office.post(f"{api}/console/reports/{report_id}/edit", data={
        "csrf_token": csrf_of(stale), "seen": seen_of(stale), "title": "旧标题", "text": "旧的正文"})
    assert outran.status_code == 409 and "已被修改" in outran.text and "旧的正文" in outran.text
    assert scalar(db, f"SELECT text FROM reports WHERE id = {report_id}") == text

    assert requests.get(f"{api}/reports/{report_id}").status_code == 404  # a draft: not public
    assert f"/reports/{report_id}" not in requests.get(f"{api}/reports").text
    assert requests.get(f"{api}/console/reports", headers=token("op-a001", "operator", "A001")).status_code == 403

    confirm = office.get(f"{api}/console/reports/{report_id}/issue")
    again_form = office.get(f"{api}/console/reports/{report_id}/issue")
    assert confirm.status_code == 200 and "确认印发" in confirm.text and "不能重复印发" in confirm.text
    issued = office.post(f"{api}/console/reports/{report_id}/issue",
                         data={"csrf_token": csrf_of(confirm), "publish": "1"}, allow_redirects=False)
    assert issued.status_code == 303
    issued_at = scalar(db, f"SELECT issued_at FROM reports WHERE id = {report_id}")
    assert issued_at is not None
    public = wait_for(lambda: (r := requests.get(f"{api}/reports")).status_code == 200
                      and f"/reports/{report_id}" in r.text and r, timeout=10, message="the report on the portal's list")
    assert f"{month} 党务公开工作通报" in public.text
    page = requests.get(f"{api}/reports/{report_id}")
    assert page.status_code == 200 and text in page.text and "主要数据" in page.text and "<script" not in page.text

    twice = office.post(f"{api}/console/reports/{report_id}/issue", data={"csrf_token": csrf_of(again_form),
                                                                          "publish": "1"})
    assert twice.status_code == 409 and "不能重复印发" in twice.text
    assert scalar(db, f"SELECT issued_at FROM reports WHERE id = {report_id}") == issued_at
    edit_after = office.get(f"{api}/console/reports/{report_id}/edit")
    assert edit_after.status_code == 409 and 'name="text"' not in edit_after.text
