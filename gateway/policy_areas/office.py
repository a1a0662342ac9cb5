"""Policy rows for the county office's supervision and a unit's own standing: the rectification
loop (gateway/pages/console/rectifications.py; supervision decides whose each one is and who may
act on it now) and a unit's standing (gateway/pages/console/standing.py; the services decide whose
figures a reader sees)."""
from __future__ import annotations

UNIT_AND_COUNTY = frozenset({"operator", "reviewer", "inspector", "admin"})
RECTIFICATION_ACTION = "/console/rectifications/<id:rectification_id>/<any(submit,accept,return):action>"


def rows(public: frozenset[str]) -> dict[tuple[str, str], frozenset[str]]:
    return {
        ("GET", "/console/rectifications/<id:rectification_id>/evidence/<sha256:sha256>"): UNIT_AND_COUNTY,
        ("GET", "/console/standing"): UNIT_AND_COUNTY,
        ("GET", RECTIFICATION_ACTION): frozenset({"operator", "inspector"}),
        ("POST", RECTIFICATION_ACTION): frozenset({"operator", "inspector"}),
    }
