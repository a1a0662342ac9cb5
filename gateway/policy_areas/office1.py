"""Policy rows for the county office's records in the console: a submitted inspection record
corrected as a new revision (gateway/pages/console/record_corrections.py; supervision decides that
only the inspector who inspected corrects it) and its revisions, read by the office and the unit;
the reports drafted, edited and issued by the office (gateway/pages/console/report_pages.py) and,
once issued and published, read by anyone on the portal (gateway/pages/portal/bulletins.py);
a unit's commitments with their milestones, recorded and reported by the unit, read by the office
(gateway/pages/console/commitments.py); the model candidates and leaders' comments, the office's
(gateway/pages/console/programme_pages.py); the year's checklist, edited by the office before the
year starts (gateway/pages/console/checklist_pages.py)."""
from __future__ import annotations

RECORD = "/console/inspections/<id:inspection_id>/units/<code:unit_code>"
REPORT_ACTION = "/console/reports/<id:report_id>/<any(edit,issue):action>"
OFFICE = frozenset({"inspector"})
MILESTONE = "/console/commitments/<id:commitment_id>/milestones/<id:number>"
UNIT_STAFF = frozenset({"operator", "reviewer"})


def rows(public: frozenset[str]) -> dict[tuple[str, str], frozenset[str]]:
    return {
        ("GET", RECORD + "/correct"): OFFICE,
        ("POST", RECORD + "/correct"): OFFICE,
        ("GET", RECORD + "/revisions"): frozenset({"inspector", "operator", "reviewer"}),
        ("GET", "/console/reports"): OFFICE,
        ("POST", "/console/reports"): OFFICE,
        ("GET", REPORT_ACTION): OFFICE,
        ("POST", REPORT_ACTION): OFFICE,
        ("GET", "/console/commitments"): UNIT_STAFF | OFFICE,
        ("POST", "/console/commitments"): UNIT_STAFF,
        ("GET", MILESTONE): UNIT_STAFF,
        ("POST", MILESTONE): UNIT_STAFF,
        ("GET", "/console/candidates"): OFFICE,
        ("GET", "/console/comments"): OFFICE,
        ("POST", "/console/comments"): OFFICE,
        ("GET", "/console/checklist"): OFFICE,
        ("POST", "/console/checklist"): OFFICE,
        ("GET", "/reports"): public,
        ("GET", "/reports/<id:report_id>"): public,
    }
