"""The working-day calendar as county data, over HTTP against the running county: the county
office enters a year's arrangement (JSON or a YAML/.xlsx file), each change a version, announced
so that feedback's and supervision's copies follow; bad input is refused in Chinese naming the
date or row, and nothing changes. Years are taken relative to today's, so any day will do."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
import requests
from openpyxl import Workbook

from services.common import workdays
from services.units.demo_accounts import DEMO_PASSWORD
from tests.conftest import scalar, wait_for
from tests.gateway.pages.test_console_signin import csrf_of, sign_in
from tests.test_end_to_end import token

OFFICE, OPERATOR = token("office", "inspector"), token("op-a001", "operator", "A001")
NEXT = workdays.county_today().year + 1
SOURCE = {"document": "国办发明电〔示例〕7号", "issued_on": f"{NEXT - 1}-11-20"}


@pytest.fixture(scope="module")
def county(calendar_county):
    """The calendar modules' shared cluster (tests/gateway/api/calendar_fixtures.py)."""
    return calendar_county


def _weekend(year: int) -> date:
    day = date(year, 3, 1)
    while day.weekday() < 5:
        day += timedelta(days=1)
    return day


def _put(county, year, body, headers=OFFICE):
    return requests.put(f"{county.api}/api/v1/calendar/{year}", json=body, headers=headers, timeout=30)


def _versions(county, year=NEXT):
    return requests.get(f"{county.api}/api/v1/calendar/{year}", headers=OFFICE, timeout=30).json()["versions"]


def test_a_year_nobody_entered_is_statutory_and_provisional(county):
    answer = requests.get(f"{county.api}/api/v1/calendar", headers=OPERATOR, timeout=30)
    assert answer.status_code == 200, answer.text
    years = {row["year"]: row for row in answer.json()["years"]}
    if workdays.year_source(NEXT) == workdays.STATUTORY:
        assert years[NEXT]["source"] == "statutory" and years[NEXT]["provisional"]
    # from 1 November until next year is entered (so, on such a day, before the tests below enter it)
    missing = answer.json()["next_year_missing"]
    assert missing is workdays.next_year_missing()
    browser, _ = sign_in(county.api, "office", DEMO_PASSWORD)
    for path in ("/console", "/console/progress"):
        assert ("放假安排尚未录入" in browser.get(f"{county.api}{path}").text) is missing, path
    year = requests.get(f"{county.api}/api/v1/calendar/2090", headers=OPERATOR, timeout=30).json()
    assert year["source"] == "statutory" and year["provisional"] and year["versions"] == []
    assert "2090-10-02" in year["holidays"] or date(2090, 10, 2).weekday() >= 5


@pytest.mark.parametrize("year,body,words", [
    (NEXT, {**SOURCE, "holidays": [f"{NEXT}-01-01", _weekend(NEXT).isoformat()],
            "workdays": [_weekend(NEXT).isoformat()]}, ["同时列为放假和上班", _weekend(NEXT).isoformat()]),
    (NEXT, {**SOURCE, "holidays": [], "workdays": [f"{NEXT}-03-{(_weekend(NEXT) - timedelta(days=2)).day:02d}"]},
     ["不是周末"]),
    (NEXT - 2, {**SOURCE, "holidays": [f"{NEXT - 2}-01-01"], "workdays": []}, ["已经过去"]),
    (NEXT, {**SOURCE, "holidays": [f"{NEXT + 1}-01-01"], "workdays": []}, [f"{NEXT + 1}-01-01", "不在"]),
])
def test_bad_arrangements_are_refused_naming_the_date_and_nothing_changes(county, year, body, words):
    answer = _put(county, year, body)
    assert answer.status_code == 400, answer.text
    message = answer.json()["error"]["message"]
    assert all(word in message for word in words), message
    assert _versions(county, year) == []


def test_a_year_outside_2000_to_2100_is_not_a_calendar(county):
    assert _put(county, 2101, {**SOURCE, "holidays": [], "workdays": []}).status_code == 404
    assert requests.get(f"{county.api}/api/v1/calendar/1999", headers=OFFICE, timeout=30).status_code == 404


def test_only_the_county_office_enters_a_year(county):
    answer = _put(county, NEXT, {**SOURCE, "holidays": [], "workdays": []}, headers=OPERATOR)
    assert answer.status_code == 403


def test_unreadable_files_are_refused_naming_the_row(county):
    url = f"{county.api}/api/v1/calendar/{NEXT}/file"
    garbage = requests.post(url, data=b"\x00\xff{[", params=SOURCE,
                            headers={**OFFICE, "Content-Type": "application/yaml"}, timeout=30)
    assert garbage.status_code == 400 and "无法读取" in garbage.json()["error"]["message"], garbage.text
    book = Workbook()
    sheet = book.active
    sheet.append(["日期", "类别"])
    sheet.append([date(NEXT, 1, 1), "放假"])
    sheet.append([date(NEXT, 1, 2), "午休"])
    content = io.BytesIO()
    book.save(content)
    bad_row = requests.post(url, data=content.getvalue(), params=SOURCE, timeout=30, headers={
        **OFFICE, "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
    assert bad_row.status_code == 400 and "第 3 行" in bad_row.json()["error"]["message"], bad_row.text
    assert _versions(county) == []


def test_the_office_enters_a_year_every_service_keeps_it_and_a_change_is_a_new_version(county):
    days_off = sorted(workdays.statutory_holidays(NEXT))
    worked = _weekend(NEXT)
    answer = _put(county, NEXT, {**SOURCE, "holidays": [d.isoformat() for d in days_off],
                                 "workdays": [worked.isoformat()]})
    assert answer.status_code == 200, answer.text
    year = answer.json()
    assert year["source"] == "entered" and not year["provisional"]
    assert year["versions"][0]["version"] == 1 and year["versions"][0]["entered_by"] == "office"
    assert year["workdays"] == [worked.isoformat()]
    assert {"moved", "passed"} <= set(year)
    for service in ("feedback", "supervision"):
        wait_for(lambda: scalar(county.urls[service], "SELECT count(*) FROM calendar_arrangements") == 1,
                 timeout=30, message=f"{service}'s copy of the calendar")
    yaml_file = "holidays: [%s]\nworkdays: []\n" % ", ".join(d.isoformat() for d in days_off[:3])
    changed = requests.post(f"{county.api}/api/v1/calendar/{NEXT}/file", data=yaml_file.encode(), params=SOURCE,
                            headers={**OFFICE, "Content-Type": "application/yaml"}, timeout=30)
    assert changed.status_code == 200, changed.text
    assert [v["version"] for v in changed.json()["versions"]] == [2, 1]
    assert changed.json()["workdays"] == []
    for service in ("feedback", "supervision"):
        wait_for(lambda: scalar(county.urls[service], "SELECT max(version) FROM calendar_arrangements") == 2,
                 timeout=30, message=f"{service}'s copy of version 2")
    feed = requests.get(f"{county.api}/api/v1/events", params={"type": "CalendarArranged"}, headers=OFFICE,
                        timeout=30).json()
    assert [e["payload"]["version"] for e in feed["items"]] == [1, 2]


def test_the_console_page_enters_a_year_refuses_in_words_and_the_work_page_says_when_next_year_is_missing(county):
    api, later = county.api, NEXT + 1
    browser, answer = sign_in(api, "office", DEMO_PASSWORD)
    assert answer.status_code == 303, answer.text[:2000]
    page = browser.get(f"{api}/console/calendar", params={"year": later})
    assert page.status_code == 200 and "工作日历" in page.text and f"录入或修改 {later} 年的放假安排" in page.text
    assert "按法定节假日暂定" in page.text and 'href="/console/calendar"' in page.text  # the bar's link
    weekday = date(later, 3, 2) + timedelta(days=(7 - date(later, 3, 2).weekday()) % 7)  # a Monday
    form = {"document": "国办发明电〔示例〕9号", "issued_on": f"{NEXT}-11-20", "holidays": f"{later}-01-01",
            "workdays": weekday.isoformat(), "csrf_token": csrf_of(page)}
    refused = browser.post(f"{api}/console/calendar/{later}", data=form)
    assert refused.status_code == 400 and "没有录入" in refused.text and weekday.isoformat() in refused.text
    assert "不是周末" in refused.text and "国办发明电〔示例〕9号" in refused.text  # the form as typed
    assert _versions(county, later) == []
    saved = browser.post(f"{api}/console/calendar/{later}", allow_redirects=False, data={
        **form, "workdays": _weekend(later).isoformat(), "csrf_token": csrf_of(refused)})
    assert saved.status_code == 303, saved.text[:2000]
    shown = browser.get(f"{api}{saved.headers['Location']}")
    assert f"已录入 {later} 年的放假安排" in shown.text and "县委办公室录入" in shown.text and "第 1 版" in shown.text
    assert [v["document"] for v in _versions(county, later)] == ["国办发明电〔示例〕9号"]
    # 我的待办 and the dashboard say next year is missing exactly when the calendar does
    missing = requests.get(f"{api}/api/v1/calendar", headers=OFFICE, timeout=30).json()["next_year_missing"]
    for path in ("/console", "/console/progress"):
        assert ("放假安排尚未录入" in browser.get(f"{api}{path}").text) is missing, path
    operator, _ = sign_in(api, "op-a001", DEMO_PASSWORD)
    assert operator.get(f"{api}/console/calendar").status_code == 403
