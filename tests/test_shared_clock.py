"""Every process of a cluster keeps the test run's clock. Under GONGKAI_FROZEN_AT (the runs of
tests/test_frozen_dates.py) the test process travels with time-machine and each service and the
gateway run under libfaketime at the same offset (tests/processes.py); without it all read the
real clock. Either way the gateway's HTTP Date, a time a service records (feedback's
received_at, written from Python in a service process and stored in SQLite), and the day a
service counts its working days from agree with the test's own now. Uses the console's cluster."""
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
import requests

from services.common.workdays import county_date, county_today
from tests.gateway.pages.test_console_feedback import send_feedback
from tests.test_end_to_end import token

pytestmark = pytest.mark.api_level

# a loaded machine answers slowly, but a clock left unshifted is off by weeks at least
SLACK = timedelta(minutes=2)


def test_the_gateway_and_the_services_keep_the_runs_clock(county):
    api = county["api"]
    before = datetime.now(UTC)
    answered = requests.get(f"{api}/healthz", timeout=30)
    assert abs(parsedate_to_datetime(answered.headers["Date"]) - before) < SLACK, answered.headers["Date"]

    _, feedback_id = send_feedback(api, f"时钟核对 {before.timestamp()}")
    case = requests.get(f"{api}/api/v1/feedback/{feedback_id}", headers=token("office", "inspector"), timeout=30).json()
    received = datetime.fromisoformat(case["received_at"])
    received = received if received.tzinfo else received.replace(tzinfo=UTC)  # SQLite keeps UTC without its zone
    assert abs(received.astimezone(UTC) - before) < SLACK, (case["received_at"], before)
    assert county_date(received) == county_today(), (case["received_at"], county_today())
