"""The ceilings for the gateway benchmark, on the same machine: a bare nameko HTTP endpoint
answering a fixed JSON list (no authorisation, no RPC, no database), and one that makes
the same single RPC to units as the gateway's unit read, with nothing else around it."""
import json

from nameko.rpc import RpcProxy
from nameko.web.handlers import http

ITEMS = json.dumps({"items": [{"id": i, "unit_code": "A001", "title": f"事项 {i}", "audience": "society"}
                              for i in range(10)], "next_cursor": None}, ensure_ascii=False)


class BareService:
    name = "bare"
    units = RpcProxy("units")

    @http("GET", "/items")
    def items(self, request):
        return 200, {"Content-Type": "application/json"}, ITEMS

    @http("GET", "/unit")
    def unit(self, request):
        return 200, {"Content-Type": "application/json"}, json.dumps(self.units.get_unit("A001"), ensure_ascii=False)
