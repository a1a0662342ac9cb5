"""The ceilings for the gateway benchmark, on the same machine, in one `nameko run` process of
their own beside the system: a bare nameko HTTP endpoint answering a fixed JSON list (no
authorisation, no RPC, no database); the same endpoint making one RPC to a service that
returns a constant (the floor for a public read: one RPC hop, nothing else); and one that
makes the same single RPC to units as the gateway's unit read, with nothing else around it."""
import json

from nameko.rpc import RpcProxy, rpc
from nameko.web.handlers import http

ITEMS = json.dumps({"items": [{"id": i, "unit_code": "A001", "title": f"事项 {i}", "audience": "society"}
                              for i in range(10)], "next_cursor": None}, ensure_ascii=False)


class ConstantService:
    name = "bare_constant"

    @rpc
    def constant(self):
        return {"items": [], "next_cursor": None}


class BareService:
    name = "bare"
    units = RpcProxy("units")
    constant = RpcProxy("bare_constant")

    @http("GET", "/items")
    def items(self, request):
        return 200, {"Content-Type": "application/json"}, ITEMS

    @http("GET", "/one-rpc")
    def one_rpc(self, request):
        return 200, {"Content-Type": "application/json"}, json.dumps(self.constant.constant())

    @http("GET", "/unit")
    def unit(self, request):
        return 200, {"Content-Type": "application/json"}, json.dumps(self.units.get_unit("A001"), ensure_ascii=False)
