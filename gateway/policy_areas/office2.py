"""Policy rows for the 双随机 draw's standing registers and draws at a stated time: the JSON
routes (gateway/api/draws.py) and the console's pages (gateway/pages/console/draw_registers.py),
the county office's only; the portal's public record of each draw is in draw.py. Also the
catalogue and the year's plan in the console (gateway/pages/console/catalogue.py, plans.py)."""
from __future__ import annotations

OFFICE = frozenset({"inspector"})
REGISTER = "/api/v1/draw-registers/<any(inspectors,units):register>"
REGISTER_PAGE = "/console/draw-registers/<any(inspectors,units):register>"
CATALOGUE_ACTION = "/console/catalogue/<code:code>/<any(revise,retire):action>"
PLAN_ACTION = "/console/plans/<id:plan_id>/<any(consult,approve,activate,close):action>"


def rows(public: frozenset[str]) -> dict[tuple[str, str], frozenset[str]]:
    return {
        ("GET", "/api/v1/draw-registers"): OFFICE,
        ("POST", REGISTER): OFFICE,
        ("POST", REGISTER + "/<id:entry_id>/end"): OFFICE,
        ("POST", "/api/v1/draws"): OFFICE,
        ("GET", "/console/draw-registers"): OFFICE,
        ("POST", REGISTER_PAGE): OFFICE,
        ("GET", REGISTER_PAGE + "/<id:entry_id>/end"): OFFICE,
        ("POST", REGISTER_PAGE + "/<id:entry_id>/end"): OFFICE,
        ("GET", "/console/draws/new"): OFFICE,
        ("POST", "/console/draws"): OFFICE,
        # the catalogue and the year's plan (gateway/pages/console/catalogue.py, plans.py)
        ("GET", "/console/catalogue"): OFFICE,
        ("GET", "/console/catalogue/new"): OFFICE,
        ("POST", "/console/catalogue"): OFFICE,
        ("GET", "/console/catalogue/<code:code>"): OFFICE,
        ("GET", CATALOGUE_ACTION): OFFICE,
        ("POST", CATALOGUE_ACTION): OFFICE,
        ("GET", "/console/plans"): OFFICE,
        ("GET", "/console/plans/new"): OFFICE,
        ("POST", "/console/plans"): OFFICE,
        ("GET", "/console/plans/<id:plan_id>"): OFFICE,
        ("GET", "/console/plans/<id:plan_id>/edit"): OFFICE,
        ("POST", "/console/plans/<id:plan_id>/edit"): OFFICE,
        ("GET", PLAN_ACTION): OFFICE,
        ("POST", PLAN_ACTION): OFFICE,
    }
