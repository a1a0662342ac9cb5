"""一事一码: an item's own printable A4 notice (公告) with its QR code, for a unit's officials to
put on the notice board beside the item. The code opens the item's page with a scan marker,
so the scan is counted (anonymously, per item and day: pages/portal/public.py portal_item) and
the county office sees how each unit's disclosures are read (pages/console/scans.py)."""
from __future__ import annotations

import base64

from werkzeug.wrappers import Request, Response

from ... import readmodel
from ...errors import ApiError
from ..kit import cached, page
from .posters import qr_svg
from .public import portal_actor

EXCERPT = 300  # characters of the body on the notice; the rest is a scan away


def scan_url(base_url: str, item_id: int) -> str:
    return f"{base_url}/items/{item_id}?scan=1"


class PortalNotices:
    @page("GET", "/items/<id:item_id>/notice")
    def item_notice(self, request: Request, item_id: int) -> Response:
        """The item's A4 notice: title, unit, date, the start of its text and its QR code."""
        found = self.disclosure.item_portal(portal_actor(request), item_id)
        if "withdrawn" in found:
            raise ApiError(410, "gone", "该事项已撤回，不再提供二维码公告。")
        item = found["item"]
        if item.get("current_id"):
            raise ApiError(410, "gone", f"该事项已更正，请打印现行版本（编号 {item['current_id']}）的公告。")
        unit = readmodel.public_unit(self, item["unit_code"])
        url = scan_url(self.web.site["base_url"], item_id)
        qr = "data:image/svg+xml;base64," + base64.b64encode(qr_svg(url)).decode("ascii")
        body = item.get("body") or ""
        excerpt = body if len(body) <= EXCERPT else body[:EXCERPT].rstrip() + "……"
        return cached(request, self.web.page(request, "item_notice.html", title=f"{item['title']}（二维码公告）",
                                             item=item, unit=unit, qr=qr, url=url, excerpt=excerpt))
