"""The registry's pages: the unit tree (county → towns and agencies → villages, schools ...)
with a search by name or code; a unit's page with its officials now and who held each role
when; the registry exported as .xlsx or CSV; and the import: upload a file, its dry run's
report (every problem by row and column, in the clerk's words), progress while a job runs (the
page refreshes itself, no script), then the apply of the very file that was checked.

The county office reads the tree, the units and the export; the administrator also imports. A
unit's operator and reviewer read their own unit's page (as the API lets them read its
officials)."""
from __future__ import annotations

import base64
from typing import Any

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from services.common import i18n
from services.common.contract import SECTORS
from services.common.errors import DomainError, Forbidden

from ...audit_entry import audited_read
from ...labels import OFFICIAL_ROLE_NAMES, UNIT_STATUS_NAMES
from ...params import Cursor, Query, Text, UnitCode
from ...vocabulary import CSV, IMPORT_MAX_BYTES, XLSX
from ..kit.pages import page, uncached

JOB_KINDS = {"dry_run": "试导入（只检查）", "apply": "正式导入"}
JOB_STATUSES = {"queued": "排队中", "running": "进行中", "succeeded": "已完成", "failed": "未成功"}
COLUMN_NAMES = {"code": "代码", "name": "名称", "sector": "领域", "org_type": "组织类型", "parent_code": "上级代码",
                "secretary": "书记", "secretary_phone": "书记电话", "liaison": "联络员", "liaison_phone": "联络员电话",
                "liaison_email": "联络员邮箱", "demonstration": "示范点"}
IMPORT_FORM_BYTES = IMPORT_MAX_BYTES + 256 * 1024  # the largest file the units service takes, and the form around it
REFRESH_SECONDS = 2
SEARCH_PAGE = 50
EXPORT_TYPES = {"xlsx": XLSX, "csv": CSV}


class UnitsPageQuery(Query):
    q = Text(64, "part of a unit's name or code")
    unit = UnitCode("the unit whose branch is open")
    cursor = Cursor()


def column_name(column: str | None) -> str:
    """A registry column as the clerk's header names it: 领域（sector）; None is the whole row."""
    if column is None:
        return "整行"
    return f"{COLUMN_NAMES[column]}（{column}）" if column in COLUMN_NAMES else column


def branches(node: str, below: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The node's children grouped by sector, in the registry's order of sectors, each child
    with the number of units under it: [{sector, label, units: [...]}]."""
    kids: dict[str, list[str]] = {}
    for unit in below:
        if unit["code"] != node and unit.get("parent_code"):
            kids.setdefault(unit["parent_code"], []).append(unit["code"])

    def count(code: str) -> int:
        total, stack = 0, list(kids.get(code, ()))
        while stack:
            total += 1
            stack.extend(kids.get(stack.pop(), ()))
        return total

    groups: dict[str, dict[str, Any]] = {}
    for unit in below:
        if unit.get("parent_code") == node and unit["code"] != node:
            group = groups.setdefault(unit["sector"], {"sector": unit["sector"],
                                                       "label": unit.get("sector_label") or unit["sector"], "units": []})
            group["units"].append({**unit, "below": count(unit["code"])})
    order = {sector: n for n, sector in enumerate(SECTORS)}
    return sorted(groups.values(), key=lambda g: order.get(g["sector"], len(order)))


class ConsoleRegistry:
    """Mixed into GatewayService; needs `units`, `access` and `web`."""

    def _root(self) -> dict[str, Any] | None:
        """The county's top unit: the last ancestor of any unit (None while the registry is empty)."""
        first = self.units.list_units(limit=1)["items"]
        if not first:
            return None
        chain = self.units.ancestors(first[0]["code"])
        return chain[-1] if chain else first[0]

    @page("GET", "/console/units", query=UnitsPageQuery)
    def console_units(self, request: Request) -> Response:
        """The tree from the county (or from `unit`) down one level, or the units matching `q`."""
        query = request.params
        context: dict[str, Any] = {"query": query, "statuses": UNIT_STATUS_NAMES, "found": None, "node": None}
        if query.get("q"):
            found = self.units.list_units(q=query["q"], limit=SEARCH_PAGE,
                                          after=query.get("cursor"))
            context["found"] = found
        else:
            node = (self.units.get_unit(query["unit"]) if query.get("unit") else self._root())
            if node is not None:
                crumbs = list(reversed(self.units.ancestors(node["code"])))
                below = self.units.subtree(node["code"])
                context.update(node=node, crumbs=crumbs, groups=branches(node["code"], below),
                               total=len(below) - 1)
        response = self.web.page(request, "console/units.html", title="组织名册", **context)
        return self.renew_session(request, uncached(response))

    @page("GET", "/console/units/<code:code>")
    def console_unit(self, request: Request, code: str) -> Response:
        """A unit, who holds each role now (with contacts) and since when, and who held it before."""
        actor = request.actor
        if actor["role"] not in ("admin", "inspector") and actor.get("unit") != code:
            raise Forbidden("只能查看本单位的负责人信息。")
        audited_read(request)
        unit = self.units.get_unit(code, True)
        current = self.units.officials(code)
        history = self.units.officials(code, "all")
        dated = {o["role"]: o for o in current}
        now = [dated.get(o["role"], {**o, "started_on": None}) for o in unit.get("officials") or []]
        roles = {role: n for n, role in enumerate(OFFICIAL_ROLE_NAMES)}
        crumbs = list(reversed(self.units.ancestors(code)))
        children = self.units.children(code)
        response = self.web.page(
            request, "console/unit.html", title=unit["name"], unit=unit, crumbs=crumbs, children=children,
            now=sorted(now, key=lambda o: roles.get(o["role"], 9)),
            history=sorted(history, key=lambda o: (roles.get(o["role"], 9), o["started_on"] or "")),
            roles=OFFICIAL_ROLE_NAMES, statuses=UNIT_STATUS_NAMES)
        return self.renew_session(request, uncached(response))

    @page("GET", "/console/units/export.<any(xlsx,csv):fmt>")
    def console_export_units(self, request: Request, fmt: str) -> Response:
        """The whole registry in the import's columns, to keep, share or edit and upload again."""
        audited_read(request)
        exported = self.units.export_registry(fmt)
        return Response(base64.b64decode(exported["content_b64"]), mimetype=EXPORT_TYPES[fmt], headers={
            "Content-Disposition": f'attachment; filename="{exported["filename"]}"', "Cache-Control": "no-store"})

    # --- the import ---------------------------------------------------------------------

    def _import_page(self, request: Request, status: int = 200, problem: str | None = None,
                     errors: dict[str, str] | None = None) -> Response:
        jobs = self.units.list_import_jobs(10)
        return uncached(self.web.page(request, "console/import.html", status, title="导入组织名册", jobs=jobs,
                                      kinds=JOB_KINDS, job_statuses=JOB_STATUSES, problem=problem, errors=errors or {},
                                      limit_mb=IMPORT_MAX_BYTES // (1024 * 1024)))

    @page("GET", "/console/units/import")
    def console_import(self, request: Request) -> Response:
        return self.renew_session(request, self._import_page(request))

    @page("POST", "/console/units/import", max_form=IMPORT_FORM_BYTES)
    def console_upload_import(self, request: Request) -> Response:
        """Store the file as a dry run and go to its page, which follows it to its report."""
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            return self._import_page(request, 400, errors={"file": "请选择组织名册文件（.xlsx 或 .csv）。"})
        content = upload.read(IMPORT_MAX_BYTES + 1)
        if len(content) > IMPORT_MAX_BYTES:
            return self._import_page(request, 413, errors={
                "file": f"文件超过 {IMPORT_MAX_BYTES // (1024 * 1024)} MB：请确认这是组织名册文件（内容未保存）。"})
        if not content:
            return self._import_page(request, 400, errors={"file": "文件是空的，请重新选择。"})
        try:
            job = self.units.submit_import(request.actor, upload.filename[:255], base64.b64encode(content).decode(),
                                           False, request.headers.get("X-Request-ID"))
        except DomainError as exc:
            return self._import_page(request, exc.status, errors={"file": i18n.translate(exc.message)})
        return redirect(f"/console/units/import/{job['id']}", 303)

    def _job_page(self, request: Request, job: dict[str, Any], status: int = 200,
                  problem: str | None = None) -> Response:
        running = job["status"] in ("queued", "running")
        error = job.get("error") or {}
        response = self.web.page(
            request, "console/import_job.html", status, title=f"导入任务 {job['id']}", job=job, running=running,
            refresh=REFRESH_SECONDS if running else None, kinds=JOB_KINDS, job_statuses=JOB_STATUSES,
            problems=[{**p, "column_name": column_name(p.get("column"))} for p in (job.get("report") or {}).get(
                "problems") or ()], error=i18n.translate(error["message"]) if error.get("message") else None,
            problem=problem)
        return uncached(response)

    @page("GET", "/console/units/import/<id:job_id>")
    def console_import_job(self, request: Request, job_id: int) -> Response:
        """Where a job stands: its progress (refreshing itself while it runs), then its report."""
        job = self.units.import_job(job_id)
        return self.renew_session(request, self._job_page(request, job))

    @page("POST", "/console/units/import/<id:job_id>/apply")
    def console_apply_import(self, request: Request, job_id: int) -> Response:
        """Register the file the dry run checked; a refusal (applied already, too old) on its page."""
        try:
            job = self.units.apply_checked_import(request.actor, job_id,
                                                  request.headers.get("X-Request-ID"))
        except DomainError as exc:
            dry = self.units.import_job(job_id)
            return self._job_page(request, dry, exc.status, i18n.translate(exc.message))
        return redirect(f"/console/units/import/{job['id']}", 303)
