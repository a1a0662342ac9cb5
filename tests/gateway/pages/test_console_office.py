"""The county office's console over HTTP, as a browser without script uses it (cookies, CSRF
tokens, confirmation pages), against separately started processes: a reminder (催办) sent from
the overdue list reaches the unit's liaison by mail, and a second one the same day is refused in
words, sending nothing (the API route too); an inspection planned and a unit's result recorded
field by field (refusals next to the fields, the text kept), submitted through a confirmation,
opening a rectification; the dashboard's trend by month, feedback answered on time,
rectifications open and ranking, each with its chart, table, list behind it and workbook."""
import io
import uuid

import pytest
import requests
from openpyxl import load_workbook

from services.units.demo_accounts import DEMO_PASSWORD
from tests.conftest import scalar, wait_for
from tests.clusters import services_today
from tests.gateway.pages.console_fixtures import overdue_obligation
from tests.gateway.pages.test_console_signin import PNG, csrf_of, sign_in
from tests.test_end_to_end import token

pytestmark = pytest.mark.api_level

OFFICE = token("office", "inspector")
CRITERIA = ("content_complete", "content_true", "content_detail", "form_board", "form_online", "procedure_steps",
            "procedure_records", "on_time_periodic", "feedback_handling")


def office_browser(api):
    browser, answer = sign_in(api, "office", DEMO_PASSWORD)
    assert answer.status_code == 303, answer.text[:2000]
    return browser


def mails_to(county, address, subject_part):
    return [m for m in county["mailbox"].messages() if m["To"] == address and subject_part in m["Subject"]]


def test_the_office_reminds_an_overdue_unit_from_the_work_page_and_its_liaison_is_mailed(county):
    api, note = county["api"], f"请本周内补充公开（{uuid.uuid4().hex[:6]}）"
    obligation = overdue_obligation(api, "A005", "换届选举结果批复")
    remind = f"/console/obligations/{obligation['id']}/remind"
    browser = office_browser(api)
    assert remind in browser.get(f"{api}/console").text  # 我的待办's overdue section: the button
    listed = browser.get(f"{api}/console/obligations", params={"status": "overdue"})
    assert listed.status_code == 200 and remind in listed.text

    confirm = browser.get(f"{api}{remind}")
    assert confirm.status_code == 200 and "确认发送催办" in confirm.text and "还没有催办过" in confirm.text
    assert "曹伟" in confirm.text and "a005@example.gov.cn" in confirm.text  # whom it reaches
    no_token = browser.post(f"{api}{remind}", data={"note": note})
    assert no_token.status_code == 403 and scalar(
        county["urls"]["disclosure"], f"SELECT count(*) FROM obligation_reminders WHERE obligation_id = {obligation['id']}") == 0
    sent = browser.post(f"{api}{remind}", data={"csrf_token": csrf_of(confirm), "note": note}, allow_redirects=False)
    assert sent.status_code == 303 and sent.headers["Location"] == (
        f"/console/obligations?status=overdue&reminded={obligation['id']}")
    after = browser.get(f"{api}{sent.headers['Location']}")
    assert "已向 A005 发出催办" in after.text and "已催办 1 次" in after.text

    (mail,) = wait_for(lambda: mails_to(county, "a005@example.gov.cn", "催办"), timeout=30,
                       message="the reminder in the liaison's mailbox")
    assert mail["Subject"].startswith("【党务公开·催办】") and "已逾期" in mail["Subject"]
    text = mail.get_body(("plain",)).get_content()
    assert f"办公室附言：{note}" in text and "A005" in text and "催办人：office" in text

    again = browser.get(f"{api}{remind}")
    assert "已催办 1 次" in again.text and note in again.text
    refused = browser.post(f"{api}{remind}", data={"csrf_token": csrf_of(again), "note": "再催一次"})
    assert refused.status_code == 409 and "没有发出" in refused.text and "24 小时内不再重复催办" in refused.text
    assert "再催一次" in refused.text  # the note is kept on the page
    assert scalar(county["urls"]["disclosure"],
                  f"SELECT count(*) FROM obligation_reminders WHERE obligation_id = {obligation['id']}") == 1


def test_the_api_sends_a_reminder_once_a_day_to_the_office_only(county):
    api = county["api"]
    obligation = overdue_obligation(api, "A006", "换届选举结果批复")
    url = f"{api}/api/v1/obligations/{obligation['id']}/remind"
    assert requests.post(url, json={}, headers=token("op-a006", "operator", "A006")).status_code == 403
    too_long = requests.post(url, json={"note": "催" * 501}, headers=OFFICE)
    assert too_long.status_code == 400
    sent = requests.post(url, json={"note": "请尽快公开"}, headers=OFFICE)
    assert sent.status_code == 201, sent.text
    assert sent.json()["reminder"]["reminder_no"] == 1 and sent.json()["obligation"]["status"] == "overdue"
    again = requests.post(url, headers={**OFFICE, "Accept-Language": "en"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    assert "it is not reminded again within 24 hours" in again.json()["error"]["message"]
    in_chinese = requests.post(url, headers=OFFICE).json()["error"]["message"]
    assert in_chinese.startswith("office 已于 ") and in_chinese.endswith("24 小时内不再重复催办")
    month = obligation["due_on"][:7]
    due = requests.get(f"{api}/api/v1/obligations", params={"due_month": month, "unit": "A006"}, headers=OFFICE)
    assert obligation["id"] in [o["id"] for o in due.json()["items"]]
    assert requests.get(f"{api}/api/v1/obligations", params={"due_month": "2026-13"}, headers=OFFICE).status_code == 400
    wait_for(lambda: mails_to(county, "a006@example.gov.cn", "催办"), timeout=30, message="the reminder mailed")


def plan_form(today: str, **changes):
    """The plan form for an inspection whose window is the services' `today` (its result recorded today)."""
    return {"title": f"季度例行检查 {uuid.uuid4().hex[:6]}", "kind": "routine", "window_opens": today,
            "window_closes": today, "units": "", "subtree": "", "count": "", "inspectors": "office", **changes}


def test_the_office_plans_an_inspection_and_records_a_units_result_through_confirmations(county):
    api = county["api"]
    today = services_today(api).isoformat()
    browser = office_browser(api)
    new = browser.get(f"{api}/console/inspections/new")
    assert new.status_code == 200 and 'type="date"' in new.text and 'value="office"' in new.text
    empty = browser.post(f"{api}/console/inspections", data={**plan_form(today, title=""), "csrf_token": csrf_of(new)})
    assert empty.status_code == 400 and "请填写检查名称" in empty.text and "请填写要检查的单位代码" in empty.text
    form = plan_form(today, units="T03V002")
    preview = browser.post(f"{api}/console/inspections", data={**form, "csrf_token": csrf_of(empty)})
    assert preview.status_code == 200 and "确认安排" in preview.text and "T03V002（1 个）" in preview.text
    assert form["title"] not in [i["title"] for i in requests.get(
        f"{api}/api/v1/inspections", params={"limit": 200}, headers=OFFICE).json()["items"]]  # the preview plans nothing
    planned = browser.post(f"{api}/console/inspections", data={**form, "confirm": "1", "csrf_token": csrf_of(preview)},
                           allow_redirects=False)
    assert planned.status_code == 303, planned.text[:2000]
    inspection_url = planned.headers["Location"].split("?")[0]
    page = browser.get(f"{api}{planned.headers['Location']}")
    assert "已安排检查" in page.text and "录入 T03V002 的结果" in page.text
    record_url = f"{api}{inspection_url}/units/T03V002"

    record = browser.get(record_url)
    assert record.status_code == 200 and 'name="score-content_complete"' in record.text and "内容完整真实" in record.text
    scores = {f"score-{c}": "4.5" for c in CRITERIA}
    finding = {"finding_rows": "3", "finding-1-dimension": "content", "finding-1-text": "财务收支未公开到明细",
               "finding-1-deduction": "2", "finding-1-days": "10"}
    missing = browser.post(record_url, data={**scores, "score-feedback_handling": "", **finding, "then": "submit",
                                             "csrf_token": csrf_of(record)})
    assert missing.status_code == 400 and "提交前请为这一项打分" in missing.text and "财务收支未公开到明细" in missing.text
    too_high = browser.post(record_url, data={**scores, "score-procedure_records": "6", "then": "draft",
                                              "csrf_token": csrf_of(missing)},
                            files={"photo": ("记录.txt", b"not a photo", "text/plain")})
    assert too_high.status_code == 400 and "请填写 0 到 5 之间的分数" in too_high.text
    assert "只能上传 JPEG 或 PNG 照片" in too_high.text and 'id="e-photo"' in too_high.text
    assert 'id="e-score-procedure_records"' in too_high.text  # next to its field
    inspection_id = int(inspection_url.rsplit("/", 1)[1])
    assert scalar(county["urls"]["supervision"],
                  f"SELECT count(*) FROM inspection_records WHERE inspection_id = {inspection_id}") == 0
    draft = browser.post(record_url, data={"score-content_complete": "9", "then": "draft",
                                           "csrf_token": csrf_of(too_high)},
                         files={"photo": ("公开栏.png", PNG, "image/png")}, allow_redirects=False)
    assert draft.status_code == 303 and draft.headers["Location"].endswith("?saved=1")
    kept = browser.get(f"{api}{draft.headers['Location']}")
    assert "草稿已保存" in kept.text and 'name="score-content_complete" type="number"' in kept.text and 'value="9"' in kept.text
    assert "已上传 1 张" in kept.text

    to_submit = browser.post(record_url, data={**scores, **finding, "then": "submit", "csrf_token": csrf_of(kept)},
                             allow_redirects=False)
    assert to_submit.status_code == 303 and to_submit.headers["Location"].endswith("/submit")
    confirm = browser.get(f"{api}{to_submit.headers['Location']}")
    assert "确认提交" in confirm.text and "财务收支未公开到明细" in confirm.text and "10 个工作日内整改" in confirm.text
    assert "现场照片 1 张" in confirm.text
    stale = browser.get(f"{api}{to_submit.headers['Location']}")
    done = browser.post(f"{api}{to_submit.headers['Location']}", data={"csrf_token": csrf_of(confirm)},
                        allow_redirects=False)
    assert done.status_code == 303 and done.headers["Location"] == f"{inspection_url}?recorded=T03V002"
    assert "已提交 T03V002 的检查结果" in browser.get(f"{api}{done.headers['Location']}").text
    twice = browser.post(f"{api}{to_submit.headers['Location']}", data={"csrf_token": csrf_of(stale)})
    assert twice.status_code == 409 and "没有提交" in twice.text and "不能重复提交" in twice.text
    shown = browser.get(record_url)
    assert "不能再修改" in shown.text and 'name="score-content_complete"' not in shown.text
    rectifications = browser.get(f"{api}/console/rectifications", params={"inspection": inspection_id})
    assert "财务收支未公开到明细" in rectifications.text and "待整改" in rectifications.text
    assert requests.get(f"{api}/console/inspections", headers=token("op-a001", "operator", "A001")).status_code == 403


def record_by_api(api, unit_code, finding):
    today = services_today(api).isoformat()
    planned = requests.post(f"{api}/api/v1/inspections", headers=OFFICE, json={
        "title": f"专项检查 {uuid.uuid4().hex[:6]}", "kind": "special", "window_opens": today, "window_closes": today,
        "unit_codes": [unit_code], "inspectors": [{"username": "office"}]})
    assert planned.status_code == 201, planned.text
    base = f"{api}/api/v1/inspections/{planned.json()['id']}/units/{unit_code}"
    saved = requests.put(f"{base}/scores", headers=OFFICE, json={
        "scores": [{"criterion": c, "score": 5} for c in CRITERIA],
        "findings": [{"dimension": "form", "text": finding, "deduction": 3}]})
    assert saved.status_code == 200, saved.text
    assert requests.post(f"{base}/submit", headers=OFFICE).status_code == 200
    return planned.json()["id"]


def test_the_dashboard_shows_the_trend_feedback_rectifications_and_ranking_with_their_lists(county):
    api = county["api"]
    obligation = overdue_obligation(api, "T02V001", "换届选举结果批复")
    # the year the obligation fell due: early in January an overdue on-event obligation is last year's
    year = int(obligation["due_on"][:4])
    record_by_api(api, "T02V002", "公开栏内容未及时更新")
    browser = office_browser(api)
    dashboard = wait_for(lambda: (r := browser.get(f"{api}/console/progress", params={"year": year})).status_code == 200
                         and "侨英街道" in r.text.split('id="c-ranking"')[-1] and r, timeout=30,
                         message="the ranking to list the town")
    for title in ("按月公开进度（按截止月份）", "各镇街意见建议按时答复率", "各镇街未完成的整改", "各镇街考核排名（平均得分）"):
        assert title in dashboard.text
    assert dashboard.text.count("<table>") == 7 and "暂时不能显示" not in dashboard.text
    month = obligation["due_on"][:7]
    behind = f"/console/obligations?year={year}&amp;due_month={month}&amp;status=overdue"
    assert behind in dashboard.text  # the month's overdue cell links to the obligations behind it
    listed = browser.get(f"{api}{behind.replace('&amp;', '&')}")
    assert listed.status_code == 200 and "到期" in listed.text and f"/console/obligations/{obligation['id']}/remind" in listed.text
    rectification_part = dashboard.text.split('id="c-rectifications"')[1].split("</section>")[0]
    assert "侨英街道" in rectification_part and "/console/rectifications?town=T02&amp;status=unresolved" in rectification_part
    town_list = browser.get(f"{api}/console/rectifications", params={"town": "T02", "status": "unresolved"})
    assert "公开栏内容未及时更新" in town_list.text and "T02V002" in town_list.text
    scores = browser.get(f"{api}/console/scores", params={"year": year, "town": "T02"})
    assert scores.status_code == 200 and "T02V001" in scores.text and "T03V001" not in scores.text
    for kind, first_column in (("month", "截止月份"), ("feedback", "镇街"), ("rectifications", "镇街"), ("ranking", "镇街")):
        chart = browser.get(f"{api}/console/progress/{kind}.svg", params={"year": year})
        assert chart.status_code == 200 and chart.headers["Content-Type"].startswith("image/svg+xml")
        assert b"<svg" in chart.content and b"<script" not in chart.content
        sheet = browser.get(f"{api}/console/progress/{kind}.xlsx", params={"year": year})
        rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
        assert rows[0][0].startswith(f"{year}年") and rows[1][0] == first_column
    months = list(load_workbook(io.BytesIO(browser.get(f"{api}/console/progress/month.xlsx",
                                                       params={"year": year}).content)).active
                  .iter_rows(values_only=True))
    assert [r[0] for r in months[2:14]] == [f"{m}月" for m in range(1, 13)] and months[1][-1] == "按时公开率"
