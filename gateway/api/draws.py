"""/api/v1/draw-registers and /api/v1/draws: the 双随机 draw's standing registers (inspectors with
their own units, and the units to draw from), kept by the county office with effective dates,
and random inspections whose draw runs by itself at a stated later time (the seed's SHA-256
public at /draws/{id} at once, the seed revealed by the draw). Supervision decides."""
from __future__ import annotations

from werkzeug.wrappers import Request, Response

from services.common.shapes import draws as shapes

from ..http import api, json_body, json_response
from ..idempotency import idempotent
from ..params import Day, Flag, Query
from ..policy_areas.office2 import REGISTER


class RegistersQuery(Query):
    date = Day("the registers as they stand on this county date (today by default)")
    ended = Flag("list the entries no longer in force too")


class DrawRoutes:
    @api("GET", "/api/v1/draw-registers", query=RegistersQuery)
    def draw_registers(self, request: Request) -> Response:
        """Both registers with each entry's state (upcoming, current, ended) and actions."""
        day = request.params.get("date")
        return json_response(self.supervision.draw_registers(self.access.caller(request), day.isoformat() if day else None,
                                                             bool(request.params.get("ended"))))

    @api("POST", REGISTER, body=shapes.RegisterInspectorBody)
    @idempotent
    def add_register_entry(self, request: Request, register: str) -> Response:
        """Add an inspector ({username, unit_code}) or a unit ({unit_code}), in force from a date."""
        schema = shapes.RegisterInspectorBody() if register == "inspectors" else shapes.RegisterUnitBody()
        data = json_body(request, schema, self.access.max_body)
        return json_response(self.supervision.add_register_entry(self.access.caller(request), register, data), 201)

    @api("POST", REGISTER + "/<id:entry_id>/end", body=shapes.EndEntryBody)
    def end_register_entry(self, request: Request, register: str, entry_id: int) -> Response:
        """Take an entry out after its last day (yesterday by default: out from today)."""
        data = json_body(request, shapes.EndEntryBody(), self.access.max_body)
        return json_response(self.supervision.end_register_entry(self.access.caller(request), register, entry_id, data))

    @api("POST", "/api/v1/draws", body=shapes.ScheduledDrawBody)
    @idempotent
    def schedule_draw(self, request: Request) -> Response:
        """Plan a random inspection drawn at `draw_at` from the registers; refused when they are too small."""
        data = json_body(request, shapes.ScheduledDrawBody(), self.access.max_body)
        return json_response(self.supervision.schedule_draw(self.access.caller(request), data), 201)
