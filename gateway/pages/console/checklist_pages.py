"""The year's checklist (考核细则) in the console, from supervision's get_checklist and
publish_checklist: /console/checklist (?year=, next year by default) shows the version in force
and the versions before it, and, for a year not yet started, the form that publishes a new
version: the pass and model scores, each dimension's weight (summing to 100), each criterion's
text and maximum. The form carries the version it was opened on: when a newer one was published
meanwhile, or the year has started, supervision refuses it in words above the form, the values
typed kept, nothing changed; a field out of range is refused next to it."""
from __future__ import annotations

import re
from typing import Any

from marshmallow import fields, validate
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from services.common import i18n
from services.common.errors import DomainError
from services.common.workdays import county_today

from ...params import Query
from ..kit.pages import page, uncached

NUMBER = re.compile(r"^\d{1,3}(\.\d{1,2})?$")


class ChecklistQuery(Query):
    year = fields.Integer(validate=validate.Range(2000, 2100), metadata={"description": "the checklist's year"})


def form_of(current: dict[str, Any]) -> dict[str, str]:
    form = {"version": str(current["version"]), "threshold": f"{current['threshold']:g}",
            "model_score": f"{current['model_score']:g}"}
    for d in current["dimensions"]:
        form[f"weight-{d['code']}"] = f"{d['weight']:g}"
        for c in d["criteria"]:
            form[f"text-{c['code']}"], form[f"max-{c['code']}"] = c["text"], f"{c['max']:g}"
    return form


def body_from_form(current: dict[str, Any], form: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The new version: the current one with the form's values, or each field's message."""
    errors: dict[str, str] = {}

    def number(name: str, low: float, high: float, message: str) -> float:
        text = form.get(name, "")
        if not NUMBER.match(text) or not low <= float(text) <= high:
            errors[name] = message
            return 0.0
        return float(text)
    body = {k: v for k, v in current.items() if k not in ("id", "version", "created_by", "created_at", "maximum")}
    body["threshold"] = number("threshold", 0, 100, "合格线请填写 0 到 100 之间的分数。")
    body["model_score"] = number("model_score", 0, 100, "典型线请填写 0 到 100 之间的分数。")
    dimensions = []
    for d in current["dimensions"]:
        criteria = []
        for c in d["criteria"]:
            text = form.get(f"text-{c['code']}", "").strip()
            if not 1 <= len(text) <= 500:
                errors[f"text-{c['code']}"] = "请写明评分标准（500 字以内）。"
            criteria.append({"code": c["code"], "text": text,
                             "max": number(f"max-{c['code']}", 0.5, 100, "满分请填写 0.5 到 100 之间的数。")})
        dimensions.append({**d, "weight": number(f"weight-{d['code']}", 0, 100, "权重请填写 0 到 100 之间的数。"),
                           "criteria": criteria})
    if not errors and abs(sum(d["weight"] for d in dimensions) - 100) > 1e-6:
        errors[f"weight-{dimensions[0]['code']}"] = "五个方面的权重合计须为 100。"
    return {**body, "dimensions": dimensions, "version": int(form.get("version") or 0) or None}, errors


class ConsoleChecklist:
    """Mixed into GatewayService; needs `supervision` and `web`."""

    def _checklist_page(self, request: Request, year: int, form: dict[str, str] | None, errors: dict[str, str],
                        status: int = 200, problem: str | None = None) -> Response:
        current = self.supervision.get_checklist(year, None)
        earlier = [self.supervision.get_checklist(year, v) for v in range(current["version"] - 1, 0, -1)]
        editable = year > county_today().year
        return uncached(self.web.page(request, "console/checklist.html", status, title=f"{year} 年考核细则",
                                      year=year, current=current, earlier=earlier, editable=editable,
                                      form=form or form_of(current), errors=errors, problem=problem))

    @page("GET", "/console/checklist", query=ChecklistQuery)
    def console_checklist(self, request: Request) -> Response:
        year = request.params.get("year") or county_today().year + 1
        return self.renew_session(request, self._checklist_page(request, year, None, {}))

    @page("POST", "/console/checklist", query=ChecklistQuery)
    def console_publish_checklist(self, request: Request) -> Response:
        year = request.params.get("year") or county_today().year + 1
        current = self.supervision.get_checklist(year, None)
        form = {k: v for k, v in request.form_data.items() if k != "csrf_token"}
        body, errors = body_from_form(current, form)
        if errors:
            return self._checklist_page(request, year, form, errors, 400)
        try:
            self.supervision.publish_checklist(request.actor, {**body, "year": year})
        except DomainError as exc:
            return self._checklist_page(request, year, form, {}, exc.status, i18n.translate(exc.message))
        return redirect(f"/console/checklist?year={year}", 303)
