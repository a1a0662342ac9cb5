"""The console tests' cluster: every service and the gateway as separate processes on SQLite,
the sample county and the demo accounts loaded, rate limits off, a 200 kB attachment limit
(so an upload over it is cheap to send), an SMTP sink for notify's mail (`mailbox`: its
messages()), deadlines checked every 2 seconds. One for the session, shared by every console
module: each test makes its own data (its own titles, feedback, accounts) and counts only that."""
from datetime import timedelta

import pytest
import requests

from tests.clusters import DEMO_ACCOUNTS, SAMPLE, running_county, services_today
from tests.conftest import wait_for
from tests.test_end_to_end import token


@pytest.fixture(scope="session")
def county(tmp_path_factory, sqlite_templates):
    with running_county(tmp_path_factory.mktemp("console"), sqlite_templates, loaders=(SAMPLE, DEMO_ACCOUNTS),
                        env={"RATE_LIMITS_ENABLED": "false", "ATTACHMENT_MAX_BYTES": "200000",
                             "DEADLINE_CHECK_SECONDS": "2", "SUPERVISION_DRAW_CHECK_SECONDS": "1"}) as running:
        yield running


# an on-event matter (随时公开) the office adds to the county's catalogue, back-dated to the year's start
OVERDUE_ENTRY = {"code": "CB-REMIND", "matter": "组织建设", "sub_matter": "党组织换届选举结果",
                 "content_elements": "选举时间、当选委员和书记名单", "basis": "《中国共产党党务公开条例（试行）》第十二条",
                 "time_limit": "上级党组织批复后5个工作日内", "audience": "party", "carriers": ["公开栏"],
                 "sectors": ["agency", "town", "village", "school", "enterprise", "hospital", "other"],
                 "frequency": "on_event", "within_days": 5}


def new_obligation(api: str, unit_code: str, note: str) -> dict:
    """A new obligation of the unit's: its operator records an event of a month ago (its five
    working days are long past, so disclosure's deadline timer will soon turn it red)."""
    office = token("office", "inspector")
    # a month ago, whatever the day: in early January that is last year, so the entry is back-dated
    # to the start of that year (its five working days are past on any day)
    event_on = services_today(api) - timedelta(days=30)
    entry = {**OVERDUE_ENTRY, "valid_from": f"{event_on.year}-01-01"}
    added = requests.post(f"{api}/api/v1/catalogue", json=entry, headers=office, timeout=10)
    assert added.status_code in (201, 409), added.text  # 409: another test added it already
    made = requests.post(f"{api}/api/v1/obligations/events", headers=token(f"op-{unit_code.lower()}", "operator", unit_code),
                         json={"unit_code": unit_code, "entry_code": OVERDUE_ENTRY["code"],
                               "event_on": event_on.isoformat(), "note": note}, timeout=10)
    assert made.status_code == 201, made.text
    return made.json()


def overdue_obligation(api: str, unit_code: str, note: str) -> dict:
    """A new obligation of the unit's, overdue (disclosure's deadline timer turned it red)."""
    office = token("office", "inspector")
    url = f"{api}/api/v1/obligations/{new_obligation(api, unit_code, note)['id']}"
    wait_for(lambda: requests.get(url, headers=office, timeout=10).json()["status"] == "overdue", timeout=30,
             message="the obligation to turn overdue")
    return requests.get(url, headers=office, timeout=10).json()
