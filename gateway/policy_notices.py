"""The policy table's rows for where notifications land (gateway/policy.py takes them into
PAGES): one record's read page per kind a notice is about (gateway/pages/console/records.py;
the service that owns the record checks the unit, and its refusal names whose it is) and each
official's in-app messages and channels (gateway/pages/console/inbox.py)."""
from __future__ import annotations

from .auth import ROLES

OFFICIALS = frozenset({"member", "operator", "reviewer", "inspector", "admin"})
UNIT_AND_COUNTY = frozenset({"operator", "reviewer", "inspector", "admin"})
COUNTY = frozenset({"inspector", "admin"})
assert OFFICIALS <= set(ROLES)

NOTICE_PAGES: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/console/obligations/<id:obligation_id>"): UNIT_AND_COUNTY,
    ("GET", "/console/rectifications/<id:rectification_id>"): UNIT_AND_COUNTY,
    ("GET", "/console/reports/<id:report_id>"): COUNTY,
    ("GET", "/console/inbox"): OFFICIALS,
    ("POST", "/console/inbox/read"): OFFICIALS,
    ("GET", "/console/preferences"): OFFICIALS,
    ("POST", "/console/preferences"): OFFICIALS,
}
