"""Policy rows for 公开榜, the public record: the county's and each town's, and its downloads (CSV, .xlsx);
and the progress of a unit's commitments, which its page shows."""
from __future__ import annotations


def rows(public: frozenset[str]) -> dict[tuple[str, str], frozenset[str]]:
    return {
        ("GET", "/record"): public,
        ("GET", "/towns/<code:code>/record"): public,
        ("GET", "/record.<any(csv,xlsx):form>"): public,
        # a commitment's progress (公开承诺), shown on its unit's page: the unit's officials or the office
        ("POST", "/api/v1/commitments/<id:commitment_id>/progress"): frozenset({"operator", "reviewer", "inspector"}),
    }
