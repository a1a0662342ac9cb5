"""The registry's and the administrator's console pages over HTTP against separately started
processes (the console's cluster), as a browser without script uses them.

The county office reads the unit tree, searches it and reads a unit's officials and their
history; a unit's operator reads only their own unit; the registry downloads as an .xlsx. The
administrator uploads a registry file: its dry run lists each bad row's row, column and problem
in Chinese and changes nothing; a clean file's dry run is confirmed and applied (the very file
checked, once) and its officials' changes show in the unit's history. An API key is shown once
and works until revoked; a webhook's secret is shown once; a dead letter is read and replayed.
Every test makes its own data (its own codes, names and messages), so other modules' tests on
the same county do not disturb it."""
import io
import re
import time
import uuid

import pytest
import requests
from amqp import Message
from kombu import Connection
from openpyxl import load_workbook

from services.common.contract import names, queue_name
from services.units.demo_accounts import DEMO_PASSWORD
from tests.conftest import wait_for
from tests.gateway.pages.test_console_signin import csrf_of, sign_in
from tests.test_end_to_end import token

pytestmark = pytest.mark.api_level

OFFICE = token("office", "inspector")
ADMIN = token("admin", "admin")
HEADER = "code,name,sector,org_type,parent_code,secretary,secretary_phone,liaison,liaison_phone,liaison_email,demonstration"
ONCE = re.compile(r'<p class="once">([^<]+)</p>')


def registry_file(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


def upload(browser, api, content: bytes, name: str = "名册.csv"):
    form = browser.get(f"{api}/console/units/import")
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text
    sent = browser.post(f"{api}/console/units/import", data={"csrf_token": csrf_of(form)},
                        files={"file": (name, content, "text/csv")}, allow_redirects=False)
    assert sent.status_code == 303, sent.text
    return sent.headers["Location"]


def finished(browser, api, location: str):
    """The job's page once the job has ended (while it runs the page refreshes itself)."""
    deadline = time.monotonic() + 60
    while True:
        page = browser.get(f"{api}{location}")
        assert page.status_code == 200, page.text
        if 'http-equiv="refresh"' not in page.text:
            return page
        assert "自动刷新" in page.text and time.monotonic() < deadline, page.text
        time.sleep(0.3)


def test_the_office_reads_the_tree_searches_it_and_reads_a_units_officials(county):
    api = county["api"]
    tree = requests.get(f"{api}/console/units", headers=OFFICE)
    assert tree.status_code == 200 and "中共集美县委员会" in tree.text
    assert "镇街" in tree.text and 'href="/console/units?unit=T01"' in tree.text and "下级组织" in tree.text
    town = requests.get(f"{api}/console/units", params={"unit": "T01"}, headers=OFFICE)
    villages = requests.get(f"{api}/api/v1/units/T01/children").json()["items"]
    assert town.status_code == 200 and villages and all(v["name"] in town.text for v in villages)
    assert 'href="/console/units?unit=C000"' in town.text  # the way back up

    found = requests.get(f"{api}/console/units", params={"q": villages[0]["name"]}, headers=OFFICE)
    assert found.status_code == 200 and f'href="/console/units/{villages[0]["code"]}"' in found.text
    nothing = requests.get(f"{api}/console/units", params={"q": "没有这个组织"}, headers=OFFICE)
    assert nothing.status_code == 200 and "没有名称或代码含“没有这个组织”的组织" in nothing.text

    unit = requests.get(f"{api}/console/units/A001", headers=OFFICE)
    assert unit.status_code == 200 and "现任负责人" in unit.text and "任职记录" in unit.text
    for held in ("书记", "赵秀杰", "19281948219", "联络员", "杨超", "a001@example.gov.cn", "至今"):
        assert held in unit.text, held

    operator = token("op-a001", "operator", "A001")
    assert requests.get(f"{api}/console/units/A001", headers=operator).status_code == 200
    other = requests.get(f"{api}/console/units/A002", headers=operator)
    assert other.status_code == 403 and "只能查看本单位" in other.text
    assert requests.get(f"{api}/console/units", headers=operator).status_code == 403
    anonymous = requests.get(f"{api}/console/units", allow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["Location"].startswith("/login?next=")

    sheet = requests.get(f"{api}/console/units/export.xlsx", headers=OFFICE)
    assert sheet.status_code == 200 and sheet.headers["Content-Type"].startswith("application/vnd.openxml")
    assert "attachment" in sheet.headers["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    codes = {row[0] for row in rows[1:]}
    assert rows[0][0] == "code" and {"C000", "A001", "T01"} <= codes and len(codes) >= 121
    csv = requests.get(f"{api}/console/units/export.csv", headers=OFFICE)
    assert csv.status_code == 200 and csv.content.decode("utf-8-sig").startswith(HEADER)


def test_an_import_is_checked_row_by_row_then_the_checked_file_applied_once(county):
    api = county["api"]
    town, village = f"R9{uuid.uuid4().hex[:4]}", None
    village = f"{town}-01"
    admin, _ = sign_in(api, "admin", DEMO_PASSWORD)

    flawed = registry_file(f"{town},测试镇党委,town,committee,C000,,,,,,0",
                           f"{village},测试村党支部,军队,branch,NOPE,王书记,12345,,,,0")
    report = finished(admin, api, upload(admin, api, flawed))
    assert "试导入发现" in report.text and "名册没有任何改动" in report.text and "确认导入" not in report.text
    table = report.text.split('id="problems"', 1)[1]
    for shown in ("第 3 行", "领域（sector）", "军队", "上级代码（parent_code）", "NOPE", "书记电话（secretary_phone）"):
        assert shown in table, shown
    assert requests.get(f"{api}/api/v1/units/{village}").status_code == 404
    flawed_id = int(report.url.rsplit("/", 1)[1])
    refused = requests.post(f"{api}/api/v1/units/import/jobs/{flawed_id}/apply", headers=ADMIN)
    assert refused.status_code == 409 and "发现了问题" in refused.json()["error"]["message"]

    clean = registry_file(f"{town},测试镇党委,town,committee,C000,李书记,13900000001,张联络,13900000002,,0",
                          f"{village},测试村党支部,village,branch,{town},王书记,13900000003,赵联络,13900000004,"
                          "zhao@example.gov.cn,0")
    checked = finished(admin, api, upload(admin, api, clean))
    assert "没有发现问题" in checked.text and "新登记 <b>2</b>" in checked.text and "确认导入" in checked.text
    assert requests.get(f"{api}/api/v1/units/{town}").status_code == 404  # a dry run changes nothing
    confirm_url = checked.url.removeprefix(api)
    no_token = admin.post(f"{api}{confirm_url}/apply", data={"confirm": "1"})
    assert no_token.status_code == 403 and "安全校验码" in no_token.text
    second_form = admin.get(f"{api}{confirm_url}")
    applied = admin.post(f"{api}{confirm_url}/apply", data={"csrf_token": csrf_of(checked)}, allow_redirects=False)
    assert applied.status_code == 303 and applied.headers["Location"] != confirm_url
    done = finished(admin, api, applied.headers["Location"])
    assert "导入完成" in done.text and "新登记 <b>2</b>" in done.text
    assert requests.get(f"{api}/api/v1/units/{village}").json()["parent_code"] == town
    again = admin.post(f"{api}{confirm_url}/apply", data={"csrf_token": csrf_of(second_form)})
    assert again.status_code == 409 and "已经确认导入过" in again.text
    listed = admin.get(f"{api}/console/units/import")
    assert f'href="{applied.headers["Location"]}"' in listed.text and "已确认导入" in listed.text
    assert requests.get(f"{api}{confirm_url}", headers=OFFICE).status_code == 403

    # a new secretary: the old one's term ends today, and the unit's page shows both
    changed = clean.replace("王书记".encode(), "钱书记".encode())
    checked = finished(admin, api, upload(admin, api, changed, "名册.csv"))
    assert "更新 <b>1</b>" in checked.text
    applied = admin.post(f"{checked.url}/apply", data={"csrf_token": csrf_of(checked)}, allow_redirects=False)
    assert "导入完成" in finished(admin, api, applied.headers["Location"]).text
    appointed = requests.put(f"{api}/api/v1/units/{village}/officials/reviewer", headers=ADMIN,
                             json={"name": "孙审核", "phone": "13900000005"})
    assert appointed.status_code == 200, appointed.text
    unit = admin.get(f"{api}/console/units/{village}")
    history = unit.text.split('id="history"', 1)[1]
    assert "钱书记" in unit.text and "孙审核" in unit.text and "审核人" in unit.text
    old_term = re.search(r"<td>书记</td><td>王书记</td>.*?</tr>", history, re.S).group(0)
    assert "至今" not in old_term and "年" in old_term  # started and ended, as dates
    assert "至今" in re.search(r"<td>书记</td><td>钱书记</td>.*?</tr>", history, re.S).group(0)


def test_an_api_key_is_shown_once_works_and_is_revoked(county):
    api = county["api"]
    admin, _ = sign_in(api, "admin", DEMO_PASSWORD)
    page = admin.get(f"{api}/console/api-keys")
    assert page.status_code == 200 and "API 密钥" in page.text
    name = f"县纪委监督平台-{uuid.uuid4().hex[:6]}"
    empty = admin.post(f"{api}/console/api-keys", data={"csrf_token": csrf_of(page), "name": ""})
    assert empty.status_code == 400 and "请填写使用这个密钥的系统" in empty.text
    made = admin.post(f"{api}/console/api-keys", data={"csrf_token": csrf_of(empty), "name": name})
    assert made.status_code == 200 and "只显示这一次" in made.text and made.headers["Cache-Control"] == "no-store"
    key = ONCE.search(made.text).group(1)
    assert key.startswith("gk_")
    events = requests.get(f"{api}/api/v1/events", headers={"X-API-Key": key})
    assert events.status_code == 200
    twice = admin.post(f"{api}/console/api-keys", data={"csrf_token": csrf_of(made), "name": name})
    assert twice.status_code == 409 and f"已有名为 {name} 的 API 密钥" in twice.text
    listed = admin.get(f"{api}/console/api-keys")
    assert name in listed.text and key not in listed.text and key[:10] in listed.text

    key_id = int(re.search(rf'<tr id="key-(\d+)"><td>{name}</td>', listed.text).group(1))
    confirm = admin.get(f"{api}/console/api-keys/{key_id}/revoke")
    assert confirm.status_code == 200 and "确认吊销" in confirm.text
    revoked = admin.post(f"{api}/console/api-keys/{key_id}/revoke", data={"csrf_token": csrf_of(confirm)})
    assert revoked.status_code == 200 and "已吊销" in revoked.text
    assert requests.get(f"{api}/api/v1/events", headers={"X-API-Key": key}).status_code == 401
    assert requests.get(f"{api}/console/api-keys", headers=OFFICE).status_code == 403


def test_a_webhooks_secret_is_shown_once_rotated_and_the_webhook_deleted(county):
    api = county["api"]
    admin, _ = sign_in(api, "admin", DEMO_PASSWORD)
    page = admin.get(f"{api}/console/webhooks")
    assert page.status_code == 200 and 'value="UnitRegistered"' in page.text
    url = f"https://hooks.example.org/gongkai/{uuid.uuid4().hex}"
    none_chosen = admin.post(f"{api}/console/webhooks", data={"csrf_token": csrf_of(page), "url": url})
    assert none_chosen.status_code == 400 and "请至少选择一种事件类型" in none_chosen.text and url in none_chosen.text
    internal = admin.post(f"{api}/console/webhooks", data={"csrf_token": csrf_of(none_chosen), "url": "http://10.0.0.7/x",
                                                          "event_types": ["UnitRegistered"]})
    assert internal.status_code == 400 and "内部网络地址" in internal.text
    made = admin.post(f"{api}/console/webhooks", data={"csrf_token": csrf_of(internal), "url": url,
                                                      "event_types": ["UnitRegistered", "ItemPublished"]})
    assert made.status_code == 200 and "只显示这一次" in made.text
    secret = ONCE.search(made.text).group(1)
    hook_id = int(re.search(r'href="/console/webhooks/(\d+)">查看这个订阅', made.text).group(1))
    assert secret.startswith("whsec_") and secret not in admin.get(f"{api}/console/webhooks").text

    detail = admin.get(f"{api}/console/webhooks/{hook_id}")
    assert detail.status_code == 200 and url in detail.text and "ItemPublished" in detail.text
    assert "最近的推送记录" in detail.text
    confirm = admin.get(f"{api}/console/webhooks/{hook_id}/rotate")
    rotated = admin.post(f"{api}/console/webhooks/{hook_id}/rotate", data={"csrf_token": csrf_of(confirm)})
    new_secret = ONCE.search(rotated.text).group(1)
    assert rotated.status_code == 200 and new_secret.startswith("whsec_") and new_secret != secret
    confirm = admin.get(f"{api}/console/webhooks/{hook_id}/delete")
    assert "不能撤销" in confirm.text
    deleted = admin.post(f"{api}/console/webhooks/{hook_id}/delete", data={"csrf_token": csrf_of(confirm)})
    assert deleted.status_code == 200 and "已删除这个订阅" in deleted.text
    # a link to it now (a bookmark, an email) says what became of it, with the way back: 410, not 404
    gone = admin.get(f"{api}/console/webhooks/{hook_id}")
    assert gone.status_code == 410, gone.text[:2000]
    assert f"推送订阅 {hook_id}（{url}）已于" in gone.text and "由 admin 删除" in gone.text
    assert '<a href="/console/webhooks">返回列表</a>' in gone.text
    assert admin.get(f"{api}/console/webhooks/{hook_id + 1000}").status_code == 404  # never there


def test_a_dead_letter_is_read_and_replayed(county):
    api = county["api"]
    marker = f"无法处理的消息-{uuid.uuid4().hex}"
    poison = f'{{"type": "UnitRegistered", "note": "{marker}"}}'.encode()  # no event_id: parked at once
    with Connection(county["amqp_uri"]) as conn:  # straight onto disclosure's queue, no other service's
        conn.default_channel.basic_publish(Message(poison, content_type="application/json", delivery_mode=2),
                                           exchange="", routing_key=queue_name("disclosure", names.UNIT_REGISTERED))

    def letters():
        rows = requests.get(f"{api}/api/v1/dead-letters", params={"service": "disclosure", "limit": 200},
                            headers=ADMIN).json()["items"]
        return [row for row in rows if marker in (row["body"] or "")]

    wait_for(letters, timeout=30, message="the poison message parked as a dead letter")
    (letter,) = letters()
    admin, _ = sign_in(api, "admin", DEMO_PASSWORD)
    work = admin.get(f"{api}/console")
    assert "死信" in work.text and f'href="/console/dead-letters/disclosure/{letter["id"]}"' in work.text
    listed = admin.get(f"{api}/console/dead-letters", params={"service": "disclosure"})
    assert listed.status_code == 200 and f'id="letter-disclosure-{letter["id"]}"' in listed.text
    page = admin.get(f"{api}/console/dead-letters/disclosure/{letter['id']}")
    assert page.status_code == 200 and marker in page.text and "确认重新投递" in page.text
    assert letter["queue"] in page.text

    replayed = admin.post(f"{api}/console/dead-letters/disclosure/{letter['id']}/replay",
                          data={"csrf_token": csrf_of(page)})
    assert replayed.status_code == 200 and "已重新投递 1 条" in replayed.text
    # it fails again on its queue and comes back as a dead letter of its own; the replayed one is gone
    wait_for(lambda: [row for row in letters() if row["id"] != letter["id"]], timeout=30,
             message="the replayed message parked again")
    gone = admin.get(f"{api}/console/dead-letters/disclosure/{letter['id']}")
    assert gone.status_code == 404 and "可能已经重新投递" in gone.text
