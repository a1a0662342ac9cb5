"""Policy rows for models (典型) in the console (gateway/pages/console/designation_pages.py): the
county office nominates a candidate, designates a nomination for a term, revokes one, and reviews
the models whose latest score fell below the threshold. Units' designation rules hold the same
(the API's /api/v1/designations routes are the office's too)."""
from __future__ import annotations

OFFICE = frozenset({"inspector"})
NOMINATE = "/console/candidates/<code:unit_code>/nominate"
DESIGNATION_ACTION = "/console/designations/<id:designation_id>/<any(designate,revoke):action>"


def rows(public: frozenset[str]) -> dict[tuple[str, str], frozenset[str]]:
    return {
        ("GET", NOMINATE): OFFICE,
        ("POST", NOMINATE): OFFICE,
        ("GET", "/console/designations"): OFFICE,
        ("GET", DESIGNATION_ACTION): OFFICE,
        ("POST", DESIGNATION_ACTION): OFFICE,
        ("GET", "/console/models/review"): OFFICE,
    }
