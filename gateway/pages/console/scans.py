"""知晓率: how the public reads each unit's disclosures, from the scans of the items' own QR
codes (counted per item and day, once per reader and day, nothing about the readers:
services/disclosure/scans.py), and apart the suspicious scans past an item's ceiling for a day.
The county office picks a period (the last 30 days by default) and sees, per unit, its items
in force, how many of them were scanned, the share (知晓率) and the scans."""
from __future__ import annotations

from datetime import timedelta

from werkzeug.wrappers import Request, Response

from services.common.workdays import county_today

from ... import readmodel
from ...params import Day, Query
from ..kit.pages import page, uncached

DEFAULT_DAYS = 30


class ScansQuery(Query):
    since = Day("the first day counted")
    until = Day("the last day counted")


class ConsoleScans:
    """Mixed into GatewayService; needs `disclosure`, `reads` and `web`."""

    @page("GET", "/console/scans", query=ScansQuery)
    def console_scans(self, request: Request) -> Response:
        until = request.params.get("until") or county_today()
        since = request.params.get("since") or until - timedelta(days=DEFAULT_DAYS - 1)
        counts = self.disclosure.item_scan_counts(request.actor, since.isoformat(), until.isoformat())
        names = {u["code"]: u["name"] for u in readmodel.public_directory(self)}
        return self.renew_session(request, uncached(self.web.page(
            request, "console/scans.html", title="扫码阅读统计（知晓率）", counts=counts, names=names,
            since=since, until=until)))
