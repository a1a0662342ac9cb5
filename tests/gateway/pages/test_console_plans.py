"""The catalogue and the year's plan for the county office, against separately started processes
(the console tests' cluster): in Chromium at 390 and 1280 px with axe on every page (a matter
added, revised and retired; a plan drafted, edited and opened for consultation; a member of the
public's comment read from the plan, accepted and answered), then over HTTP the answer approved
by a second inspector, a stale form refused, the approve button once the comments closed, and the
approval posted: the plan approved, the year's obligations scheduled, the portal showing it; and a
milestone without its date refused over HTTP naming the field."""
import json
import re
import uuid

import pytest
import requests
import sqlalchemy as sa

from services.units.demo_accounts import DEMO_PASSWORD
from tests.gateway.pages.portal_browser import walk_in_browser
from tests.gateway.pages.test_console_office import OFFICE, office_browser
from tests.gateway.pages.test_console_signin import csrf_of
from tests.test_end_to_end import token

pytestmark = pytest.mark.api_level


def run_browser(api, spec, tmp_path):
    return walk_in_browser("office_plan_browser", api, spec, tmp_path, timeout=600)


def test_the_catalogue_and_the_plan_in_the_browser_and_over_http(county, tmp_path):
    api, tag = county["api"], uuid.uuid4().hex[:6].upper()
    year = 2080 + int(tag, 16) % 19
    spec = {"password": DEMO_PASSWORD, "code": f"ZZ-{tag}", "sub_matter": f"党员发展公示（{tag}）",
            "change_note": f"时限缩短（{tag}）", "year": year, "title": f"{year}年党务公开工作实施方案（{tag}）",
            "comment": f"建议把村务公开栏的更新时间写进方案（{tag}）", "answer": f"感谢建议，已写入第二条（{tag}）"}
    seen = run_browser(api, spec, tmp_path)

    assert "请至少选一项公开载体" in seen["catalogue_refused"]
    assert seen["catalogue_added"].startswith("已新增事项") and seen["catalogue_revised"].startswith("已修订")
    assert "第 2 版" in seen["catalogue_versions"] and spec["change_note"] in seen["catalogue_versions"]
    assert "请填写停用理由" in seen["retire_refused"] and seen["catalogue_retired"].startswith("已停用")
    history = requests.get(f"{api}/api/v1/catalogue/{spec['code']}").json()
    assert [v["time_limit"] for v in history["versions"]] == ["确定后5个工作日内", "确定后3个工作日内"]
    assert history["actions"] == [] and history["versions"][-1]["retired_reason"] == "并入其他事项"

    assert "日期 标题" in seen["plan_refused"]
    assert seen["plan_created"] == "已保存方案草稿。" and seen["plan_edited"] == "已修改方案草稿。"
    assert seen["plan_consulted"].startswith("已公开征求意见") and "意见期满" in seen["plan_page"]
    assert "查询码" in seen["public_done"]
    assert seen["answered"].startswith("答复已送审核人审核")
    plan = requests.get(f"{api}/api/v1/plans/{seen['plan_id']}", headers=OFFICE).json()
    assert plan["status"] == "consultation" and plan["title"].endswith("（修改稿）") and plan["actions"] == []
    assert {page: found for page, found in seen["axe"].items() if found} == {}
    assert len(seen["axe"]) == 11
    assert {page: w for page, w in seen["widths"].items() if w["390"] > 390 or w["1280"] > 1280} == {}

    # the answer: never approved by its drafter, approved by another of the office's inspectors
    own = requests.post(f"{api}/api/v1/feedback/{seen['feedback_id']}/approve-answer", headers=OFFICE, json={})
    assert own.status_code == 403
    other = requests.post(f"{api}/api/v1/feedback/{seen['feedback_id']}/approve-answer",
                          headers=token("office-li", "inspector"), json={})
    assert other.status_code == 200 and other.json()["status"] == "answered", other.text

    browser = office_browser(api)
    action = f"{api}/console/plans/{seen['plan_id']}/approve"
    refused = browser.get(action)
    assert refused.status_code == 200 and "现在不能批准" in refused.text and "确认批准" not in refused.text
    engine = sa.create_engine(county["urls"]["disclosure"])
    with engine.begin() as connection:  # as if the comment period had ended long ago (a fixed day, any run)
        connection.execute(sa.text("UPDATE plans SET consultation_closes_on = :day WHERE id = :id"),
                           {"day": "2020-01-31", "id": seen["plan_id"]})
    engine.dispose()
    page = browser.get(f"{api}/console/plans/{seen['plan_id']}")
    assert f'href="/console/plans/{seen["plan_id"]}/approve"' in page.text
    form = browser.get(action)
    assert "确认批准" in form.text
    stale = browser.post(action, data={"seen": "0", "reason": "", "csrf_token": csrf_of(form)})
    assert stale.status_code == 409 and "请刷新后再办理" in stale.text
    assert requests.get(f"{api}/api/v1/plans/{seen['plan_id']}", headers=OFFICE).json()["status"] == "consultation"

    # a yearly matter of the plan's year (this cluster loads no catalogue), so that approving
    # the plan has obligations to schedule
    yearly = {"code": f"ZY-{tag}", "matter": "组织建设", "sub_matter": f"年度党建工作总结（{tag}）",
              "content_elements": "全年工作情况", "basis": "《中国共产党党务公开条例（试行）》第十条",
              "time_limit": "次年1月底前", "audience": "party", "carriers": ["公开栏"], "sectors": ["town"],
              "frequency": "yearly", "grace_days": 20, "valid_from": f"{year}-01-01"}
    added = requests.post(f"{api}/api/v1/catalogue", json=yearly, headers=OFFICE)
    assert added.status_code == 201, added.text
    # the approval itself, from the form as the office reads it now
    form = browser.get(action)
    seen_now = re.search(r'name="seen" value="([^"]*)"', form.text).group(1)
    approved = browser.post(action, data={"seen": seen_now, "reason": "", "csrf_token": csrf_of(form)},
                            allow_redirects=False)
    assert approved.status_code == 303 and approved.headers["Location"].endswith("?done=approve"), approved.text
    done = browser.get(f"{api}{approved.headers['Location']}")
    assert "已批准方案，各单位当年的公开任务已生成" in done.text, done.text
    plan = requests.get(f"{api}/api/v1/plans/{seen['plan_id']}", headers=OFFICE).json()
    assert plan["status"] == "approved" and plan["approved_at"], plan
    again = browser.post(action, data={"seen": seen_now, "reason": "", "csrf_token": csrf_of(browser.get(action))})
    assert again.status_code == 409 and "请刷新后再办理" in again.text  # the form read before: nothing more happens
    obligations = requests.get(f"{api}/api/v1/obligations", headers=OFFICE,
                               params={"year": year, "entry": yearly["code"], "limit": 200}).json()["items"]
    towns = [u for u in requests.get(f"{api}/api/v1/units", params={"sector": "town", "limit": 200}).json()["items"]
             if u["status"] == "active"]
    assert len(obligations) == len(towns) > 0 and {o["period"] for o in obligations} == {str(year)}, obligations
    portal = requests.get(f"{api}/plans/{seen['plan_id']}")
    assert portal.status_code == 200 and spec["title"] in portal.text and re.search(r"\d+日批准", portal.text)
    assert "本方案正在征求意见" not in portal.text and 'name="target" value="plan:' not in portal.text  # no comments now

    # bad input over HTTP: a milestone with a title and no date is a 400 naming the field, not a 500
    patched = requests.patch(f"{api}/api/v1/plans/{seen['plan_id']}", headers=OFFICE,
                             json={"milestones": [{"title": "启动部署"}]})
    assert patched.status_code == 400, patched.text
    said = json.dumps(patched.json(), ensure_ascii=False)
    assert "第 1 个里程碑缺少" in said and "due_on" in said, said
