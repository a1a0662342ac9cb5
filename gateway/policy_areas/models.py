"""Policy rows for models (典型) in the console (gateway/pages/console/designation_pages.py): the
county office nominates a candidate, designates a nomination for a term, revokes one, reviews the
models whose latest score fell below the threshold, and keeps one with the reason (units records
the review). Units' designation rules hold the same (the API's /api/v1/designations routes are the
office's too)."""
from __future__ import annotations

OFFICE = frozenset({"inspector"})
NOMINATE = "/console/candidates/<code:unit_code>/nominate"
DESIGNATION_ACTION = "/console/designations/<id:designation_id>/<any(designate,revoke):action>"
KEEP = "/console/designations/<id:designation_id>/keep"
API_KEEP = "/api/v1/designations/<id:designation_id>/keep"


def rows(public: frozenset[str]) -> dict[tuple[str, str], frozenset[str]]:
    return {
        ("GET", NOMINATE): OFFICE,
        ("POST", NOMINATE): OFFICE,
        ("GET", "/console/designations"): OFFICE,
        ("GET", DESIGNATION_ACTION): OFFICE,
        ("POST", DESIGNATION_ACTION): OFFICE,
        ("GET", "/console/models/review"): OFFICE,
        ("GET", KEEP): OFFICE,
        ("POST", KEEP): OFFICE,
        ("POST", API_KEEP): OFFICE,
    }
