"""Models (典型) in the console, over HTTP against the console tests' cluster: a unit inspected
with full marks in the first of the three months supervision weighs becomes a candidate; the office
nominates it from the candidates list (a missing reason refused next to the field, a unit off the
list refused in words), designates the nomination for a term (a stale form refused), and once a
later inspection drops the model's last month ended below the threshold, finds it on the review page
with its figures, keeps it with a reason (the review recorded by units and shown with the
designation; the model leaves that month's review; a second keep of the month refused), then
revokes it with a reason. Each refusal changes nothing.

The dates come from the cluster itself: the candidates' answer names the three months it
weighs (`periods`), so no day is read here."""
import re
import uuid
from datetime import date, timedelta

import pytest
import requests

from tests.conftest import wait_for
from tests.gateway.pages.test_console_office import office_browser
from tests.gateway.pages.test_console_signin import csrf_of
from tests.test_end_to_end import token

pytestmark = pytest.mark.api_level

OFFICE = token("office", "inspector")
UNIT = "T05V007"  # a village no other console test touches
FULL = [("content_complete", 10), ("content_true", 10), ("content_detail", 10), ("form_board", 10),
        ("form_online", 10), ("procedure_steps", 10), ("procedure_records", 5), ("on_time_periodic", 10),
        ("feedback_handling", 10)]


def month_days(period: str) -> tuple[date, date]:
    first = date.fromisoformat(f"{period}-01")
    return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def inspect(api: str, period: str, share: float, unit: str = UNIT) -> None:
    """An inspection of the unit in the month, recorded on its 15th with `share` of each maximum."""
    opens, closes = month_days(period)
    planned = requests.post(f"{api}/api/v1/inspections", headers=OFFICE, json={
        "title": f"专项检查 {uuid.uuid4().hex[:6]}", "kind": "special", "window_opens": opens.isoformat(),
        "window_closes": closes.isoformat(), "unit_codes": [unit], "inspectors": [{"username": "office"}]})
    assert planned.status_code == 201, planned.text
    url = f"{api}/api/v1/inspections/{planned.json()['id']}/units/{unit}"
    scores = [{"criterion": c, "score": round(m * share), "note": "检查记录"} for c, m in FULL]
    saved = requests.put(f"{url}/scores", headers=OFFICE, json={"scores": scores, "inspected_on": opens.replace(day=15).isoformat()})
    assert saved.status_code == 200, saved.text
    assert requests.post(f"{url}/submit", headers=OFFICE).status_code == 200


def candidates(api: str) -> dict:
    return requests.get(f"{api}/api/v1/candidates", headers=OFFICE, timeout=30).json()


def designation_of(api: str, unit: str = UNIT) -> dict:
    listed = requests.get(f"{api}/api/v1/designations", params={"unit": unit}, timeout=30).json()["items"]
    return listed[-1]


def test_the_office_nominates_designates_and_reviews_a_model(county):
    api = county["api"]
    periods = candidates(api)["periods"]  # the last month ended first, then the two before it
    inspect(api, periods[-1], 1.0)  # full marks in the first of the three, counted in the two after it
    wait_for(lambda: UNIT in {c["unit_code"] for c in candidates(api)["items"]}, timeout=30,
             message="the unit to become a candidate")
    office = office_browser(api)

    listed = office.get(f"{api}/console/candidates")
    assert f'href="/console/candidates/{UNIT}/nominate"' in listed.text
    off_list = office.get(f"{api}/console/candidates/A001/nominate")
    assert off_list.status_code == 409 and "不在当前的典型候选名单中" in off_list.text and "确认提名" not in off_list.text
    form = office.get(f"{api}/console/candidates/{UNIT}/nominate")
    assert form.status_code == 200 and "确认提名" in form.text and f"{periods[-1]} 考核得分" in form.text
    no_reason = office.post(f"{api}/console/candidates/{UNIT}/nominate", data={"csrf_token": csrf_of(form), "reason": ""})
    assert no_reason.status_code == 400 and "请写明提名理由" in no_reason.text
    assert requests.get(f"{api}/api/v1/designations", params={"unit": UNIT}).json()["items"] == []
    nominated = office.post(f"{api}/console/candidates/{UNIT}/nominate", allow_redirects=False,
                            data={"csrf_token": csrf_of(no_reason), "reason": "连续三个月考核满分，公开栏规范"})
    assert nominated.status_code == 303 and nominated.headers["Location"] == "/console/designations?done=nominate"
    made = designation_of(api)
    assert made["status"] == "nominated" and made["kind"] == "model" and made["actions"] == ["designate"]
    twice_form = office.get(f"{api}/console/candidates/{UNIT}/nominate")
    twice = office.post(f"{api}/console/candidates/{UNIT}/nominate",
                        data={"csrf_token": csrf_of(twice_form), "reason": "再提名一次"})
    assert twice.status_code == 409 and "已被提名或认定" in twice.text, twice.text[-3000:]

    page = office.get(f"{api}/console/designations?done=nominate")
    action = f"/console/designations/{made['id']}/designate"
    assert "已提名，等待认定" in page.text and f'href="{action}"' in page.text
    assert f'href="/console/designations/{made["id"]}/revoke"' not in page.text  # not offered by the state table
    form = office.get(f"{api}{action}")
    stale = office.post(f"{api}{action}", data={"csrf_token": csrf_of(form), "seen": "designated", "term_years": "3"})
    assert stale.status_code == 409 and "请刷新后再办理" in stale.text and designation_of(api)["status"] == "nominated"
    bad_term = office.post(f"{api}{action}", data={"csrf_token": csrf_of(stale), "seen": "nominated", "term_years": "12"})
    assert bad_term.status_code == 400 and "任期为 1 到 10 年" in bad_term.text
    designated = office.post(f"{api}{action}", allow_redirects=False,
                             data={"csrf_token": csrf_of(bad_term), "seen": "nominated", "term_years": "2"})
    assert designated.status_code == 303 and designated.headers["Location"].endswith("done=designate")
    made = designation_of(api)
    assert made["status"] == "designated" and made["actions"] == ["keep", "revoke"]
    late = office.get(f"{api}{action}")
    assert late.status_code == 409 and "不能认定为典型" in late.text and "确认认定为典型" not in late.text

    # the last month weighed falls below the threshold: the review lists it with its figures
    inspect(api, periods[0], 0.3)
    review = f"{api}/console/models/review"
    wait_for(lambda: UNIT in office.get(review).text, timeout=30, message="the model to fall below the threshold")
    shown = office.get(review)
    assert shown.status_code == 200 and f"{periods[0]} 得分" in shown.text and "低于 60 分" in shown.text
    revoke = f"/console/designations/{made['id']}/revoke"
    keep = f"/console/designations/{made['id']}/keep"
    assert f'href="{revoke}"' in shown.text and f'href="{keep}?period={periods[0]}"' in shown.text
    form = office.get(f"{api}{keep}?period={periods[0]}")
    assert form.status_code == 200 and "确认复核后保留" in form.text
    no_reason = office.post(f"{api}{keep}", data={"csrf_token": csrf_of(form), "seen": "designated",
                                                  "period": periods[0], "reason": ""})
    assert no_reason.status_code == 400 and "请写明保留理由" in no_reason.text
    stale = office.post(f"{api}{keep}", data={"csrf_token": csrf_of(no_reason), "seen": "nominated",
                                              "period": periods[0], "reason": "保留"})
    assert stale.status_code == 409 and "请刷新后再办理" in stale.text
    assert designation_of(api)["reviews"] == []
    kept = office.post(f"{api}{keep}", allow_redirects=False,
                       data={"csrf_token": csrf_of(stale), "seen": "designated", "period": periods[0],
                             "reason": "当月逾期一项已补正，保留认定"})
    assert kept.status_code == 303 and kept.headers["Location"] == "/console/designations?done=keep"
    made = designation_of(api)
    assert made["status"] == "designated" and made["actions"] == ["keep", "revoke"]
    assert [(r["period"], r["decision"], r["reason"], r["reviewed_by"]) for r in made["reviews"]] == \
        [(periods[0], "keep", "当月逾期一项已补正，保留认定", "office")]
    listing = office.get(f"{api}/console/designations?done=keep")
    assert "已保留认定" in listing.text and f"{periods[0]} 得分低于通报线，复核后保留" in listing.text
    assert f'href="{keep}"' not in listing.text  # kept from the review, which names the month
    wait_for(lambda: UNIT not in office.get(review).text, timeout=30, message="the kept model to leave the review")
    again = office.get(f"{api}{keep}?period={periods[0]}")
    assert again.status_code == 409 and "的复核已有记录" in again.text and "确认复核后保留" not in again.text
    by_api = f"{api}/api/v1/designations/{made['id']}/keep"  # the same rule over the API
    twice = requests.post(by_api, headers=OFFICE, json={"period": periods[0], "reason": "再保留一次"})
    assert twice.status_code == 409 and "的复核已有记录" in twice.json()["error"]["message"]
    bad_month = requests.post(by_api, headers=OFFICE, json={"period": "2026-13", "reason": "保留"})
    assert bad_month.status_code == 400 and "2026-07 这样的年月" in bad_month.text
    assert requests.post(by_api, headers=token("op-a001", "operator", "A001"),
                         json={"period": periods[1], "reason": "保留"}).status_code == 403
    assert len(designation_of(api)["reviews"]) == 1
    form = office.get(f"{api}{revoke}")
    no_reason = office.post(f"{api}{revoke}", data={"csrf_token": csrf_of(form), "seen": "designated", "reason": ""})
    assert no_reason.status_code == 400 and "请写明撤销理由" in no_reason.text
    assert designation_of(api)["status"] == "designated"
    revoked = office.post(f"{api}{revoke}", allow_redirects=False,
                          data={"csrf_token": csrf_of(no_reason), "seen": "designated", "reason": "上月考核得分低于通报线"})
    assert revoked.status_code == 303
    made = designation_of(api)
    assert made["status"] == "revoked" and made["revoked_reason"] == "上月考核得分低于通报线" and made["actions"] == []
    assert not re.search(rf'href="/console/designations/{made["id"]}/', office.get(review).text)
    for path in ("/console/designations", "/console/models/review", action, f"{keep}?period={periods[0]}"):
        assert requests.get(f"{api}{path}", headers=token("op-a001", "operator", "A001"),
                            allow_redirects=False).status_code in (403, 303)
