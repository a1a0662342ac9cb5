"""The policy table's rows, one module per area of the product, so that each area's pages and
routes are listed beside each other (gateway/policy.py takes them all into PAGES). Every
module has `rows(public)` returning {(method, rule): roles}; `public` is the policy's
anyone-at-all (signed in or not). A rule listed twice is a mistake and stops the gateway."""
from __future__ import annotations

from . import audit, draw, examples, models, office, office1, office2, portal, record, search, security, senders

AREAS = (audit, draw, examples, models, office, office1, office2, portal, record, search, security, senders)


def area_rows(public: frozenset[str]) -> dict[tuple[str, str], frozenset[str]]:
    rows: dict[tuple[str, str], frozenset[str]] = {}
    for area in AREAS:
        theirs = area.rows(public)
        twice = rows.keys() & theirs.keys()
        assert not twice, f"listed twice in gateway/policy_areas: {sorted(twice)}"
        rows.update(theirs)
    return rows
