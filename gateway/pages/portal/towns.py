"""Every unit within three taps of the home page: a town's page (its units, paged in the
registry's order, and its poster sheet), an agency's page (the units under it, such as the
education bureau's schools) and the search by part of a unit's name. All from the read
model's directory (gateway/readmodel.py public_directory): one RPC per change of the registry,
none per reader (pages/portal/directory.py works it out)."""
from __future__ import annotations

from marshmallow import fields, validate
from werkzeug.wrappers import Request, Response

from ... import readmodel
from ...errors import ApiError
from ...params import Query
from ..kit import cached, page
from .directory import LONGEST_QUERY, PAGE_SIZE, SEARCH_PAGE_SIZE, Directory, paged
from .public import public_page

PAGE_ERROR = "页码应为正整数"


def PageNumber() -> fields.Integer:
    return fields.Integer(load_default=1, strict=False, error_messages={"invalid": PAGE_ERROR},
                          validate=validate.Range(1, 100000, error=PAGE_ERROR),
                          metadata={"description": "which page, from 1"})


class GroupQuery(Query):
    page = PageNumber()


class UnitSearchQuery(Query):
    q = fields.String(validate=validate.Length(0, 2000), metadata={"description": "part of a unit's name"})
    page = PageNumber()


def directory_of(service) -> Directory:
    return Directory(readmodel.public_directory(service))


def past_the_end(number: int, pages: int) -> ApiError:
    return ApiError(404, "not_found", f"没有第 {number} 页：共 {pages} 页，请从第 1 页看起。")


class PortalTowns:
    @page("GET", "/towns/<code:code>", query=GroupQuery)
    def portal_town(self, request: Request, code: str) -> Response:
        """A town (镇街): its units page by page in the registry's order, its own page and its posters."""
        number = request.params["page"]
        return public_page(self, request, ("town", code, number), lambda: self._group(request, code, number, "town"))

    @page("GET", "/agencies/<code:code>", query=GroupQuery)
    def portal_agency(self, request: Request, code: str) -> Response:
        """A county-level unit's subordinate units (the education bureau's schools, say), paged."""
        number = request.params["page"]
        return public_page(self, request, ("agency", code, number),
                           lambda: self._group(request, code, number, "agency"))

    def _group(self, request: Request, code: str, number: int, kind: str) -> Response:
        directory = directory_of(self)
        unit = directory.group(code)
        if unit is None or (kind == "town") != (unit["sector"] == "town"):
            what = "镇（街道）" if kind == "town" else "县直单位"
            raise ApiError(404, "not_found", f"没有找到代码为 {code} 的{what}，请从首页进入。")
        units = directory.below(code)
        shown = paged(units, number, PAGE_SIZE)
        if shown is None:
            raise past_the_end(number, max(1, -(-len(units) // PAGE_SIZE)))
        base = f"/{'towns' if kind == 'town' else 'agencies'}/{code}"
        return self.web.page(request, "town.html", title=unit["name"], unit=unit, kind=kind, shown=shown, base=base,
                             description=f"{unit['name']}下属{len(units)}个党组织的党务公开页面。")

    @page("GET", "/units", query=UnitSearchQuery)
    def portal_find_unit(self, request: Request) -> Response:
        """Find a unit by part of its name (or its code); a query too long is refused beside the form."""
        q = (request.params.get("q") or "").strip()
        number = request.params["page"]
        error, shown = None, None
        if len(q) > LONGEST_QUERY:
            error = f"名称最多 {LONGEST_QUERY} 个字，请只输入村（社区）、单位名称中的几个字。"
        elif q:
            found = directory_of(self).find(q)
            shown = paged(found, number, SEARCH_PAGE_SIZE)
            if shown is None:
                raise past_the_end(number, max(1, -(-len(found) // SEARCH_PAGE_SIZE)))
        response = self.web.page(request, "find_unit.html", 400 if error else 200, title="查找党组织",
                                 q=q[:LONGEST_QUERY] if error else q, error=error, shown=shown,
                                 description="按名称查找本县的党组织，进入其党务公开页面。")
        return cached(request, response, max_age=300)

