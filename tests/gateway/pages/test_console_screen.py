"""The 大屏 shows the dashboard's four newer figures (the trend by month, feedback answered on
time, rectifications open, the towns' ranking) under the on-time rate, as tables legible from
across the room, refreshing itself every minute; the county office's only."""
import pytest
import requests

from tests.gateway.pages.test_console_office import OFFICE
from tests.test_end_to_end import token

pytestmark = pytest.mark.api_level


def test_the_screen_shows_the_four_newer_figures(county):
    api = county["api"]
    screen = requests.get(f"{api}/console/screen", headers=OFFICE)
    assert screen.status_code == 200 and screen.headers["Refresh"] == "60"
    for kind in ("month", "feedback", "rectifications", "ranking"):
        assert f'id="screen-{kind}"' in screen.text
    assert screen.text.count("<table") == 5 and "暂时不能显示" not in screen.text
    assert requests.get(f"{api}/console/screen", headers=token("op-a001", "operator", "A001")).status_code == 403
