"""Policy rows for the county office's records in the console: a submitted inspection record
corrected as a new revision (gateway/pages/console/record_corrections.py; supervision decides that
only the inspector who inspected corrects it) and its revisions, read by the office and the unit."""
from __future__ import annotations

RECORD = "/console/inspections/<id:inspection_id>/units/<code:unit_code>"


def rows(public: frozenset[str]) -> dict[tuple[str, str], frozenset[str]]:
    return {
        ("GET", RECORD + "/correct"): frozenset({"inspector"}),
        ("POST", RECORD + "/correct"): frozenset({"inspector"}),
        ("GET", RECORD + "/revisions"): frozenset({"inspector", "operator", "reviewer"}),
    }
