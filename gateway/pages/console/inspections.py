"""督促检查 in the console, for the county office: the inspections, planning one (its units by
code, every unit under a town, or a random draw 随机抽查; its window; its inspectors, the
office clerk by default) through a confirmation page, and one inspection's units with how far
each one's record is. Recording a unit's result is in inspection_records.py.

The plan's form is checked here field by field (a Chinese message next to each field at
fault, the sender's text kept), then by supervision's plan_inspection, whose refusals
(an unknown unit, nobody left to send) are shown above the form."""
from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from marshmallow import ValidationError, fields
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from services.common import i18n
from services.common.contract.supervision import INSPECTION_KINDS
from services.common.errors import DomainError
from services.common.shapes.supervision import NewInspection
from services.common.workdays import county_today

from ...labels import INSPECTION_KIND_NAMES as KIND_NAMES, RECORD_STATUS_NAMES
from ...params import CODE_PATTERN, Query, UnitCode
from ..kit.pages import page, uncached

PLAN_FIELDS = ("title", "kind", "window_opens", "window_closes", "units", "subtree", "count", "inspectors")
SEPARATORS = re.compile(r"[\s,，、;；]+")
CODE = re.compile(f"^{CODE_PATTERN}$")


class InspectionPageQuery(Query):
    planned = fields.Boolean(metadata={"description": "the inspection was just planned, to say so"})
    recorded = UnitCode("the unit whose record was just submitted, to say so")


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _words(text: str) -> list[str]:
    return [w for w in SEPARATORS.split(text or "") if w]


def plan_from_form(form: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The NewInspection body a plan form asks for, or the Chinese message of each field at fault."""
    errors: dict[str, str] = {}
    title = form.get("title", "")
    if not title:
        errors["title"] = "请填写检查名称。"
    elif len(title) > 200:
        errors["title"] = f"检查名称最多 200 字，现在有 {len(title)} 字。"
    kind = form.get("kind", "")
    if kind not in KIND_NAMES:
        errors["kind"] = "请选择检查方式。"
    opens, closes = _day(form.get("window_opens", "")), _day(form.get("window_closes", ""))
    for name, day in (("window_opens", opens), ("window_closes", closes)):
        if day is None or not 2000 <= day.year <= 2100:
            errors[name] = "请填写日期（如 2026-12-01）。"
    if opens and closes and closes < opens and "window_closes" not in errors:
        errors["window_closes"] = "结束日期不能早于开始日期。"
    units, subtree = _words(form.get("units", "")), form.get("subtree", "")
    bad = [u for u in units if not CODE.match(u)]
    if bad:
        errors["units"] = f"这些不是有效的单位代码：{'、'.join(bad[:5])}。"
    if subtree and not CODE.match(subtree):
        errors["subtree"] = "请填写一个有效的单位代码（如镇街代码 T01）。"
    data: dict[str, Any] = {"title": title, "kind": kind, "window_opens": form.get("window_opens"),
                            "window_closes": form.get("window_closes")}
    if kind == "random":
        count = form.get("count", "")
        if not count.isdigit() or not 1 <= int(count) <= 5000:
            errors["count"] = "随机抽查请填写要抽取的单位数（1 到 5000）。"
        else:
            data["sample"] = {"scope": "subtree" if subtree else "county", "scope_value": subtree or None,
                              "count": int(count)}
    elif units and subtree:
        errors["units"] = "请只用一种方式选单位：填单位代码，或者填一个镇街代码（检查其下全部单位），不要两样都填。"
    elif units:
        data["unit_codes"] = units
    elif subtree:
        data["subtree"] = subtree
    elif kind:
        errors["units"] = "请填写要检查的单位代码，或填写一个镇街代码检查其下全部单位。"
    inspectors = _words(form.get("inspectors", ""))
    if not inspectors:
        errors["inspectors"] = "请至少填写一名检查人员的用户名。"
    elif any(len(i) > 64 for i in inspectors):
        errors["inspectors"] = "用户名最多 64 个字符。"
    data["inspectors"] = [{"username": i} for i in dict.fromkeys(inspectors)]
    if not errors:
        try:
            NewInspection().load(data)
        except ValidationError as exc:
            errors["title"] = f"检查安排有误，请核对：{exc.messages}"
    return data, errors


class ConsoleInspections:
    """Mixed into GatewayService; needs `supervision`, `access` and `web`."""

    @page("GET", "/console/inspections")
    def console_inspections(self, request: Request) -> Response:
        found = self.supervision.list_inspections(request.actor, 200, None)
        inspections = sorted(found["items"], key=lambda i: (i["window_opens"], i["id"]), reverse=True)
        return self.renew_session(request, uncached(self.web.page(
            request, "console/inspections.html", title="督促检查", inspections=inspections, kinds=KIND_NAMES)))

    def _plan_form(self, request: Request, form: dict[str, str], errors: dict[str, str], status: int = 200,
                   problem: str | None = None) -> Response:
        return uncached(self.web.page(request, "console/inspection_plan.html", status, title="安排检查", form=form,
                                      errors=errors, problem=problem, kinds=KIND_NAMES))

    @page("GET", "/console/inspections/new")
    def console_new_inspection(self, request: Request) -> Response:
        today = county_today()
        form = {"kind": "routine", "window_opens": today.isoformat(),
                "window_closes": (today + timedelta(days=14)).isoformat(), "inspectors": request.actor["username"]}
        return self.renew_session(request, self._plan_form(request, form, {}))

    @page("POST", "/console/inspections")
    def console_plan_inspection(self, request: Request) -> Response:
        """The form's first post shows what would be planned; the confirmation's post plans it."""
        form = {k: request.form_data.get(k, "") for k in PLAN_FIELDS}
        data, errors = plan_from_form(form)
        if errors:
            return self._plan_form(request, form, errors, 400)
        if request.form_data.get("confirm") != "1":
            return uncached(self.web.page(request, "console/inspection_plan_confirm.html", title="确认安排检查",
                                          form=form, data=data, kinds=KIND_NAMES))
        try:
            planned = self.supervision.plan_inspection(request.actor, data)
        except DomainError as exc:
            return self._plan_form(request, form, {}, exc.status, i18n.translate(exc.message))
        return redirect(f"/console/inspections/{planned['id']}?planned=1", 303)

    @page("GET", "/console/inspections/<id:inspection_id>", query=InspectionPageQuery)
    def console_inspection(self, request: Request, inspection_id: int) -> Response:
        inspection = self.supervision.get_inspection(request.actor, inspection_id)
        done = sum(1 for u in inspection["units"] if u["status"] == "submitted")
        return self.renew_session(request, uncached(self.web.page(
            request, "console/inspection.html", title=inspection["title"], inspection=inspection, done=done,
            kinds=KIND_NAMES, statuses=RECORD_STATUS_NAMES, planned=request.params.get("planned"),
            recorded=request.params.get("recorded"), me=request.actor["username"])))


def to_do(self, actor: dict[str, Any], most: int = 20) -> list[dict[str, Any]]:
    """我的待办's inspections: those with a unit this clerk is to record and has not submitted."""
    found = self.supervision.list_inspections(actor, 200, None)["items"]
    rows = []
    for inspection in found:
        mine = [u for u in inspection["units"] if actor["username"] in u["inspectors"] and u["status"] != "submitted"]
        if mine:
            rows.append({**inspection, "mine": mine})
    return sorted(rows, key=lambda i: i["window_closes"])[:most]


assert set(KIND_NAMES) == set(INSPECTION_KINDS)
