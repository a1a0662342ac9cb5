"""Deadlines already passed when the county office enters a year are listed for it, from every
service that owns one, on the calendar page and at GET /api/v1/calendar/{year}/passed: here a
feedback's acknowledgement and answer deadlines and a rectification's, against the running
county. The records are made over HTTP, then dated back in their services' databases (a clock
shared by every process is not to be had), so that their old deadline is today or just before
and the calendar now counts them from 40 days ago: passed either way, on any day of the year.
The office then decides on them, once each, over the API and on the page."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import requests
import sqlalchemy as sa

from services.common import workdays
from services.units.demo_accounts import DEMO_PASSWORD
from tests.gateway.pages.test_console_signin import csrf_of, sign_in
from tests.test_end_to_end import token
from tests.gateway.api.test_supervision_api import FULL

OFFICE, OPERATOR = token("office", "inspector"), token("op-a001", "operator", "A001")
INSPECTOR = token("insp-a", "inspector")


@pytest.fixture(scope="module")
def county(calendar_county):
    """The calendar modules' shared cluster (tests/gateway/api/calendar_fixtures.py)."""
    return calendar_county


def _execute(url: str, sql: str, **params) -> None:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        assert conn.execute(sa.text(sql), params).rowcount == 1, sql
    engine.dispose()


def _feedback(county) -> int:
    sent = requests.post(f"{county.api}/api/v1/feedback", json={
        "target_kind": "unit", "target_id": "A001", "kind": "question", "content": "村务公开栏何时更新？",
        "contact": None}, timeout=30)
    assert sent.status_code == 201, sent.text
    code = sent.json()["tracking_code"]
    items = requests.get(f"{county.api}/api/v1/feedback", headers=OFFICE, params={"limit": 200}, timeout=30).json()
    return next(item["id"] for item in items["items"] if item["tracking_code"] == code)


def _rectification(county, today: date) -> int:
    api = county.api
    planned = requests.post(f"{api}/api/v1/inspections", headers=OFFICE, timeout=30, json={
        "title": "日常检查", "kind": "routine", "window_opens": today.isoformat(), "window_closes": today.isoformat(),
        "unit_codes": ["A001"], "inspectors": [{"username": "insp-a", "unit_code": None}]})
    assert planned.status_code == 201, planned.text
    base = f"{api}/api/v1/inspections/{planned.json()['id']}/units/A001"
    recorded = requests.put(f"{base}/scores", headers=INSPECTOR, timeout=30, json={
        "scores": [{"criterion": c, "score": m} for c, m in FULL], "inspected_on": today.isoformat(),
        "findings": [{"dimension": "content", "text": "财务收支未公开到明细", "deduction": 6, "deadline_days": 10}]})
    assert recorded.status_code == 200, recorded.text
    assert requests.post(f"{base}/submit", headers=INSPECTOR, timeout=30).status_code == 200
    (rectification,) = requests.get(f"{api}/api/v1/rectifications", params={"unit": "A001"}, headers=OFFICE,
                                    timeout=30).json()["items"]
    return rectification["id"]


def test_entering_a_year_lists_passed_feedback_and_rectification_deadlines_on_the_page_and_in_the_api(county):
    today = workdays.county_today()
    year, long_ago = today.year, today - timedelta(days=40)
    old = max(today - timedelta(days=1), date(year, 1, 1))  # passed (or, on 1 January, due today)
    feedback_id, rectification_id = _feedback(county), _rectification(county, today)
    received = datetime(long_ago.year, long_ago.month, long_ago.day, 2, tzinfo=UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    _execute(county.urls["feedback"], "UPDATE feedback SET received_at = :received, answer_counted_from = :counted, acknowledge_due = :old, "
             "answer_due = :old WHERE id = :id", received=received, counted=long_ago.isoformat(), old=old.isoformat(),
             id=feedback_id)
    _execute(county.urls["supervision"], "UPDATE inspection_records SET inspected_on = :day WHERE id = "
             "(SELECT record_id FROM findings WHERE id = (SELECT finding_id FROM rectifications WHERE id = :id))",
             day=long_ago.isoformat(), id=rectification_id)
    _execute(county.urls["supervision"], "UPDATE rectifications SET deadline = :old WHERE id = :id",
             old=old.isoformat(), id=rectification_id)
    url = f"{county.api}/api/v1/calendar/{year}/passed"
    assert requests.get(url, headers=OFFICE, timeout=30).json() == {"year": year, "items": []}
    entered = requests.put(f"{county.api}/api/v1/calendar/{year}", headers=OFFICE, timeout=30, json={
        "document": "国办发明电〔示例〕3号", "issued_on": f"{year - 1}-11-20",
        "holidays": [d.isoformat() for d in sorted(workdays.statutory_holidays(year))], "workdays": []})
    assert entered.status_code == 200, entered.text
    # every service's passed deadlines in the answer at once, not only disclosure's
    answered = {(row["kind"], row["id"]): row for row in entered.json()["passed"]}
    assert {("feedback_ack", feedback_id), ("feedback_answer", feedback_id),
            ("rectification", rectification_id)} <= set(answered), entered.text
    assert entered.json()["pending"] == [] and "arranged" not in entered.json()

    def listed():
        return {(row["kind"], row["id"]): row for row in requests.get(url, headers=OFFICE, timeout=30).json()["items"]}

    rows = listed()
    assert {key: row["to_due_on"] for key, row in rows.items()} == {
        key: row["to_due_on"] for key, row in answered.items()}  # the same, kept once whoever came first
    for kind, ident in (("feedback_ack", feedback_id), ("feedback_answer", feedback_id),
                        ("rectification", rectification_id)):
        row = rows[(kind, ident)]
        assert row["from_due_on"] == old.isoformat() and row["to_due_on"] < today.isoformat(), row
        assert row["unit_code"] == "A001" and row["calendar_version"] == 1
    # not moved
    feedback = requests.get(f"{county.api}/api/v1/feedback/{feedback_id}", headers=OFFICE, timeout=30).json()
    assert feedback["answer_due"] == old.isoformat(), feedback
    assert requests.get(url, headers=OPERATOR, timeout=30).status_code == 403
    browser, _ = sign_in(county.api, "office", DEMO_PASSWORD)
    page = browser.get(f"{county.api}/console/calendar", params={"year": year})
    assert page.status_code == 200, page.text[:2000]
    assert f"{year} 年已过的期限" in page.text
    assert f'<a href="/console/feedback/{feedback_id}">意见答复期限 {feedback_id}</a>' in page.text
    assert f'<a href="/console/feedback/{feedback_id}">意见受理期限 {feedback_id}</a>' in page.text
    assert f"整改期限 {rectification_id}" in page.text
    # the office decides: over the API on the rectification, on the page on the feedback's answer
    decide = f"{county.api}/api/v1/calendar/{year}/passed"
    note = {"note": "不追究逾期，按原期限验收"}
    assert requests.post(f"{decide}/rectification/{rectification_id}/decide", json=note, headers=OPERATOR,
                         timeout=30).status_code == 403
    assert requests.post(f"{decide}/parking/1/decide", json=note, headers=OFFICE, timeout=30).status_code == 404
    decided = requests.post(f"{decide}/rectification/{rectification_id}/decide", json=note, headers=OFFICE, timeout=30)
    assert decided.status_code == 200, decided.text
    assert decided.json()["decided_by"] == "office" and decided.json()["decision"] == note["note"]
    again = requests.post(f"{decide}/rectification/{rectification_id}/decide", json=note, headers=OFFICE, timeout=30)
    assert again.status_code == 409, again.text
    empty = browser.post(f"{county.api}/console/calendar/{year}/passed/feedback_answer/{feedback_id}",
                         data={"note": " ", "csrf_token": csrf_of(page)})
    assert empty.status_code == 400 and "没有记下" in empty.text
    form = {"note": "已电话告知单位尽快答复", "csrf_token": csrf_of(empty)}
    posted = browser.post(f"{county.api}/console/calendar/{year}/passed/feedback_answer/{feedback_id}", data=form,
                          allow_redirects=False)
    assert posted.status_code == 303, posted.text[:2000]
    shown = browser.get(f"{county.api}{posted.headers['Location']}").text
    assert "已电话告知单位尽快答复" in shown and "不追究逾期，按原期限验收" in shown
    assert shown.count("记下决定") == 1  # the acknowledgement deadline still waits
    rows = listed()
    assert rows[("feedback_answer", feedback_id)]["decided_by"] == "office"
    assert rows[("feedback_ack", feedback_id)]["decided_at"] is None
