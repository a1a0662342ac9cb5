"""A unit's public commitments (公开承诺) in the console, from supervision's RPCs:

- /console/commitments (?unit= for the county office, ?year=): the unit's commitments of the year
  with each milestone's due date and progress; the unit's operator or secretary records a new
  one with up to MILESTONE_ROWS milestones (a milestone outside the commitment's year is refused
  next to its field, and by supervision in words above the form, nothing recorded);
- /console/commitments/<id>/milestones/<n>: the confirmation of a milestone done (the day, what was
  done), offered only when `complete` is among the milestone's actions (its state table, the
  reader's unit); one already reported is refused with who reported it when, nothing changed."""
from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import fields, validate
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from services.common import i18n
from services.common.errors import DomainError, InvalidInput
from services.common.workdays import county_today

from ...params import Query, UnitCode
from ..kit.pages import page, uncached

MILESTONE_ROWS = 4
MILESTONE = "/console/commitments/<id:commitment_id>/milestones/<id:number>"


class CommitmentsQuery(Query):
    unit = UnitCode("the unit (the county office; a unit's own staff see their own)")
    year = fields.Integer(validate=validate.Range(2000, 2100), metadata={"description": "the commitments' year"})


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def commitment_from_form(form: dict[str, str], unit: str, year: int) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    text = form.get("text", "").strip()
    if not 1 <= len(text) <= 2000:
        errors["text"] = "请写明承诺内容（2000 字以内）。"
    due = _day(form.get("due_on", ""))
    if due is None or due.year != year:
        errors["due_on"] = f"请填写 {year} 年内的完成日期（如 {year}-12-31）。"
    milestones = []
    for n in range(1, MILESTONE_ROWS + 1):
        title, day_text = form.get(f"m{n}-title", "").strip(), form.get(f"m{n}-due_on", "")
        if not title and not day_text:
            continue
        day = _day(day_text)
        if not 1 <= len(title) <= 200:
            errors[f"m{n}-title"] = "请写明这个里程碑要做什么（200 字以内）。"
        if day is None:
            errors[f"m{n}-due_on"] = "请填写里程碑的日期（如 2026-06-30）。"
        elif day.year != year:
            errors[f"m{n}-due_on"] = f"里程碑的日期须在承诺的 {year} 年内。"
        milestones.append({"title": title, "due_on": day_text})
    return {"unit_code": unit, "year": year, "text": text, "due_on": form.get("due_on", ""),
            "milestones": milestones}, errors


class ConsoleCommitments:
    """Mixed into GatewayService; needs `supervision` and `web`."""

    def _commitments_page(self, request: Request, unit: str | None, year: int, form: dict[str, str],
                          errors: dict[str, str], status: int = 200, problem: str | None = None) -> Response:
        actor = request.actor
        listed = self.supervision.list_commitments(unit, year, actor)
        own = actor["role"] in ("operator", "reviewer") and actor.get("unit") == unit
        return uncached(self.web.page(request, "console/commitments.html", status, title="公开承诺", unit=unit,
                                      year=year, commitments=listed, own=own, form=form, errors=errors,
                                      problem=problem, rows=MILESTONE_ROWS))

    def _unit_of(self, request: Request) -> str | None:
        actor = request.actor
        if actor["role"] in ("operator", "reviewer"):
            return actor.get("unit")
        return request.params.get("unit")

    @page("GET", "/console/commitments", query=CommitmentsQuery)
    def console_commitments(self, request: Request) -> Response:
        year = request.params.get("year") or county_today().year
        return self.renew_session(request, self._commitments_page(request, self._unit_of(request), year, {}, {}))

    @page("POST", "/console/commitments", query=CommitmentsQuery)
    def console_add_commitment(self, request: Request) -> Response:
        unit, year = request.actor.get("unit"), request.params.get("year") or county_today().year
        form = {k: v for k, v in request.form_data.items() if k != "csrf_token"}
        if request.actor["role"] not in ("operator", "reviewer") or not unit:
            raise InvalidInput("公开承诺由本单位的党务干事或书记录入")
        data, errors = commitment_from_form(form, unit, year)
        if errors:
            return self._commitments_page(request, unit, year, form, errors, 400)
        try:
            self.supervision.add_commitment(request.actor, data)
        except DomainError as exc:
            return self._commitments_page(request, unit, year, form, {}, exc.status, i18n.translate(exc.message))
        return redirect(f"/console/commitments?year={year}", 303)

    def _milestone_page(self, request: Request, commitment: dict[str, Any], number: int, form: dict[str, str],
                        errors: dict[str, str], status: int = 200, problem: str | None = None) -> Response:
        milestones = commitment["milestones"]
        milestone = milestones[number - 1] if 1 <= number <= len(milestones) else None
        if milestone is None:
            problem, status = f"承诺 {commitment['id']} 没有第 {number} 个里程碑。", 404
        elif problem is None and "complete" not in milestone["actions"]:
            problem, status = ((f"这个里程碑已于 {milestone['done_on']} 由 {milestone['by']} 填报完成。", 409)
                               if milestone["status"] == "done" else
                               (f"单位 {commitment['unit_code']} 的承诺进度由本单位的党务干事或书记填报。", 403))
        return uncached(self.web.page(request, "console/commitment_milestone.html", status, title="填报承诺进度",
                                      commitment=commitment, milestone=milestone, number=number, form=form,
                                      errors=errors, problem=problem,
                                      usable=bool(milestone) and "complete" in milestone["actions"]))

    @page("GET", MILESTONE)
    def console_commitment_milestone(self, request: Request, commitment_id: int, number: int) -> Response:
        commitment = self.supervision.get_commitment(request.actor, commitment_id)
        form = {"done_on": county_today().isoformat(), "note": ""}
        return self.renew_session(request, self._milestone_page(request, commitment, number, form, {}))

    @page("POST", MILESTONE)
    def console_complete_milestone(self, request: Request, commitment_id: int, number: int) -> Response:
        commitment = self.supervision.get_commitment(request.actor, commitment_id)
        form = {k: request.form_data.get(k, "") for k in ("done_on", "note")}
        errors = {}
        if _day(form["done_on"]) is None:
            errors["done_on"] = "请填写完成日期（如 2026-06-30）。"
        if len(form["note"]) > 2000:
            errors["note"] = f"说明最多 2000 字，现在有 {len(form['note'])} 字。"
        if errors:
            return self._milestone_page(request, commitment, number, form, errors, 400)
        try:
            self.supervision.commitment_progress(request.actor, commitment_id, number - 1, form)
        except DomainError as exc:
            return self._milestone_page(request, commitment, number, form, {}, exc.status, i18n.translate(exc.message))
        return redirect(f"/console/commitments?year={commitment['year']}&unit={commitment['unit_code']}", 303)
