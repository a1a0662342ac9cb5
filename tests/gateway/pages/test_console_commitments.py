"""A unit's public commitment in the console over HTTP, as a browser without script uses it, against
separately started processes: A001's operator records one with milestones (a milestone outside
the year refused next to its field, the text kept, nothing recorded), reports a milestone done
through its confirmation page (once: a second report is refused with who reported it when); the
county office reads the unit's commitments and is offered no report button. The commitment is
for a year gone by (2025), so its milestones can be reported done on a written day, any day
the test runs."""
import uuid

import pytest

from services.units.demo_accounts import DEMO_PASSWORD
from tests.conftest import scalar
from tests.gateway.pages.test_console_office import office_browser
from tests.gateway.pages.test_console_signin import csrf_of, sign_in

pytestmark = pytest.mark.api_level
YEAR = 2025  # a past year: a milestone is done on a day of its year and not after today


def test_a_unit_records_a_commitment_with_milestones_and_reports_its_progress(county):
    api, tag = county["api"], uuid.uuid4().hex[:6]
    year = YEAR
    operator, answer = sign_in(api, "op-a001", DEMO_PASSWORD)
    assert answer.status_code == 303
    db = county["urls"]["supervision"]

    def count():
        return scalar(db, "SELECT count(*) FROM commitments WHERE unit_code = 'A001'")

    before = count()
    page = operator.get(f"{api}/console/commitments")
    assert page.status_code == 200 and "录入公开承诺" in page.text
    text = f"每月5日前在公开栏公开党费收缴情况（{tag}）"
    form = {"text": text, "due_on": f"{year}-12-31", "m1-title": "制定公开清单", "m1-due_on": f"{year}-01-31",
            "m2-title": "年底全面自查", "m2-due_on": f"{year + 1}-01-15"}
    outside = operator.post(f"{api}/console/commitments?year={year}", data={**form, "csrf_token": csrf_of(page)})
    assert outside.status_code == 400 and f"里程碑的日期须在承诺的 {year} 年内" in outside.text
    assert 'id="e-m2-due_on"' in outside.text and text in outside.text and count() == before
    made = operator.post(f"{api}/console/commitments?year={year}", allow_redirects=False,
                         data={**form, "m2-due_on": f"{year}-12-15", "csrf_token": csrf_of(outside)})
    assert made.status_code == 303 and count() == before + 1
    listed = operator.get(f"{api}{made.headers['Location']}")
    assert text in listed.text and "里程碑完成 0 / 2" in listed.text
    commitment_id = scalar(db, "SELECT max(id) FROM commitments WHERE unit_code = 'A001'")
    report = f"/console/commitments/{commitment_id}/milestones/1"
    assert f'href="{report}"' in listed.text
    confirm = operator.get(f"{api}{report}")
    again = operator.get(f"{api}{report}")
    assert confirm.status_code == 200 and "确认已完成" in confirm.text
    done = operator.post(f"{api}{report}", data={"csrf_token": csrf_of(confirm), "done_on": f"{YEAR}-06-30",
                                                 "note": f"清单已张贴（{tag}）"}, allow_redirects=False)
    assert done.status_code == 303
    after = operator.get(f"{api}{done.headers['Location']}")
    assert "里程碑完成 1 / 2" in after.text and f"清单已张贴（{tag}）" in after.text
    twice = operator.post(f"{api}{report}", data={"csrf_token": csrf_of(again), "done_on": f"{YEAR}-07-01"})
    assert twice.status_code == 409 and "由 op-a001 填报完成" in twice.text

    office = office_browser(api)
    read = office.get(f"{api}/console/commitments", params={"unit": "A001", "year": year})
    assert read.status_code == 200 and text in read.text and f'href="{report}"' not in read.text
    assert "录入公开承诺" not in read.text
    refused = office.get(f"{api}/console/commitments/{commitment_id}/milestones/2")
    assert refused.status_code == 403
