"""The policy table's rows for where notifications land (gateway/policy.py takes them into
PAGES): one record's read page per kind a notice is about (gateway/pages/console/records.py;
the service that owns the record checks the unit, and its refusal names whose it is) and each
official's in-app messages and channels (gateway/pages/console/inbox.py); what a feedback's sender
does on the tracking page with the PIN (gateway/pages/portal/tracking.py); readers' reports of
public answers and the county office's review of them (portal/reports.py, console/reported.py)."""
from __future__ import annotations

from .auth import ROLES

OFFICIALS = frozenset({"member", "operator", "reviewer", "inspector", "admin"})
UNIT_AND_COUNTY = frozenset({"operator", "reviewer", "inspector", "admin"})
COUNTY = frozenset({"inspector", "admin"})
assert OFFICIALS <= set(ROLES)

OFFICE = frozenset({"inspector"})


def notice_pages(public: frozenset[str]) -> dict[tuple[str, str], frozenset[str]]:
    """The rows; `public` is the policy's anyone-at-all (signed in or not)."""
    return {
        ("POST", "/track/<tracking:tracking_code>/<any(rate,reopen):action>"): public,  # with the PIN
        ("GET", "/answers/<id:feedback_id>/report"): public,
        ("POST", "/answers/<id:feedback_id>/report"): public,
        ("GET", "/console/reported-answers"): OFFICE,
        ("POST", "/console/reported-answers/<id:feedback_id>/<any(keep,hide):decision>"): OFFICE,
        ("GET", "/console/obligations/<id:obligation_id>"): UNIT_AND_COUNTY,
        ("GET", "/console/rectifications/<id:rectification_id>"): UNIT_AND_COUNTY,
        ("GET", "/console/reports/<id:report_id>"): COUNTY,
        ("GET", "/console/inbox"): OFFICIALS,
        ("POST", "/console/inbox/read"): OFFICIALS,
        ("GET", "/console/preferences"): OFFICIALS,
        ("POST", "/console/preferences"): OFFICIALS,
    }
