"""The year's checklist in the console over HTTP, as a browser without script uses it, against
separately started processes: a year not yet begun (2090) edited by the office and published as a new version (a
weight that breaks the sum of 100 refused next to its field, nothing published), a form the
checklist outran refused in words; a year begun (2025) shown without a form; another role refused."""
import re

import pytest
import requests

from tests.gateway.pages.test_console_office import office_browser
from tests.gateway.pages.test_console_signin import csrf_of
from tests.test_end_to_end import token

pytestmark = pytest.mark.api_level


def test_the_office_edits_next_years_checklist_before_it_starts(county):
    api = county["api"]
    year = 2090  # a year not yet started, written down (the page's default, next year, follows the clock)
    office = office_browser(api)
    page = office.get(f"{api}/console/checklist", params={"year": year})
    assert page.status_code == 200 and f"{year} 年考核细则" in page.text and "发布新版本" in page.text
    version = int(page.text.split('name="version" value="')[1].split('"')[0])
    fields = dict(re_fields(page.text))
    stale = dict(fields)
    bad = office.post(f"{api}/console/checklist?year={year}",
                      data={**fields, "csrf_token": csrf_of(page), "weight-content": "99"})
    assert bad.status_code == 400 and "权重合计须为 100" in bad.text
    assert requests.get(f"{api}/api/v1/checklists", params={"year": year}).json()["version"] == version
    done = office.post(f"{api}/console/checklist?year={year}", allow_redirects=False,
                       data={**fields, "csrf_token": csrf_of(bad), "threshold": "65"})
    assert done.status_code == 303
    after = office.get(f"{api}{done.headers['Location']}")
    assert f"现行第 {version + 1} 版" in after.text and f"第 {version} 版" in after.text
    outran = office.post(f"{api}/console/checklist?year={year}", data={**stale, "csrf_token": csrf_of(after),
                                                                        "threshold": "70"})
    assert outran.status_code == 409 and f"已有第 {version + 1} 版" in outran.text
    this_year = office.get(f"{api}/console/checklist", params={"year": 2025})  # a year already begun
    assert "已经开始" in this_year.text and "发布新版本" not in this_year.text
    assert requests.get(f"{api}/console/checklist", headers=token("op-a001", "operator", "A001")).status_code == 403


def re_fields(text):
    """The form's fields as the page fills them: inputs' values and textareas' text."""
    inputs = re.findall(r'<input [^>]*?name="((?:weight|max)-[a-z_]+|threshold|model_score|version)"[^>]*? value="([^"]*)"',
                        text)
    areas = re.findall(r'<textarea [^>]*?name="(text-[a-z_]+)"[^>]*>([^<]*)</textarea>', text)
    return inputs + areas
