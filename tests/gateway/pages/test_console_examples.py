"""Units learn from each other, over HTTP against separately started processes: the county office
marks a published item as a 范例 on its console page (through a confirmation) and writes a
guidance note (分类指导); an operator of a unit in the same sector drafting the same matter sees
both beside the editor, one of another sector sees neither the example nor that sector's note;
/models lists the society example under its sector and never the party-only one; an unmarked
example leaves /models, and a stale revision of a note is refused in words."""
import uuid

import pytest
import requests

from services.units.demo_accounts import DEMO_PASSWORD
from tests.clusters import services_today
from tests.conftest import wait_for
from tests.gateway.pages.test_console_signin import csrf_of, sign_in
from tests.test_end_to_end import token

pytestmark = pytest.mark.api_level

OFFICE = token("office", "inspector")


def operator(unit):
    return token(f"op-{unit.lower()}", "operator", unit)


def matter(api, code):
    """A new on-event matter (随时公开) for every sector, in force since the start of the year."""
    entry = {"code": code, "matter": "组织建设", "sub_matter": f"学习借鉴测试 {code}", "content_elements": "时间、内容",
             "basis": "《中国共产党党务公开条例（试行）》", "time_limit": "5个工作日内", "audience": "society",
             "carriers": ["公开栏"], "sectors": ["agency", "town", "village", "school", "enterprise", "hospital", "other"],
             "frequency": "on_event", "within_days": 5, "valid_from": f"{services_today(api).year}-01-01"}
    added = requests.post(f"{api}/api/v1/catalogue", json=entry, headers=OFFICE, timeout=10)
    assert added.status_code == 201, added.text


def obligation_of(api, unit, code):
    made = requests.post(f"{api}/api/v1/obligations/events", headers=operator(unit), timeout=10, json={
        "unit_code": unit, "entry_code": code, "event_on": services_today(api).isoformat(), "note": "测试事件"})
    assert made.status_code == 201, made.text
    return made.json()["id"]


def published(api, unit, code, title, audience="society"):
    item = requests.post(f"{api}/api/v1/items", headers=operator(unit), timeout=10, json={
        "unit_code": unit, "title": title, "body": "本支部按要求公开了时间、地点和内容。" * 10, "audience": audience,
        "carriers": ["公开栏"], "obligation_id": obligation_of(api, unit, code)})
    assert item.status_code == 201, item.text
    item_id = item.json()["id"]
    assert requests.post(f"{api}/api/v1/items/{item_id}/submit", headers=operator(unit), timeout=10).status_code == 200
    reviewer = token(f"rv-{unit.lower()}", "reviewer", unit)
    for action in ("review", "approve"):
        assert requests.post(f"{api}/api/v1/items/{item_id}/{action}", headers=reviewer, timeout=10).status_code == 200
    return item_id


def test_the_office_marks_an_example_and_an_operator_of_the_same_sector_sees_it_beside_the_editor(county):
    api, tag = county["api"], uuid.uuid4().hex[:6]
    code = f"EX-{tag.upper()}"
    matter(api, code)
    good = published(api, "A002", code, f"组织部学习借鉴公示{tag}")
    inside = published(api, "A003", code, f"宣传部党内范例{tag}", audience="party")

    office, _ = sign_in(api, "office", DEMO_PASSWORD)
    form = office.get(f"{api}/console/examples", params={"item": good})
    assert form.status_code == 200 and f'value="{good}"' in form.text
    refused = office.post(f"{api}/console/examples", data={"csrf_token": csrf_of(form), "item_id": good, "reason": ""})
    assert refused.status_code == 400 and "理由" in refused.text
    confirm = office.post(f"{api}/console/examples", data={"csrf_token": csrf_of(refused), "item_id": good,
                                                           "reason": "要素齐全，图文并茂"})
    assert confirm.status_code == 200 and "确认标为范例" in confirm.text and f"组织部学习借鉴公示{tag}" in confirm.text
    done = office.post(f"{api}/console/examples", data={"csrf_token": csrf_of(confirm), "item_id": str(good),
                                                        "sector": "", "reason": "要素齐全，图文并茂", "confirm": "1"},
                       allow_redirects=False)
    assert done.status_code == 303 and done.headers["Location"] == "/console/examples?done=marked"
    again = office.post(f"{api}/console/examples", data={"csrf_token": csrf_of(office.get(f"{api}/console/examples")),
                                                         "item_id": str(good),
                                                         "reason": "再标一次", "confirm": "1"})
    assert again.status_code == 409 and "已是这一领域的范例" in again.text
    marked = requests.post(f"{api}/api/v1/examples", headers=OFFICE, timeout=10,
                           json={"item_id": inside, "reason": "党内公开的好做法"})
    assert marked.status_code == 201 and marked.json()["sector"] == "agency", marked.text

    notes = office.get(f"{api}/console/guidance/new")
    note = {"csrf_token": csrf_of(notes), "entry_code": code, "sector": "agency", "title": f"机关写法{tag}",
            "body": "写明时间、地点、参加人员。"}
    confirm = office.post(f"{api}/console/guidance", data=note)
    assert "确认发布分类指导" in confirm.text
    assert office.post(f"{api}/console/guidance", data={**note, "csrf_token": csrf_of(confirm), "confirm": "1"},
                       allow_redirects=False).status_code == 303
    everyone = requests.post(f"{api}/api/v1/guidance", headers=OFFICE, timeout=10,
                             json={"entry_code": code, "title": f"通用要求{tag}", "body": "五个工作日内公开。"})
    assert everyone.status_code == 201, everyone.text

    # an agency's operator drafting the matter: the example (not the party item out of its chain) and both notes
    editor = requests.get(f"{api}/console/items/new", params={"obligation": obligation_of(api, "A004", code)},
                          headers=operator("A004"), timeout=10)
    assert editor.status_code == 200 and "同领域单位的范例" in editor.text
    assert f'href="/items/{good}"' in editor.text and "中共县委组织部机关支部委员会" in editor.text
    assert f"宣传部党内范例{tag}" not in editor.text
    assert f"机关写法{tag}" in editor.text and f"通用要求{tag}" in editor.text
    # a village's operator: no example of the agencies, only the note for every sector
    village = requests.get(f"{api}/console/items/new", params={"obligation": obligation_of(api, "T01V002", code)},
                           headers=operator("T01V002"), timeout=10)
    assert village.status_code == 200 and "同领域单位的范例" not in village.text
    assert f"机关写法{tag}" not in village.text and f"通用要求{tag}" in village.text
    # a matter with neither: nothing beside the editor
    bare = requests.get(f"{api}/console/items/new", headers=operator("A004"), timeout=10)
    assert "写之前可以参考" not in bare.text

    wait_for(lambda: f"组织部学习借鉴公示{tag}" in requests.get(f"{api}/models", timeout=10).text, timeout=40,
             message="the example on /models")
    models = requests.get(f"{api}/models", timeout=10).text
    assert f"宣传部党内范例{tag}" not in models and f'href="/items/{good}"' in models

    # the office unmarks it with a reason: it leaves /models
    (mark,) = [m for m in requests.get(f"{api}/api/v1/examples", headers=OFFICE, timeout=10).json()["items"]
               if m["item_id"] == good]
    end = office.get(f"{api}/console/examples/{mark['id']}/end")
    assert end.status_code == 200 and "取消理由" in end.text
    ended = office.post(f"{api}/console/examples/{mark['id']}/end", data={"csrf_token": csrf_of(end),
                                                                          "reason": "已有更好的范例"},
                        allow_redirects=False)
    assert ended.status_code == 303
    wait_for(lambda: f"组织部学习借鉴公示{tag}" not in requests.get(f"{api}/models", timeout=10).text, timeout=40,
             message="the unmarked example to leave /models")

    # a stale revision of a note is refused in words, and nothing changes
    note_id = everyone.json()["id"]
    revised = requests.patch(f"{api}/api/v1/guidance/{note_id}", headers=OFFICE, timeout=10,
                             json={"title": "通用要求", "body": "新的内容", "revision": 1})
    assert revised.status_code == 200 and revised.json()["revision"] == 2
    stale = requests.patch(f"{api}/api/v1/guidance/{note_id}", headers=OFFICE, timeout=10,
                           json={"title": "旧表单", "body": "旧的内容", "revision": 1})
    assert stale.status_code == 409 and "请刷新后再办理" in stale.json()["error"]["message"]
    page = office.get(f"{api}/console/guidance/{note_id}/revise")
    stale_form = office.post(f"{api}/console/guidance/{note_id}/revise", data={
        "csrf_token": csrf_of(page), "title": "旧表单", "body": "旧的内容", "revision": "1", "confirm": "1"})
    assert stale_form.status_code == 409 and "请刷新后再办理" in stale_form.text
    assert requests.get(f"{api}/api/v1/guidance/{note_id}", headers=OFFICE, timeout=10).json()["body"] == "新的内容"
