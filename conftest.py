"""pytest's root: eventlet patches the standard library before anything imports it (nameko
needs it), and the clusters shared by several test modules are registered once, as plugins, so
each is started once per session (a fixture imported into two modules would be two fixtures).
The fixtures themselves are in tests/conftest.py and the modules named here."""
import os
import time
from datetime import datetime

import eventlet

eventlet.monkey_patch()

import time_machine  # noqa: E402

pytest_plugins = ["tests.gateway.pages.console_fixtures", "tests.gateway.pages.portal_fixtures",
                  "tests.gateway.api.calendar_fixtures", "tests.gateway.api.contract_fixtures"]


def pytest_sessionstart(session):
    """GONGKAI_FROZEN_AT (an ISO instant, e.g. 2027-12-31T16:30:00Z): the whole run, fixtures
    included, sees that moment as now and the clock goes on ticking from there
    (tests/test_frozen_dates.py runs the date-sensitive tests so). The offset from the real
    clock is taken once, in whole seconds, and kept in GONGKAI_CLOCK_OFFSET_SECONDS: every
    process a cluster starts runs at that same offset under libfaketime (tests/processes.py)."""
    frozen_at = os.environ.get("GONGKAI_FROZEN_AT")
    if frozen_at:
        offset = round(datetime.fromisoformat(frozen_at.replace("Z", "+00:00")).timestamp() - time.time())
        os.environ["GONGKAI_CLOCK_OFFSET_SECONDS"] = str(offset)
        session.config._frozen_clock = time_machine.travel(time.time() + offset, tick=True)
        session.config._frozen_clock.start()
