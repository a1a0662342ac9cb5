"""The public portal (一村一码): the county home, a unit's page (what its QR code opens), an
item's page, the plan under consultation and the models to learn from (示范点、典型). Server-
rendered, cached with ETags; the data comes from the services over RPC as the API's routes get
it, by the same audience rule: the public sees society-scope items, a signed-in member also the
Party-scope items of their own chain, marked as such."""
from __future__ import annotations

import logging
from typing import Any

import eventlet
from marshmallow import fields, validate
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from services.common.workdays import county_today

from ... import readmodel
from ...errors import ApiError
from ...params import Query, Text
from ...reporters import scan_reader
from ...labels import DESIGNATION_KIND_NAMES, FEEDBACK_KIND_CHOICES, PORTAL_SECTOR_NAMES
from ..kit import cached, elder_of, page, uncached
from .directory import Directory

log = logging.getLogger(__name__)
LATEST = 10


class ItemPageQuery(Query):
    scan = fields.String(validate=validate.Length(1, 8), metadata={"description": "opened from the item's QR code"})


class HomeQuery(Query):
    q = Text(50, "words in a published item's title")


def reader(request: Request) -> dict[str, Any] | None:
    """The reader as the services see them for the portal (the portal rules decide the rest)."""
    return getattr(request, "actor", None)


def together(*calls: Any) -> list[Any]:
    """Run calls side by side (each a (function, args...) tuple, a client's method); the first failure is raised."""
    threads = [eventlet.spawn(call[0], *call[1:]) for call in calls]
    return [thread.wait() for thread in threads]


def public_page(service, request: Request, parts: tuple, build: Any) -> Response:
    """A page for an anonymous reader from the gateway's read model (gateway/readmodel.py): kept
    until an item, unit, answer or plan event drops it (gateway/readmodel_areas.py),
    READ_MODEL_TTL_SECONDS at most, so repeat readers cost
    no RPC; a signed-in reader's page is built afresh. `build()` returns the Response."""
    if getattr(request, "actor", None) is not None:
        return cached(request, build())
    key = readmodel.key_of("page", *parts, elder_of(request),
                           *(service.reads.generations[area] for area in readmodel.PAGE_KEYED_BY))

    def fetch() -> dict[str, Any]:
        response = build()
        return {"body": response.get_data(as_text=True), "status": response.status_code,
                "type": response.mimetype}

    answer = service.reads.read(readmodel.ITEMS, key, fetch)
    page_ = Response(answer.value["body"], status=answer.value["status"], mimetype=answer.value["type"])
    page_.set_etag(answer.etag.strip('"'))
    return cached(request, page_)


class PortalRoutes:
    def _unit(self, code: str) -> dict[str, Any]:
        return readmodel.public_unit(self, code)  # as the public directory shows it

    @page("GET", "/", query=HomeQuery)
    def portal_home(self, request: Request) -> Response:
        """The county home: search over published titles and unit names, the latest items, every
        town and county-level unit (pages/portal/towns.py lists what is under each), this year's
        plan with its milestones."""
        q = request.params.get("q")
        return public_page(self, request, ("home", q), lambda: self._home(request, q))

    def _home(self, request: Request, q: str | None) -> Response:
        latest, plans, found = together(
            (self.disclosure.list_items, portal_actor(request), {}, LATEST),
            (self.disclosure.list_plans, None),
            (self.disclosure.list_items, portal_actor(request), {"q": q}, 30) if q else (lambda: None,))
        year = county_today().year
        plan = next((p for p in plans if p.get("year") == year and p.get("status") != "draft"), None)
        directory = Directory(readmodel.public_directory(self))
        names = {code: u["name"] for code, u in directory.by_code.items()}
        return self.web.page(request, "home.html", title="首页", q=q or "", latest=latest["items"],
                             found=found["items"] if found else None, plan=plan, unit_names=names, year=year,
                             units_count=len(directory.units), **directory.sections())

    @page("GET", "/units/<code:code>")
    def portal_unit(self, request: Request, code: str) -> Response:
        """A unit's page: name, sector, parent, its disclosures by matter and period, prior
        disclosures, its record this year (with its line of 公开榜), its commitments and leaders'
        comments (pages/portal/record.py), designations and public answers."""
        return public_page(self, request, ("unit", code), lambda: self._unit_page(request, code))

    def _unit_page(self, request: Request, code: str) -> Response:
        unit = self._unit(code)
        if unit["status"] != "active":
            return self._gone(request, unit)
        programme, designations, answers, parent = together(
            (self.disclosure.unit_portal, portal_actor(request), code),
            (self.units.list_designations, code, "designated", 20, 0),
            (readmodel.public_answers, self, {"unit": code}),
            (self._unit, unit["parent_code"]) if unit.get("parent_code") else (lambda: None,))
        return self.web.page(
            request, "unit.html", title=unit["name"], unit=unit,
            description=f"{unit['name']}依规公开的党务事项、年度公开情况和群众意见建议的答复。", parent=parent, sector=PORTAL_SECTOR_NAMES.get(unit["sector"], ""),
            groups=programme["groups"], prior=programme["prior"], record=programme["record"],
            designations=designations["items"], kinds=DESIGNATION_KIND_NAMES, answers=answers["items"],
            public_record=self._unit_record(code))

    def _gone(self, request: Request, unit: dict[str, Any]) -> Response:
        """A dissolved or merged unit: 410 saying what became of it, with a link to its successor."""
        into = None
        if unit.get("merged_into"):
            try:
                into = self._unit(unit["merged_into"])
            except ApiError:
                into = None
        return self.web.page(request, "gone.html", 410, title=unit["name"], unit=unit, into=into)

    @page("GET", "/items/<id:item_id>", query=ItemPageQuery)
    def portal_item(self, request: Request, item_id: int) -> Response:
        """An item: its body and attachments, "corrected on …" with a link to the version in force,
        or a withdrawn item's notice. Opened from the item's own QR code (`?scan=1`), the scan is
        counted (disclosure's record_item_scan: a number per day, once per reader's salted key
        of the day, up to a ceiling: gateway/reporters.py scan_reader) and the reader sent on to
        the plain address, so a reload or a shared link counts nothing."""
        if request.params.get("scan"):
            try:
                self.disclosure.record_item_scan(item_id, scan_reader(self.access.secret, county_today(),
                                                                      request.client_address))
            except Exception:  # a count lost is no reason to keep the reader from the page
                log.warning("the scan of item %s could not be counted", item_id, exc_info=True)
            response = redirect(f"/items/{item_id}", 303)
            response.headers["Cache-Control"] = "no-store"
            return response
        return public_page(self, request, ("item", item_id), lambda: self._item_page(request, item_id))

    def _item_page(self, request: Request, item_id: int) -> Response:
        found = self.disclosure.item_portal(portal_actor(request), item_id)
        item = found.get("item") or found["withdrawn"]
        unit, answers = together((self._unit, item["unit_code"]),
                                 (readmodel.public_answers, self, {"item": item_id}))
        if "withdrawn" in found:
            return self.web.page(request, "withdrawn.html", 410, title=item["title"], item=item, unit=unit)
        return self.web.page(request, "item.html", title=item["title"], item=item, unit=unit, answers=answers["items"],
                             description=f"{unit['name']}公开：{item['title']}")

    @page("GET", "/plans/<id:plan_id>")
    def portal_plan(self, request: Request, plan_id: int) -> Response:
        """The year's plan with its milestones; during its consultation a comment form (with the
        reader's own CSRF token, so that page is built for each reader; the others come from the
        read model like any public page)."""
        plan = readmodel.public_plan(self, plan_id)
        if plan.get("consultation_open"):
            return uncached(self._plan_page(request, plan))
        return public_page(self, request, ("plan", plan_id), lambda: self._plan_page(request, plan))

    def _plan_page(self, request: Request, plan: dict[str, Any]) -> Response:
        return self.web.page(request, "plan.html", title=plan.get("title") or f"{plan.get('year')}年实施方案",
                             plan=plan, errors={}, form={}, kinds=FEEDBACK_KIND_CHOICES)

    @page("GET", "/models")
    def portal_models(self, request: Request) -> Response:
        """By sector: the designated demonstration sites and models with their term and experience
        write-up, and the office's 范例 of society-scope items (newest marks first)."""
        return public_page(self, request, ("models",), lambda: self._models(request))

    def _models(self, request: Request) -> Response:
        designated, examples = together((self.units.list_designations, None, "designated", 500, 0),
                                        (self.disclosure.public_examples,))
        designated = designated["items"]
        codes = sorted({d["unit_code"] for d in designated})
        units = {code: unit for code, unit in zip(codes, together(*((self._unit, code) for code in codes)))}
        sectors: dict[str, dict[str, list[dict[str, Any]]]] = {}
        for designation in designated:
            unit = units[designation["unit_code"]]
            sectors.setdefault(unit["sector"], {"models": [], "examples": []})["models"].append(
                {**designation, "unit": unit})
        for example in examples:
            sectors.setdefault(example["sector"], {"models": [], "examples": []})["examples"].append(example)
        ordered = [(PORTAL_SECTOR_NAMES.get(sector, sector), rows) for sector, rows in sorted(sectors.items())]
        return self.web.page(request, "models.html", title="示范点、典型与范例", sectors=ordered,
                             kinds=DESIGNATION_KIND_NAMES)


def portal_actor(request: Request) -> dict[str, Any] | None:
    """Whom disclosure reads for: the signed-in reader (disclosure's portal rules treat a unit's
    officials as members and everyone else as the public)."""
    return reader(request)

