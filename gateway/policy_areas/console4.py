"""Policy rows for the models' review (典型复核) in the console (gateway/pages/console/
designation_pages.py): the county office keeps a model whose monthly score fell, with the reason
(units records the review; its rules hold the same), in the console and over the API."""
from __future__ import annotations

OFFICE = frozenset({"inspector"})
KEEP = "/console/designations/<id:designation_id>/keep"
API_KEEP = "/api/v1/designations/<id:designation_id>/keep"


def rows(public: frozenset[str]) -> dict[tuple[str, str], frozenset[str]]:
    return {
        ("GET", KEEP): OFFICE,
        ("POST", KEEP): OFFICE,
        ("POST", API_KEEP): OFFICE,
    }
