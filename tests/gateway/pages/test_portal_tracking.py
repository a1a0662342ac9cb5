"""The sender acts on the portal's tracking page with the PIN, without script, on a running
county: a wrong PIN and a rating of feedback not yet answered are refused in Chinese with
nothing changed; the sender reopens an answer twice, a third reopen is refused, and a rating of
满意 closes it; the whole trail is on the page."""
import uuid

import pytest
import requests

from tests.gateway.pages.portal_fixtures import csrf_of
from tests.gateway.pages.test_console_feedback import send_feedback
from tests.test_end_to_end import token

pytestmark = pytest.mark.api_level

OPERATOR, REVIEWER = token("op-a001", "operator", "A001"), token("rv-a001", "reviewer", "A001")


def answer(api, feedback_id, text):
    for action, body, who in (("accept", {}, OPERATOR), ("answer", {"body": text}, OPERATOR),
                              ("approve-answer", {}, REVIEWER)):
        if action == "accept" and requests.get(f"{api}/api/v1/feedback/{feedback_id}",
                                               headers=OPERATOR).json()["status"] != "received":
            continue
        done = requests.post(f"{api}/api/v1/feedback/{feedback_id}/{action}", json=body, headers=who)
        assert done.status_code == 200, (action, done.text)


def act(api, code, action, **fields):
    page = requests.get(f"{api}/feedback/new", params={"target": "unit:A001"})  # any form's token (anonymous)
    return requests.post(f"{api}/track/{code}/{action}", data={"csrf_token": csrf_of(page.text), **fields})


def status(api, code):
    return requests.get(f"{api}/api/v1/feedback/{code}").json()["status"]


def test_the_sender_rates_and_reopens_with_the_pin_and_bad_input_changes_nothing(county):
    api = county["api"]
    receipt, feedback_id = send_feedback(api, f"村口路灯不亮，何时修？（{uuid.uuid4().hex[:6]}）")
    code, pin = receipt["tracking_code"], receipt["secret"]
    unanswered = act(api, code, "rate", secret=pin, rating="satisfied")
    assert unanswered.status_code == 409 and "没有办成" in unanswered.text and status(api, code) == "received"
    assert 'name="rating"' not in requests.get(f"{api}/track/{code}").text  # nothing to rate yet

    answer(api, feedback_id, "已安排电工本周修好。")
    page = requests.get(f"{api}/track/{code}")
    assert page.status_code == 200 and 'name="rating"' in page.text and "基本满意" in page.text
    wrong = act(api, code, "rate", secret="000000", rating="unsatisfied", comment="还是不亮")
    assert wrong.status_code == 403 and "查询码与密码不符" in wrong.text and "什么也没有改变" in wrong.text
    assert "还是不亮" in wrong.text and "000000" not in wrong.text and status(api, code) == "answered"

    for round_no in (1, 2):
        again = act(api, code, "reopen", secret=pin, reason=f"第 {round_no} 次：还是不亮")
        assert again.status_code == 200 and "已申请重新办理" in again.text, again.text[:2000]
        answer(api, feedback_id, f"第 {round_no + 1} 次答复：已更换灯泡。")
    third = act(api, code, "reopen", secret=pin, reason="第三次")
    assert third.status_code == 409 and "最多 2 次" in third.text and status(api, code) == "answered"

    rated = act(api, code, "rate", secret=pin, rating="satisfied", comment="修好了，谢谢")
    assert rated.status_code == 200 and "已收到您的评价" in rated.text and status(api, code) == "closed"
    trail = requests.get(f"{api}/track/{code}").text
    assert trail.count("已安排电工本周修好") == 1 and "第 3 次答复" in trail and 'name="rating"' not in trail
    assert "您的评价：满意" in trail


def test_wrong_pins_lock_the_tracking_code_and_the_page_says_for_how_long(county):
    api = county["api"]
    receipt, feedback_id = send_feedback(api, f"公开栏玻璃碎了（{uuid.uuid4().hex[:6]}）")
    code = receipt["tracking_code"]
    answer(api, feedback_id, "已更换玻璃。")
    for _ in range(5):
        assert act(api, code, "rate", secret="99999999", rating="satisfied").status_code == 403
    locked = act(api, code, "rate", secret=receipt["secret"], rating="satisfied")
    assert locked.status_code == 429 and "已连续输错 5 次，请 30 分钟后再试" in locked.text
    assert status(api, code) == "answered"
