"""The sender's contact on the portal, on a running county, without script: the feedback form
says what the contact is for and how long it is kept (the configured period); the tracking page
offers its erasure, which a confirmation page asks the PIN for; a wrong PIN is refused in Chinese
with nothing changed; the right one erases the contact and only that; asked again, the page says
there is nothing left to erase. And a link to a unit merged since or an item withdrawn since."""
import uuid

import pytest
import requests

from tests.conftest import scalar, wait_for
from tests.gateway.pages.portal_fixtures import admin, csrf_of, officials, ok, publish
from tests.gateway.pages.test_console_feedback import send_feedback

pytestmark = pytest.mark.api_level


def test_the_form_states_the_contacts_uses_and_how_long_it_is_kept(county):
    form = requests.get(f"{county['api']}/feedback/new", params={"target": "unit:A001"})
    assert form.status_code == 200
    hint = form.text.split('id="h-contact"', 1)[1].split("</p>", 1)[0]
    assert "用途" in hint and "短信或邮件" in hint and "办结或不予受理后 180 天删除" in hint and "查询码和密码" in hint


def test_the_sender_erases_the_contact_after_a_confirmation_and_nothing_else_changes(county):
    api = county["api"]
    receipt, feedback_id = send_feedback(api, f"村里的垃圾桶不够用（{uuid.uuid4().hex[:6]}）")
    code, pin = receipt["tracking_code"], receipt["secret"]
    contact_of = f"SELECT contact IS NOT NULL FROM feedback WHERE id = {feedback_id}"
    tracked = requests.get(f"{api}/track/{code}").text
    assert f'href="/track/{code}/erase"' in tracked

    confirm = requests.get(f"{api}/track/{code}/erase")
    assert confirm.status_code == 200 and "确认删除" in confirm.text and "不再以短信或邮件通知您" in confirm.text
    token = csrf_of(confirm.text)
    wrong = requests.post(f"{api}/track/{code}/erase", data={"csrf_token": token, "secret": "00000000"})
    assert wrong.status_code == 403 and "没有办成" in wrong.text and "什么也没有改变" in wrong.text
    assert scalar(county["urls"]["feedback"], contact_of) in (1, True)
    no_token = requests.post(f"{api}/track/{code}/erase", data={"secret": pin})
    assert no_token.status_code in (400, 403) and scalar(county["urls"]["feedback"], contact_of) in (1, True)

    before = requests.get(f"{api}/api/v1/feedback/{code}").json()
    done = requests.post(f"{api}/track/{code}/erase", data={"csrf_token": csrf_of(requests.get(
        f"{api}/track/{code}/erase").text), "secret": pin})
    assert done.status_code == 200 and "已删除您的联系方式" in done.text and "您的联系方式已于" in done.text
    assert scalar(county["urls"]["feedback"], contact_of) in (0, False)
    after = requests.get(f"{api}/api/v1/feedback/{code}").json()
    assert {k: after[k] for k in ("status", "answer_due", "answers")} == \
        {k: before[k] for k in ("status", "answer_due", "answers")}
    assert after["steps"][-1]["label"] == "删除联系方式"

    again = requests.get(f"{api}/track/{code}/erase")
    assert again.status_code == 200 and "没有留存的联系方式" in again.text and 'name="secret"' not in again.text
    gone = requests.post(f"{api}/track/{code}/erase", data={"csrf_token": csrf_of(requests.get(
        f"{api}/feedback/new", params={"target": "unit:A001"}).text), "secret": pin})
    assert gone.status_code == 409 and "没有留存的联系方式" in gone.text


def test_a_link_to_a_merged_unit_or_a_withdrawn_item_says_what_became_of_it(county):
    """The feedback form's link (on a poster, in a message) to a unit merged since, or to an item
    withdrawn since: a Chinese page naming the successor or the withdrawal (410), never a 404 or
    500; a form sent after the change is refused the same way, nothing stored."""
    api = county["api"]
    item = publish(api, "T06V008", "村级工程招标结果", "中标单位：某建筑公司。")
    operator, reviewer = officials("T06V008")
    ok(requests.post(f"{api}/api/v1/items/{item['id']}/withdraw", headers=reviewer, json={"reason": "招标结果有误，已撤回"}))
    ok(requests.post(f"{api}/api/v1/units/T06V009/merge", headers=admin(), json={"into_code": "T06V008"}))
    before = scalar(county["urls"]["feedback"], "SELECT count(*) FROM feedback")

    form_of = lambda target: requests.get(f"{api}/feedback/new", params={"target": target})  # noqa: E731
    wait_for(lambda: form_of("unit:T06V009").status_code == 410, timeout=20, message="the merge to reach the gateway")
    merged = form_of("unit:T06V009")
    assert "已合并到" in merged.text and 'href="/units/T06V008"' in merged.text
    withdrawn = form_of(f"item:{item['id']}")
    assert withdrawn.status_code == 410 and "撤回" in withdrawn.text and "招标结果有误" in withdrawn.text

    for target in ("unit:T06V009", f"item:{item['id']}"):
        token = csrf_of(form_of("unit:T06V008").text)  # a token is good for one form
        sent = requests.post(f"{api}/feedback", data={"csrf_token": token, "target": target, "kind": "opinion",
                                                       "content": "这个还能提意见吗？", "contact": ""})
        assert sent.status_code == 410 and "Traceback" not in sent.text, (target, sent.status_code)
    assert scalar(county["urls"]["feedback"], "SELECT count(*) FROM feedback") == before
