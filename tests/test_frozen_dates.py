"""The date-sensitive tests again under a clock the run sets, at the instants where dates go
wrong: a year's first working day, inside the Spring Festival, 00:30 Beijing time on 1 January
(still 31 December in UTC) and 29 February. Each instant is a pytest run of its own (the
modules read today at import, so the clock must be set before they load) with
GONGKAI_FROZEN_AT: the test process travels with time-machine and every process a cluster
starts runs under libfaketime at the same offset (conftest.py, tests/processes.py). The rule
modules and the cluster modules of an instant run in that one process, so the modules that
share the console's cluster start it once per instant. Each instant is a test of its own, so
`make test`'s groups (tests/groups.py) run them side by side with the rest."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from services.common.config import ROOT

INSTANTS = {
    "first-working-day-2027": "2027-01-04T01:00:00Z",
    "spring-festival-2027": "2027-02-08T02:00:00Z",
    "new-year-0030-beijing-2028": "2027-12-31T16:30:00Z",
    "leap-day-2028": "2028-02-29T02:00:00Z",
}
# the rule tests that take their dates from today (catalogue revisions "from today", plans, the
# inspection and its month's scores, the programme, the feedback loop, the year to seal)
RULE_MODULES = ["tests/common/test_workdays.py", "tests/disclosure/test_disclosure_catalogue.py",
                "tests/disclosure/test_disclosure_plans.py", "tests/supervision/test_supervision_rules.py",
                "tests/supervision/test_supervision_programme.py", "tests/feedback/test_feedback_loop.py",
                "tests/disclosure/test_disclosure_archive.py"]
# the cluster tests whose outcome depends on the day (docs/testing.md "Dates" says how they were
# chosen), four clusters an instant: the console's for its modules, supervision's, the feedback
# API's (its deadlines and their emails, from the day the feedback arrives) and the calendar's
# (this year, next year and the one after, shared by its three modules)
CLUSTER_MODULES = ["tests/test_shared_clock.py", "tests/gateway/pages/test_console_office.py",
                   "tests/gateway/pages/test_notify_links.py", "tests/gateway/api/test_supervision_api.py",
                   "tests/gateway/api/test_feedback_api.py", "tests/gateway/api/test_calendar_api.py",
                   "tests/gateway/api/test_calendar_passed_api.py", "tests/gateway/api/test_calendar_moves_api.py"]
MODULES = RULE_MODULES + CLUSTER_MODULES
TIMEOUT_SECONDS = 1800  # a hang guard, not a speed check: an instant starts four clusters

pytestmark = pytest.mark.skipif(bool(os.environ.get("GONGKAI_FROZEN_AT")), reason="already under a frozen clock")


def _start(at: str, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL", "GONGKAI_CLOCK_OFFSET_SECONDS")}
    with open(log, "wb") as output:  # a file, not a pipe: a run is never held up by one not read yet
        return subprocess.Popen([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", *MODULES],
                                cwd=ROOT, env={**env, "GONGKAI_FROZEN_AT": at}, stdout=output,
                                stderr=subprocess.STDOUT)


def _finish(proc: subprocess.Popen, log: Path) -> tuple[int, str]:
    try:
        code = proc.wait(timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        code = -1
    output = log.read_text(errors="replace")
    return code, output if code != -1 else f"{output}\n(no result within {TIMEOUT_SECONDS} s)"


NOTEWORTHY = re.compile(r"^(--- \S+ ---$|FAILED |ERROR |E   |.* (ERROR|CRITICAL) |.* WARNING (?!.*\(expected\)))")


def digest(output: str, limit: int = 120) -> str:
    """What a reader needs first when an instant failed: the failures, each process's name and the
    lines of its log that warn or fail (not the expected refusals), before the run's last lines
    (a CI log keeps only its tail, which was the last process's access log before)."""
    lines = [line for line in output.splitlines() if NOTEWORTHY.match(line)]
    return "\n".join(lines[-limit:])


@pytest.mark.parametrize("instant", INSTANTS)
def test_the_date_sensitive_tests_pass_at(instant, tmp_path):
    """One instant's run, a test of its own, so that `make test`'s groups share the four out."""
    log = tmp_path / f"{instant}.log"
    code, output = _finish(_start(INSTANTS[instant], log), log)
    assert code == 0, f"at {INSTANTS[instant]}:\n{output[-3000:]}\n--- what failed or warned ---\n{digest(output)}"
