"""Policy rows for units learning from each other: the county office's 范例 marks and guidance
notes (分类指导), as JSON routes (gateway/api/learning.py) and console pages
(gateway/pages/console/learning.py). The examples and notes an operator sees beside the item
editor come with the editor's own page; the portal's models page (/models) is in portal.py."""
from __future__ import annotations

OFFICE = frozenset({"inspector"})
EXAMPLE_END = "/console/examples/<id:mark_id>/end"
GUIDANCE_ACTION = "/console/guidance/<id:note_id>/<any(revise,retire):action>"


def rows(public: frozenset[str]) -> dict[tuple[str, str], frozenset[str]]:
    return {
        ("GET", "/api/v1/examples"): OFFICE,
        ("POST", "/api/v1/examples"): OFFICE,
        ("POST", "/api/v1/examples/<id:mark_id>/end"): OFFICE,
        ("GET", "/api/v1/guidance"): OFFICE,
        ("POST", "/api/v1/guidance"): OFFICE,
        ("GET", "/api/v1/guidance/<id:note_id>"): OFFICE,
        ("PATCH", "/api/v1/guidance/<id:note_id>"): OFFICE,
        ("POST", "/api/v1/guidance/<id:note_id>/retire"): OFFICE,
        ("GET", "/console/examples"): OFFICE,
        ("POST", "/console/examples"): OFFICE,
        ("GET", EXAMPLE_END): OFFICE,
        ("POST", EXAMPLE_END): OFFICE,
        ("GET", "/console/guidance"): OFFICE,
        ("GET", "/console/guidance/new"): OFFICE,
        ("POST", "/console/guidance"): OFFICE,
        ("GET", GUIDANCE_ACTION): OFFICE,
        ("POST", GUIDANCE_ACTION): OFFICE,
    }
