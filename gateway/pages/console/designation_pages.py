"""Models (典型) in the console, by the county office, from units' designation flow and
supervision's figures:

- /console/candidates/<code>/nominate: a candidate of supervision's list nominated as a model,
  with the reason, through this confirmation page (a unit no longer on the list is refused);
- /console/designations: the nominations and designations, each with the buttons its state
  allows (the `actions` units returns with it, from the designation's state table);
- /console/designations/<id>/designate and /revoke: a nomination designated for a term (1 to 10
  years), one in its term revoked with a reason, each through a confirmation page;
- /console/models/review: supervision's models to review (model_review.py: in their term, the
  month just ended scored below that year's pass mark, not kept for that month), with their
  figures; each is kept or revoked with a reason;
- /console/designations/<id>/keep?period=2026-07: a model kept on review of that month's score,
  with the reason, recorded by units (shown with the designation, off that month's review).
Every designation form carries the state it was read in (`seen`): when the designation moved on
meanwhile, the post is refused and nothing changes. Units' refusals show above the form."""
from __future__ import annotations

from typing import Any

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from services.common import i18n
from services.common.errors import DomainError, NotFound

from ...labels import DESIGNATION_KIND_NAMES, SECTOR_NAMES, labels
from ...params import Month, OneOf, Query
from ..kit.pages import page, uncached

STATUS_NAMES = labels("designation_status", ("nominated", "designated", "revoked", "expired"))
ACTIONS = {  # action: (the button, what the page says once done)
    "designate": ("认定为典型", "已认定，任期从今天算起。"),
    "revoke": ("撤销认定", "已撤销认定，门户的典型示范页不再列出。"),
}
KEEP = ("复核后保留", "已保留认定，复核记录在案；这个月的得分不再列入复核。")
DONE = {"nominate": "已提名，等待认定。", "keep": KEEP[1], **{a: said for a, (_, said) in ACTIONS.items()}}
ACTION_RULE = "/console/designations/<id:designation_id>/<any(designate,revoke):action>"
KEEP_RULE = "/console/designations/<id:designation_id>/keep"
MOST = 500  # a county's designations, all of them on one page


class DoneQuery(Query):
    done = OneOf(*DONE, description="the step just taken, to say so")


class KeepQuery(Query):
    period = Month("the month whose score is reviewed")


def nomination_errors(form: dict[str, str]) -> dict[str, str]:
    return {} if 1 <= len(form["reason"]) <= 2000 else {"reason": "请写明提名理由（2000 字以内）。"}


def keep_errors(form: dict[str, str]) -> dict[str, str]:
    return {} if 1 <= len(form["reason"]) <= 2000 else {"reason": "请写明保留理由（2000 字以内）。"}


def designation_errors(action: str, form: dict[str, str]) -> dict[str, str]:
    if action == "designate":
        ok = form["term_years"].isdigit() and 1 <= int(form["term_years"]) <= 10
        return {} if ok else {"term_years": "任期为 1 到 10 年，请填写整数。"}
    return {} if 1 <= len(form["reason"]) <= 2000 else {"reason": "请写明撤销理由（2000 字以内）。"}


class ConsoleDesignations:
    """Mixed into GatewayService; needs `units`, `supervision` and `web`."""

    def _designations(self) -> list[dict[str, Any]]:
        return self.units.list_designations(None, None, MOST, 0)["items"]

    def _designation(self, designation_id: int) -> dict[str, Any]:
        found = next((d for d in self._designations() if d["id"] == designation_id), None)
        if found is None:
            raise NotFound(f"没有第 {designation_id} 号认定。")
        return found

    def _candidate(self, unit_code: str) -> dict[str, Any] | None:
        return self.supervision.nominable(unit_code)

    def _nominate_page(self, request: Request, unit_code: str, candidate: dict[str, Any] | None,
                       form: dict[str, str], errors: dict[str, str], status: int = 200,
                       problem: str | None = None) -> Response:
        return uncached(self.web.page(request, "console/nominate.html", status, title="确认：提名典型",
                                      unit_code=unit_code, candidate=candidate, sectors=SECTOR_NAMES, form=form,
                                      errors=errors, problem=problem))

    @page("GET", "/console/candidates/<code:unit_code>/nominate")
    def console_nominate_form(self, request: Request, unit_code: str) -> Response:
        candidate = self._candidate(unit_code)
        problem = None if candidate else f"单位 {unit_code} 不在当前的典型候选名单中，不能提名。"
        return self.renew_session(request, self._nominate_page(request, unit_code, candidate, {"reason": ""}, {},
                                                               200 if candidate else 409, problem))

    @page("POST", "/console/candidates/<code:unit_code>/nominate")
    def console_nominate(self, request: Request, unit_code: str) -> Response:
        form = {"reason": request.form_data.get("reason", "").strip()}
        candidate = self._candidate(unit_code)
        if candidate is None:
            return self._nominate_page(request, unit_code, None, form, {}, 409,
                                       f"单位 {unit_code} 不在当前的典型候选名单中，不能提名。")
        errors = nomination_errors(form)
        if errors:
            return self._nominate_page(request, unit_code, candidate, form, errors, 400)
        try:
            self.units.nominate(request.actor, unit_code, "model", form["reason"])
        except DomainError as exc:
            return self._nominate_page(request, unit_code, candidate, form, {}, exc.status, i18n.translate(exc.message))
        return redirect("/console/designations?done=nominate", 303)

    @page("GET", "/console/designations", query=DoneQuery)
    def console_designations(self, request: Request) -> Response:
        listed = [d for d in reversed(self._designations()) if d["status"] in ("nominated", "designated")]
        done = request.params.get("done")
        return self.renew_session(request, uncached(self.web.page(
            request, "console/designations.html", title="示范点与典型", designations=listed,
            statuses=STATUS_NAMES, kinds=DESIGNATION_KIND_NAMES, actions=ACTIONS, done=DONE.get(done))))

    def _designation_page(self, request: Request, designation: dict[str, Any], action: str, form: dict[str, str],
                          errors: dict[str, str], status: int = 200, problem: str | None = None) -> Response:
        label = ACTIONS[action][0]
        return uncached(self.web.page(
            request, "console/designation_action.html", status, title=f"确认：{label}", action=action, label=label,
            designation=designation, statuses=STATUS_NAMES, kinds=DESIGNATION_KIND_NAMES, form=form, errors=errors,
            problem=problem, seen=form.get("seen") or designation["status"]))

    def _refusal(self, designation: dict[str, Any], action: str) -> str:
        return (f"第 {designation['id']} 号认定现为“{STATUS_NAMES.get(designation['status'], designation['status'])}”，"
                f"不能{ACTIONS[action][0]}。")

    @page("GET", ACTION_RULE)
    def console_designation_form(self, request: Request, designation_id: int, action: str) -> Response:
        designation = self._designation(designation_id)
        problem = None if action in designation["actions"] else self._refusal(designation, action)
        form = {"term_years": "3", "reason": ""}
        return self.renew_session(request, self._designation_page(request, designation, action, form, {},
                                                                  409 if problem else 200, problem))

    @page("POST", ACTION_RULE)
    def console_designation_action(self, request: Request, designation_id: int, action: str) -> Response:
        designation = self._designation(designation_id)
        form = {k: request.form_data.get(k, "").strip() for k in ("term_years", "reason", "seen")}
        if form["seen"] != designation["status"]:
            return self._designation_page(request, designation, action, {**form, "seen": designation["status"]}, {},
                                          409, f"这项认定已被他人办理，现为“{STATUS_NAMES.get(designation['status'])}”，"
                                               "请刷新后再办理。")
        errors = designation_errors(action, form)
        if errors:
            return self._designation_page(request, designation, action, form, errors, 400)
        try:
            if action == "designate":
                self.units.designate(request.actor, designation_id, int(form["term_years"]))
            else:
                self.units.revoke_designation(request.actor, designation_id, form["reason"])
        except DomainError as exc:
            return self._designation_page(request, designation, action, form, {}, exc.status,
                                          i18n.translate(exc.message))
        return redirect(f"/console/designations?done={action}", 303)

    def _keep_page(self, request: Request, designation: dict[str, Any], form: dict[str, str],
                   errors: dict[str, str], status: int = 200, problem: str | None = None) -> Response:
        return uncached(self.web.page(
            request, "console/designation_keep.html", status, title=f"确认：{KEEP[0]}", label=KEEP[0],
            designation=designation, statuses=STATUS_NAMES, kinds=DESIGNATION_KIND_NAMES, form=form, errors=errors,
            problem=problem, seen=form.get("seen") or designation["status"]))

    @staticmethod
    def _keep_refusal(designation: dict[str, Any], period: str) -> str | None:
        if not period:
            return "请从典型复核页选择要复核的月份。"
        if "keep" not in designation["actions"] or designation["kind"] != "model":
            status = STATUS_NAMES.get(designation["status"], designation["status"])
            return f"第 {designation['id']} 号认定现为“{status}”，只有在期内的典型才能{KEEP[0]}。"
        if any(r["period"] == period for r in designation["reviews"]):
            return f"第 {designation['id']} 号认定 {period} 的复核已有记录，不再重复保留。"
        return None

    @page("GET", KEEP_RULE, query=KeepQuery)
    def console_designation_keep_form(self, request: Request, designation_id: int) -> Response:
        designation = self._designation(designation_id)
        form = {"period": request.params.get("period") or "", "reason": ""}
        problem = self._keep_refusal(designation, form["period"])
        return self.renew_session(request, self._keep_page(request, designation, form, {}, 409 if problem else 200,
                                                           problem))

    @page("POST", KEEP_RULE)
    def console_designation_keep(self, request: Request, designation_id: int) -> Response:
        designation = self._designation(designation_id)
        form = {k: request.form_data.get(k, "").strip() for k in ("period", "reason", "seen")}
        if form["seen"] != designation["status"]:
            return self._keep_page(request, designation, {**form, "seen": designation["status"]}, {}, 409,
                                   f"这项认定已被他人办理，现为“{STATUS_NAMES.get(designation['status'])}”，"
                                   "请刷新后再办理。")
        errors = keep_errors(form)
        if errors:
            return self._keep_page(request, designation, form, errors, 400)
        try:
            self.units.keep_designation(request.actor, designation_id, form["period"], form["reason"])
        except DomainError as exc:
            return self._keep_page(request, designation, form, {}, exc.status, i18n.translate(exc.message))
        return redirect("/console/designations?done=keep", 303)

    @page("GET", "/console/models/review")
    def console_models_review(self, request: Request) -> Response:
        review = self.supervision.models_to_review(None)
        actions = {d["id"]: d["actions"] for d in self._designations()}
        return self.renew_session(request, uncached(self.web.page(
            request, "console/models_review.html", title="典型复核", review=review, actions=actions,
            sectors=SECTOR_NAMES)))
