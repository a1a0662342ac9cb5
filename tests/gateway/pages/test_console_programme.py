"""The county office's model candidates and leaders' comments in the console, over HTTP as a
browser without script uses them, against separately started processes: the candidates page
states the rule and the facts (the units were registered today: none qualifies yet); a comment
on A001 recorded by the office (a missing grade and a bad period refused next to their fields,
the text kept, nothing recorded) and listed; another role refused."""
import uuid

import pytest
import requests

from tests.conftest import scalar
from tests.gateway.pages.test_console_office import office_browser
from tests.gateway.pages.test_console_signin import csrf_of
from tests.test_end_to_end import token

pytestmark = pytest.mark.api_level


def test_the_office_reads_the_candidates_and_comments_on_a_unit(county):
    api, tag = county["api"], uuid.uuid4().hex[:6]
    office = office_browser(api)
    candidates = office.get(f"{api}/console/candidates")
    assert candidates.status_code == 200 and "连续 3 个月" in candidates.text and "没有未完成的整改" in candidates.text
    db = county["urls"]["supervision"]
    before = scalar(db, "SELECT count(*) FROM comments")
    form = office.get(f"{api}/console/comments")
    text = f"公开及时，栏目规范（{tag}）"
    wrong = office.post(f"{api}/console/comments", data={"csrf_token": csrf_of(form), "unit_code": "A001",
                                                         "period": "2026-13", "text": text})
    assert wrong.status_code == 400 and "请选择评价等次" in wrong.text and 'id="e-period"' in wrong.text
    assert text in wrong.text and scalar(db, "SELECT count(*) FROM comments") == before
    made = office.post(f"{api}/console/comments", allow_redirects=False, data={
        "csrf_token": csrf_of(wrong), "unit_code": "A001", "period": "2026-07", "grade": "excellent", "text": text})
    assert made.status_code == 303 and scalar(db, "SELECT count(*) FROM comments") == before + 1
    listed = office.get(f"{api}{made.headers['Location']}")
    assert text in listed.text and "优秀" in listed.text
    assert requests.get(f"{api}/console/comments", headers=token("op-a001", "operator", "A001")).status_code == 403
