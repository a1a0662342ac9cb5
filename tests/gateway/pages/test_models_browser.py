"""Models (典型) in the browser (tests/gateway/pages/models_browser.py) against the console tests'
cluster: one unit made a candidate (full marks in the first of the three months supervision
weighs), two others already models whose last month fell below the threshold; the office nominates
and designates the first, keeps the second with a reason and revokes the third from 典型复核, with
axe on every page at 390 and 1280 px. The months come from the candidates' answer, not from today."""
import pytest
import requests

from services.units.demo_accounts import DEMO_PASSWORD
from tests.conftest import wait_for
from tests.gateway.pages.portal_browser import walk_in_browser
from tests.gateway.pages.test_console_models import OFFICE, candidates, designation_of, inspect

pytestmark = pytest.mark.api_level
CANDIDATE, FALLEN, KEPT = "T05V008", "T05V009", "T05V010"  # villages no other console test touches


def test_models_nominated_designated_and_reviewed_in_the_browser(county, tmp_path):
    api = county["api"]
    periods = candidates(api)["periods"]
    for unit in (CANDIDATE, FALLEN, KEPT):
        inspect(api, periods[-1], 1.0, unit)
    wait_for(lambda: {CANDIDATE, FALLEN, KEPT} <= {c["unit_code"] for c in candidates(api)["items"]}, timeout=30,
             message="the three units to become candidates")
    made = {}
    for unit in (FALLEN, KEPT):
        nominated = requests.post(f"{api}/api/v1/candidates/{unit}/nominate", headers=OFFICE,
                                  json={"reason": "连续三个月满分"})
        assert nominated.status_code == 201, nominated.text
        made[unit] = nominated.json()["id"]
        assert requests.post(f"{api}/api/v1/designations/{made[unit]}/designate", headers=OFFICE,
                             json={"term_years": 3}).status_code == 200
        inspect(api, periods[0], 0.3, unit)

    spec = {"password": DEMO_PASSWORD, "candidate": CANDIDATE, "fallen": made[FALLEN], "kept": made[KEPT], "kept_unit": KEPT,
            "reason": "公开栏规范，群众满意", "keep_reason": "当月逾期一项已补正，保留认定",
            "revoke_reason": "上月考核得分低于通报线"}
    seen = walk_in_browser("models_browser", api, spec, tmp_path)

    assert "请写明提名理由" in seen["nominate_refused"]
    assert seen["nominated"].startswith("已提名") and seen["designated"].startswith("已认定")
    assert FALLEN in seen["review"] and KEPT in seen["review"] and f"{periods[0]} 得分" in seen["review"]
    assert "请写明保留理由" in seen["keep_refused"] and seen["kept"].startswith("已保留认定")
    assert f"{periods[0]} 得分低于通报线，复核后保留" in seen["kept_record"]
    assert KEPT not in seen["review_after_keep"] and FALLEN in seen["review_after_keep"]
    kept = designation_of(api, KEPT)
    assert kept["status"] == "designated"
    assert [(r["period"], r["decision"], r["reason"]) for r in kept["reviews"]] == \
        [(periods[0], "keep", "当月逾期一项已补正，保留认定")]
    assert seen["revoked"].startswith("已撤销认定")
    assert designation_of(api, CANDIDATE)["status"] == "designated"
    assert designation_of(api, FALLEN)["status"] == "revoked"
    assert {page: found for page, found in seen["axe"].items() if found} == {}
    assert len(seen["axe"]) == 12
    assert {page: w for page, w in seen["widths"].items() if w["390"] > 390 or w["1280"] > 1280} == {}
