"""Each official's own quiet hours and digest choice, on the console's settings page and over the
API, on a running county: chosen on the page (no script), shown back, refused in Chinese next to
the form when not a time range (nothing saved), and returned to the county's default."""
import pytest
import requests

from tests.gateway.pages.portal_fixtures import csrf_of
from tests.test_end_to_end import token

pytestmark = pytest.mark.api_level
PREFS = "/api/v1/notification-preferences"


def test_an_official_sets_their_own_quiet_hours_and_digest_then_the_countys_again(county):
    api, operator = county["api"], token("op-a002", "operator", "A002")
    page = requests.get(f"{api}/console/preferences", headers=operator)
    assert page.status_code == 200 and "免打扰时段" in page.text and "按县里默认" in page.text
    saved = requests.post(f"{api}/console/preferences", headers=operator, allow_redirects=False, data={
        "csrf_token": csrf_of(page.text), "ch-inbox": "on", "ch-email": "on", "ch-sms": "on",
        "quiet": "own", "quiet_from": "21:00", "quiet_to": "08:00", "digest": "no"})
    assert saved.status_code == 303, saved.text[:800]
    mine = requests.get(f"{api}{PREFS}", headers=operator).json()
    assert (mine["quiet_hours"], mine["own_quiet_hours"], mine["digest"]) == ("21:00-08:00", "21:00-08:00", False)
    shown = requests.get(f"{api}{saved.headers['Location']}", headers=operator).text
    assert 'value="own" checked' in shown and 'value="21:00"' in shown and 'value="no" checked' in shown

    refused = requests.post(f"{api}/console/preferences", headers=operator, data={
        "csrf_token": csrf_of(shown), "ch-inbox": "on", "quiet": "own", "quiet_from": "", "quiet_to": "08:00",
        "digest": "yes"})
    assert refused.status_code == 400 and "没有保存" in refused.text and "免打扰时段" in refused.text
    assert requests.get(f"{api}{PREFS}", headers=operator).json()["own_quiet_hours"] == "21:00-08:00"

    assert requests.put(f"{api}{PREFS}", headers=operator, json={"quiet_hours": "25:00-07:00"}).status_code == 400
    back = requests.put(f"{api}{PREFS}", headers=operator, json={"quiet_hours": "default", "digest": "default"})
    assert back.status_code == 200, back.text
    assert (back.json()["own_quiet_hours"], back.json()["own_digest"]) == (None, None)
    assert back.json()["quiet_hours"] == back.json()["default_quiet_hours"]
