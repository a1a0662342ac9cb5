"""The portal's full-text search (/search): what is disclosed, in Chinese, over titles, bodies
and attachments' text, ranked or newest first, narrowed by town, unit, year and catalogue
matter (公开事项: a select of the matters in force, grouped by their first-level matter), 20 a
page with the matched words marked. The disclosure service searches (search_items: the audience rule
decides what the reader may find); the gateway adds the units' names from its read model and
keeps the public's answer like any public page (public_page)."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from werkzeug.wrappers import Request, Response

from services.common.shapes.disclosure import SEARCH_LONGEST_QUERY, SEARCH_TOO_LONG
from services.common.workdays import county_today

from ... import params, readmodel
from ...errors import ApiError
from ...queries import CatalogueList, SearchQuery, search_request
from ..kit import page
from .directory import Directory
from .public import portal_actor, public_page

YEARS_SHOWN = 6


def matter_groups(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The catalogue's entries as the select shows them: [{matter, entries}], one group per
    first-level matter (一级事项), in the order of their codes."""
    groups: dict[str, dict[str, Any]] = {}
    for entry in entries:
        groups.setdefault(entry["matter"], {"matter": entry["matter"], "entries": []})["entries"].append(entry)
    return list(groups.values())


def check_filters(directory: Directory, filters: dict[str, Any], matters: list[dict[str, Any]]) -> None:
    """An unknown town, unit or matter (not among the catalogue's in force) is a clear 404, not
    an empty answer that hides the typo."""
    town = directory.group(filters["town"]) if "town" in filters else None
    if "town" in filters and (town is None or town["sector"] != "town"):
        raise ApiError(404, "not_found", f"没有找到代码为 {filters['town']} 的镇（街道），请从搜索页重新选择。")
    if "unit" in filters and directory.group(filters["unit"]) is None:
        raise ApiError(404, "not_found", f"没有找到代码为 {filters['unit']} 的党组织，请核对链接。")
    matter = filters.get("matter")
    if matter is not None and all(entry["code"] != matter for entry in matters):
        raise ApiError(404, "not_found", f"没有找到代码为 {matter} 的公开事项，请从搜索页重新选择。")


def past_the_end(number: int) -> ApiError:
    return ApiError(404, "not_found", f"没有第 {number} 页的搜索结果，请从第 1 页看起。")


class PortalSearch:
    @page("GET", "/search", query=SearchQuery)
    def portal_search(self, request: Request) -> Response:
        """Search what is disclosed: a form, and with `q` a page of results, each with its unit,
        date and the matched words marked in a snippet; a query too long is refused beside the form."""
        q, filters = search_request(request.params)
        number = request.params["page"]
        return public_page(self, request, ("search", q, tuple(sorted(filters.items())), number),
                           lambda: self._search(request, q, filters, number))

    def _search(self, request: Request, q: str, filters: dict[str, Any], number: int) -> Response:
        directory = Directory(readmodel.public_directory(self))
        matters = readmodel.public_catalogue(self, params.load_query(CatalogueList(), {}))["items"]
        check_filters(directory, filters, matters)
        error, answer = None, None
        if len(q) > SEARCH_LONGEST_QUERY:
            error = SEARCH_TOO_LONG
        elif q:
            answer = self.disclosure.search_items(portal_actor(request), {"q": q, **filters, "page": number})
            if number > 1 and not answer["items"]:
                raise past_the_end(number)
        kept = {"q": q, **filters}
        links = {"next": f"/search?{urlencode({**kept, 'page': number + 1})}",
                 "previous": f"/search?{urlencode({**kept, 'page': number - 1})}"}
        year = county_today().year
        return self.web.page(request, "search.html", 400 if error else 200, title=f"搜索：{q}" if q else "搜索公开内容",
                             q=q[:SEARCH_LONGEST_QUERY] if error else q, filters=filters, error=error, answer=answer,
                             names={code: u["name"] for code, u in directory.by_code.items()}, links=links,
                             towns=[t for t, _ in directory.sections()["towns"]], matters=matter_groups(matters),
                             longest=SEARCH_LONGEST_QUERY,
                             years=list(range(year, year - YEARS_SHOWN, -1)),
                             description="搜索本县各党组织公开的党务事项，包括正文和附件内容。")
