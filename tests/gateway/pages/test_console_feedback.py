"""The console's feedback pages over HTTP, as a browser without script uses them (cookies, CSRF
tokens, confirmation pages), against separately started processes: the operator accepts and
answers feedback from 我的待办, the reviewer sends the answer back with a reason and then approves
the new one, and the sender sees it; the county office releases or rejects held feedback and
decides extension requests; a stale form (the case moved on meanwhile) is a 409 saying who did
what when, changing nothing; refusals are words next to the form; overdue is red."""
import uuid

import pytest
import requests
import sqlalchemy as sa

from services.units.demo_accounts import DEMO_PASSWORD
from tests.conftest import wait_for
from tests.gateway.pages.test_console_signin import csrf_of, sign_in
from tests.test_end_to_end import token

pytestmark = pytest.mark.api_level

OFFICE = token("office", "inspector")


def send_feedback(api, text, unit="A001", contact="13800001234"):
    """Feedback through the API (as the portal's form sends it); its receipt and its id."""
    body = {"target_kind": "unit", "target_id": unit, "kind": "question", "content": text, "contact": contact}
    receipt = wait_for(lambda: (r := requests.post(f"{api}/api/v1/feedback", json=body)).status_code == 201 and r,
                       timeout=20, message="the feedback service knowing the unit").json()
    found = requests.get(f"{api}/api/v1/feedback", params={"q": text}, headers=OFFICE).json()["items"]
    return receipt, found[0]["id"]


def steps_of(api, feedback_id):
    return len(requests.get(f"{api}/api/v1/feedback/{feedback_id}", headers=OFFICE).json()["steps"])


def post(browser, url, **fields):
    """Open the confirmation page, then send its form with these fields."""
    form = browser.get(url)
    assert form.status_code == 200, form.text[:3000]
    seen = form.text.split('name="seen" value="', 1)[1].split('"', 1)[0]
    return browser.post(url, data={"csrf_token": csrf_of(form), "seen": seen, **fields})


def test_the_operator_answers_and_the_reviewer_returns_then_approves(county):
    api, tag = county["api"], uuid.uuid4().hex[:8]
    text = f"村务公开栏的照片什么时候更新？（{tag}）"
    receipt, fid = send_feedback(api, text)
    case = f"{api}/console/feedback/{fid}"

    clerk, _ = sign_in(api, "op-a001", DEMO_PASSWORD)
    work = clerk.get(f"{api}/console")
    assert f'href="/console/feedback/{fid}"' in work.text and f'href="/console/feedback/{fid}/accept"' in work.text
    page = clerk.get(case)
    assert page.status_code == 200 and text in page.text and "13800001234" in page.text and "答复期限" in page.text
    assert "年" in page.text and "月" in page.text and "提问人：收到" in page.text  # the sender is never named

    first, second = clerk.get(f"{case}/accept"), clerk.get(f"{case}/accept")
    seen = first.text.split('name="seen" value="', 1)[1].split('"', 1)[0]
    accepted = clerk.post(f"{case}/accept", data={"csrf_token": csrf_of(first), "seen": seen})
    assert accepted.status_code == 200 and accepted.url == f"{case}?done=accept" and "已受理" in accepted.text
    before = steps_of(api, fid)
    stale = clerk.post(f"{case}/accept", data={"csrf_token": csrf_of(second), "seen": seen})
    assert stale.status_code == 409 and "该意见已由 op-a001 于" in stale.text and "请刷新" in stale.text
    assert steps_of(api, fid) == before  # nothing changed

    empty = post(clerk, f"{case}/answer", body="")
    assert empty.status_code == 400 and "请填写答复内容" in empty.text and 'aria-invalid="true"' in empty.text
    answered = post(clerk, f"{case}/answer", body=f"本周五前更新。{tag}")
    assert answered.status_code == 200 and "答复已送审核人审核" in answered.text and "答复待审" in answered.text
    not_theirs = clerk.get(f"{case}/approve-answer")
    assert not_theirs.status_code == 403 and "不由你的角色办理" in not_theirs.text

    reviewer, _ = sign_in(api, "rv-a001", DEMO_PASSWORD)
    work = reviewer.get(f"{api}/console")
    assert "待审核的答复" in work.text and f'href="/console/feedback/{fid}/approve-answer"' in work.text
    no_reason = post(reviewer, f"{case}/reject-answer", reason="")
    assert no_reason.status_code == 400 and "请填写退回原因" in no_reason.text and f"本周五前更新。{tag}" in no_reason.text
    returned = post(reviewer, f"{case}/reject-answer", reason="请写明具体日期")
    assert returned.status_code == 200 and "答复已退回" in returned.text

    again = clerk.get(f"{case}/answer")
    assert "请写明具体日期" in again.text and f"本周五前更新。{tag}</textarea>" in again.text  # the draft to revise
    post(clerk, f"{case}/answer", body=f"12月5日（星期五）前更新。{tag}")
    approve = reviewer.get(f"{case}/approve-answer")
    assert approve.status_code == 200 and f"12月5日（星期五）前更新。{tag}" in approve.text
    done = reviewer.post(f"{case}/approve-answer", data={"csrf_token": csrf_of(approve), "seen": approve.text.split(
        'name="seen" value="', 1)[1].split('"', 1)[0]})
    assert done.status_code == 200 and "答复已审核通过" in done.text and "已答复" in done.text
    tracked = requests.get(f"{api}/api/v1/feedback/{receipt['tracking_code']}").json()
    assert [a["body"] for a in tracked["answers"]] == [f"12月5日（星期五）前更新。{tag}"]
    other_unit = requests.get(case, headers=token("op-a002", "operator", "A002"))
    assert other_unit.status_code == 403 and "由单位 A001 办理，您无权查看" in other_unit.text  # whose it is, never a 404


def test_the_office_moderates_decides_extensions_and_overdue_is_red(county):
    api, urls, tag = county["api"], county["urls"], uuid.uuid4().hex[:8]
    _, held = send_feedback(api, f"有人在村口帮人办证，收费很高（{tag}）")
    _, spam = send_feedback(api, f"代开发票 办证 联系我（{tag}）")

    office, _ = sign_in(api, "office", DEMO_PASSWORD)
    queue = office.get(f"{api}/console/moderation")
    assert queue.status_code == 200 and f'href="/console/feedback/{held}/release"' in queue.text
    assert f'href="/console/feedback/{spam}/reject"' in queue.text
    assert "命中敏感词" in office.get(f"{api}/console/feedback/{held}/release").text
    no_reason = post(office, f"{api}/console/feedback/{spam}/reject", reason="")
    assert no_reason.status_code == 400 and "请填写不予受理的原因" in no_reason.text
    rejected = post(office, f"{api}/console/feedback/{spam}/reject", reason="广告信息")
    assert rejected.status_code == 200 and "已不予受理；提问人能看到原因" in rejected.text and "广告信息" in rejected.text
    released = post(office, f"{api}/console/feedback/{held}/release")
    assert released.status_code == 200 and "已放行" in released.text

    clerk, _ = sign_in(api, "op-a001", DEMO_PASSWORD)
    case = f"{api}/console/feedback/{held}"
    post(clerk, f"{case}/accept")
    too_long = post(clerk, f"{case}/extend", working_days="30", reason="需要调查")
    assert too_long.status_code == 400 and "延期最多 15 个工作日" in too_long.text
    post(clerk, f"{case}/extend", working_days="5", reason="需要到村里调查核实")
    extensions = office.get(f"{api}/console/extensions")
    assert f'href="/console/feedback/{held}/grant-extension"' in extensions.text
    grant, late = (office.get(f"{case}/grant-extension") for _ in range(2))
    assert "需要到村里调查核实" in grant.text
    seen = grant.text.split('name="seen" value="', 1)[1].split('"', 1)[0]
    granted = office.post(f"{case}/grant-extension", data={"csrf_token": csrf_of(grant), "seen": seen})
    assert granted.status_code == 200 and "已批准延期" in granted.text
    stale = office.post(f"{case}/refuse-extension", data={"csrf_token": csrf_of(late), "seen": seen, "note": "不行"})
    assert stale.status_code == 409 and "该意见已由 office 于" in stale.text and "批准延期" in stale.text
    nowhere = post(office, f"{case}/transfer", unit_code="NOPE9", reason="不归本单位")
    assert nowhere.status_code in (404, 422) and "NOPE9" in nowhere.text and 'id="e-unit_code"' in nowhere.text

    engine = sa.create_engine(urls["feedback"], poolclass=sa.pool.NullPool)
    with engine.begin() as db:
        db.execute(sa.text("UPDATE feedback SET answer_due = '2020-01-03' WHERE id = :id"), {"id": held})
    engine.dispose()
    red = clerk.get(case)
    assert '<span class="tag late">已逾期 · 答复期限 2020年1月3日</span>' in red.text
    assert f'<li id="feedback-{held}">' in clerk.get(f"{api}/console").text
