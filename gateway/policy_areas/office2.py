"""Policy rows for the 双随机 draw's standing registers and draws at a stated time: the JSON
routes (gateway/api/draws.py) and the console's pages (gateway/pages/console/draw_registers.py),
the county office's only; the portal's public record of each draw is in draw.py."""
from __future__ import annotations

OFFICE = frozenset({"inspector"})
REGISTER = "/api/v1/draw-registers/<any(inspectors,units):register>"
REGISTER_PAGE = "/console/draw-registers/<any(inspectors,units):register>"


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
    }
