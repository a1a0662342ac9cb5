"""Readers report a public answer as abusive from the unit page (a link, a confirmation page,
its form: no script); after three readers it is hidden until the county office reviews it on
its console page and shows it again. A report of an answer that is not public is a Chinese 404
page and counts nothing."""
import uuid

import pytest
import requests

from tests.conftest import wait_for
from tests.gateway.pages.portal_fixtures import csrf_of
from tests.test_end_to_end import token
from tests.gateway.pages.test_portal_tracking import answer

pytestmark = pytest.mark.api_level


def sent(api, text, public):
    body = {"target_kind": "unit", "target_id": "A001", "kind": "question", "content": text, "public": public}
    wait_for(lambda: requests.post(f"{api}/api/v1/feedback", json=body).status_code == 201, timeout=20,
             message="the feedback service knowing the unit")
    found = requests.get(f"{api}/api/v1/feedback", params={"q": text}, headers=token("office", "inspector")).json()
    return found["items"][0]["id"]


def report(api, feedback_id, reader=None):
    headers = token(reader, "member", "A001") if reader else {}
    confirm = requests.get(f"{api}/answers/{feedback_id}/report", params={"back": "/units/A001"}, headers=headers)
    assert confirm.status_code == 200 and "确认举报" in confirm.text, confirm.text[:500]
    return requests.post(f"{api}/answers/{feedback_id}/report", headers=headers,
                         data={"csrf_token": csrf_of(confirm.text), "back": "/units/A001"})


def test_readers_report_a_public_answer_and_the_office_shows_it_again(county):
    api, tag = county["api"], uuid.uuid4().hex[:6]
    public_id, private_id = sent(api, f"公开的问题（{tag}）", True), sent(api, f"不公开的问题（{tag}）", False)
    for feedback_id in (public_id, private_id):
        answer(api, feedback_id, f"答复（{tag}）")
    unit_page = requests.get(f"{api}/units/A001")
    assert unit_page.status_code == 200 and f'href="/answers/{public_id}/report?back=' in unit_page.text
    assert f"/answers/{private_id}/report" not in unit_page.text

    refused = report(api, private_id)
    assert refused.status_code == 404 and "没有这条公开答复" in refused.text
    for n, reader in enumerate(("reader-1", "reader-2", "reader-3"), 1):
        done = report(api, public_id, f"{reader}-{tag}")
        assert done.status_code == 200 and "已收到您的举报" in done.text
        assert ("已暂时隐藏" in done.text) == (n == 3)
    member = token(f"member-{tag}", "member", "A001")  # a signed-in reader's page is built afresh, not read-model cached
    assert f'id="answer-{public_id}"' not in requests.get(f"{api}/units/A001", headers=member).text  # hidden meanwhile

    office = token("office", "inspector")
    queue = requests.get(f"{api}/console/reported-answers", headers=office)
    assert queue.status_code == 200 and f'id="feedback-{public_id}"' in queue.text and "已隐藏" in queue.text
    assert f'id="feedback-{private_id}"' not in queue.text  # nothing counted for it
    kept = requests.post(f"{api}/console/reported-answers/{public_id}/keep", headers=office, allow_redirects=False,
                         data={"csrf_token": csrf_of(queue.text)})
    assert kept.status_code == 303 and kept.headers["Location"] == "/console/reported-answers?done=keep"
    assert "已恢复显示" in requests.get(f"{api}{kept.headers['Location']}", headers=office).text
    assert f'id="answer-{public_id}"' in requests.get(f"{api}/units/A001", headers=member).text
    assert requests.get(f"{api}/console/reported-answers", headers=token("op-a001", "operator", "A001")).status_code == 403
