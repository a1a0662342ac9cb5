"""The public record of a 双随机 draw (双随机、一公开): the commitment (SHA-256 of the seed)
made before the draw (for a draw at a stated later time, at planning: until then the page
shows the commitment and when the draw runs, never the seed), the seed revealed with the result, the algorithm's name, the units and
inspectors registers the draw used, and the result; the same as JSON for
scripts/verify_draw.py. Anyone may read both, signed in or not; no script on the page."""
from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request, Response

from ...http import json_response
from ..kit import cached, page

PUBLISHED = ("inspection_id", "status", "algorithm", "commitment", "committed_at", "draw_at", "registers_on", "problem",
             "seed", "drawn_at", "scope", "share", "count", "inspectors_per_unit", "population", "chains", "pool",
             "units", "assignments", "matches")


def published(inspection_id: int, drawn: dict[str, Any]) -> dict[str, Any]:
    """What the county publishes of a draw: everything needed to recompute it, nothing else."""
    return {key: drawn.get(key) for key in PUBLISHED} | {"inspection_id": inspection_id}


class PortalDraws:
    """Mixed into GatewayService; needs `supervision` and `web`."""

    @page("GET", "/draws/<id:inspection_id>")
    def draw_page(self, request: Request, inspection_id: int) -> Response:
        drawn = published(inspection_id, self.supervision.inspection_draw(inspection_id))
        return cached(request, self.web.page(request, "draw.html", title=f"双随机抽查第 {inspection_id} 号抽签公示",
                                             draw=drawn))

    @page("GET", "/draws/<id:inspection_id>.json")
    def draw_json(self, request: Request, inspection_id: int) -> Response:
        return cached(request, json_response(published(inspection_id, self.supervision.inspection_draw(inspection_id))))
