"""One cluster for the calendar's three modules (tests/gateway/api/test_calendar_api.py,
test_calendar_passed_api.py and test_calendar_moves_api.py), for the session: every service its own process on SQLite, the
sample county and the demo accounts loaded, rate limits off. They enter different years (this
one for the deadlines already passed; next year, the year after and 2090 for the rest), so
none sees another's versions; the moves module enters 2091."""
import pytest

from tests.clusters import DEMO_ACCOUNTS, SAMPLE, running_county


@pytest.fixture(scope="session")
def calendar_county(tmp_path_factory, sqlite_templates):
    with running_county(tmp_path_factory.mktemp("calendar"), sqlite_templates, loaders=(SAMPLE, DEMO_ACCOUNTS),
                        env={"RATE_LIMITS_ENABLED": "false"}) as running:
        yield running
