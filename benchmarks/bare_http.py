"""The ceiling for the gateway benchmark: a bare nameko HTTP endpoint on the same machine,
answering a fixed JSON list with no authorisation, no RPC and no database."""
import json

from nameko.web.handlers import http

ITEMS = json.dumps({"items": [{"id": i, "unit_code": "A001", "title": f"事项 {i}", "audience": "society"}
                              for i in range(10)], "next_cursor": None}, ensure_ascii=False)


class BareService:
    name = "bare"

    @http("GET", "/items")
    def items(self, request):
        return 200, {"Content-Type": "application/json"}, ITEMS
