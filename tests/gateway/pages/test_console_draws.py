"""The 双随机 registers and a draw at a stated time, against separately started processes (the
console tests' cluster): over HTTP the office fills the registers, a stale form and a too small
register are refused in words, a planned draw publishes its commitment at once and runs by
itself at its time from the registers as they stood, and scripts/verify_draw.py recomputes it
from what the portal publishes; then the same in Chromium with axe on every page."""
import hashlib
import json
import subprocess
import sys
import uuid
from datetime import datetime, timedelta

import pytest
import requests

from services.common.config import ROOT
from services.common.workdays import county_date
from services.units.demo_accounts import DEMO_PASSWORD
from tests.conftest import wait_for
from tests.clusters import services_now
from tests.gateway.pages.portal_browser import walk_in_browser
from tests.gateway.pages.test_console_office import OFFICE
from tests.test_end_to_end import token

pytestmark = pytest.mark.api_level
VERIFY = ROOT / "scripts" / "verify_draw.py"
REGISTERED = ["T01V001", "T01V002", "T01V003", "T01V004", "T02"]


def registers(api):
    answer = requests.get(f"{api}/api/v1/draw-registers", headers=OFFICE)
    assert answer.status_code == 200, answer.text
    return answer.json()


def fill(api, tag):
    """Three inspectors (one of the town above the villages: never sent there) and five units."""
    people = [(f"insp-{tag}-a", None), (f"insp-{tag}-b", "A001"), (f"insp-{tag}-c", "T01")]
    for username, own in people:
        answer = requests.post(f"{api}/api/v1/draw-registers/inspectors", headers=OFFICE,
                               json={"username": username, "unit_code": own})
        assert answer.status_code == 201, answer.text
    current = {e["unit_code"] for e in registers(api)["units"]}
    for code in REGISTERED:
        if code not in current:
            assert requests.post(f"{api}/api/v1/draw-registers/units", headers=OFFICE,
                                 json={"unit_code": code}).status_code == 201
    return [p[0] for p in people]


def plan(api, tag, **changes):
    at = services_now(api) + timedelta(seconds=4)  # a moment ahead on the services' clock, as the run set it
    opens = county_date(at) + timedelta(days=7)
    body = {"title": f"双随机抽查（{tag}）", "window_opens": opens.isoformat(),
            "window_closes": (opens + timedelta(days=10)).isoformat(), "draw_at": at.isoformat(),
            "count": 2, **changes}
    return requests.post(f"{api}/api/v1/draws", headers=OFFICE, json=body)


def verify(record, tmp_path):
    saved = tmp_path / f"draw-{uuid.uuid4().hex[:6]}.json"
    saved.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return subprocess.run([sys.executable, "-I", str(VERIFY), str(saved)], capture_output=True, text=True)


def test_a_draw_at_a_stated_time_from_the_registers_over_http(county, tmp_path):
    api, tag = county["api"], uuid.uuid4().hex[:6]
    people = fill(api, tag)
    before = registers(api)
    assert {e["username"] for e in before["inspectors"]} >= set(people)
    stale = requests.post(f"{api}/api/v1/draw-registers/units", headers=OFFICE,
                          json={"unit_code": "T03", "seen": "0" * 16})
    assert stale.status_code == 409 and "请刷新" in stale.json()["error"]["message"]
    again = requests.post(f"{api}/api/v1/draw-registers/inspectors", headers=OFFICE, json={"username": people[0]})
    assert again.status_code == 409 and "已有" in again.json()["error"]["message"]
    operator = requests.post(f"{api}/api/v1/draw-registers/units", headers=token("op-a001", "operator", "A001"),
                             json={"unit_code": "A001"})
    assert operator.status_code == 403
    too_many = plan(api, tag, count=500)
    assert too_many.status_code == 422 and "只有" in too_many.json()["error"]["message"]
    chosen = plan(api, tag, seed="00" * 32)
    assert chosen.status_code == 400 and "种子由系统生成" in chosen.json()["error"]["message"]
    assert registers(api)["units_revision"] == before["units_revision"]  # nothing changed

    planned = plan(api, tag)
    assert planned.status_code == 201, planned.text
    inspection = planned.json()
    assert inspection["units"] == [] and inspection["scheduled_draw"]["status"] == "scheduled"
    published = requests.get(f"{api}/draws/{inspection['id']}.json").json()  # not signed in
    assert published["status"] == "scheduled" and published["seed"] is None
    assert published["commitment"] == inspection["scheduled_draw"]["commitment"]
    assert verify(published, tmp_path).returncode == 1  # not drawn yet
    page = requests.get(f"{api}/draws/{inspection['id']}")
    assert page.status_code == 200 and published["commitment"] in page.text and "尚未抽签" in page.text

    drawn = wait_for(lambda: (r := requests.get(f"{api}/draws/{inspection['id']}.json").json())["status"] == "drawn"
                     and r, timeout=60, interval=0.5, message="the draw at its stated time")
    assert hashlib.sha256(bytes.fromhex(drawn["seed"])).hexdigest() == published["commitment"]
    assert drawn["registers_on"] == county_date(datetime.fromisoformat(drawn["draw_at"])).isoformat()
    assert set(drawn["units"]) <= set(REGISTERED) and len(drawn["units"]) == 2
    assert {p["username"] for p in drawn["pool"]} >= set(people)
    for unit in drawn["units"]:
        if unit.startswith("T01"):
            assert people[2] not in drawn["assignments"][unit]  # the town's own inspector is recused
    checked = verify(drawn, tmp_path)
    assert checked.returncode == 0 and checked.stdout.startswith("OK"), checked.stdout + checked.stderr
    shown = requests.get(f"{api}/api/v1/inspections/{inspection['id']}", headers=OFFICE).json()
    assert [u["unit_code"] for u in shown["units"]] == drawn["units"]


def test_the_registers_and_a_draw_at_a_stated_time_in_the_browser(county, tmp_path):
    api, tag = county["api"], uuid.uuid4().hex[:6]
    people = fill(api, tag)
    spec = {"password": DEMO_PASSWORD, "inspector": f"insp-{tag}-new", "leaving": people[1],
            "title": f"浏览器里安排的双随机抽查（{tag}）"}
    seen = walk_in_browser("draws_browser", api, spec, tmp_path)

    assert spec["inspector"] in seen["confirm"] and "A002" in seen["confirm"]
    assert seen["added"] == "已加入名录。" and spec["inspector"] in seen["registers"]
    assert "已有" in seen["refused"] and spec["inspector"] in seen["refused"]
    assert seen["ended"].startswith("已移出名录")
    assert people[1] not in registers(api)["inspectors"] or all(
        e["state"] == "ended" for e in registers(api)["inspectors"] if e["username"] == people[1])
    assert "只有" in seen["too_many"]
    assert "自动抽签" in seen["planned"] and "尚未抽签" in seen["public"]
    assert {page: found for page, found in seen["axe"].items() if found} == {}
    assert len(seen["screen_captions"]) == 5 and "各镇街按时公开率" in seen["screen_captions"]  # and the four newer
    assert len(seen["axe"]) == 10
    assert {page: w for page, w in seen["widths"].items() if w["390"] > 390 or w["1280"] > 1280} == {}
