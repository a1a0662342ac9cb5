"""The date-sensitive rule tests again under a frozen clock, at the instants where dates go
wrong: a year's first working day, inside the Spring Festival, 00:30 Beijing time on 1 January
(still 31 December in UTC) and 29 February. Each instant is a pytest run of its own (the
modules read today at import, so the clock must be set before they load), on SQLite, the four
side by side. The cluster tests are not among them (every process would need the clock):
they build their dates relative to today, and were checked so under libfaketime."""
from __future__ import annotations

import os
import subprocess
import sys

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
MODULES = ["tests/common/test_workdays.py", "tests/disclosure/test_disclosure_catalogue.py", "tests/disclosure/test_disclosure_plans.py",
           "tests/supervision/test_supervision_rules.py", "tests/supervision/test_supervision_programme.py", "tests/feedback/test_feedback_loop.py",
           "tests/disclosure/test_disclosure_archive.py"]

pytestmark = pytest.mark.skipif(bool(os.environ.get("GONGKAI_FROZEN_AT")), reason="already under a frozen clock")


@pytest.fixture(scope="module")
def runs():
    """All four runs at once, each in its own process; their outcome by instant."""
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    started = {name: subprocess.Popen(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", *MODULES], cwd=ROOT,
        env={**env, "GONGKAI_FROZEN_AT": at}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for name, at in INSTANTS.items()}
    return {name: (proc.wait(timeout=600), proc.stdout.read()) for name, proc in started.items()}


@pytest.mark.parametrize("instant", INSTANTS)
def test_the_date_sensitive_rules_pass_at(runs, instant):
    code, output = runs[instant]
    assert code == 0, f"at {INSTANTS[instant]}:\n{output[-6000:]}"
