"""The year's implementation plan (实施方案) in the console, for the county office, with
disclosure's RPCs as the API uses them: the plans; drafting one (goals, milestones with dates,
carriers, forms, days of consultation) and editing the draft, each through a confirmation page;
one plan with its comments from the public and members (feedback on the plan, each answered
on its own feedback page) and the buttons of the `actions` disclosure returns: open it for
consultation (征求意见), approve it once the comments have closed, activate and close it.

A milestone is a line "YYYY-MM-DD 标题". Every form carries what it was made from (`seen`: the
draft's content, or the number of steps in the plan's trail): when the plan changed meanwhile
the post is refused with who did what, and nothing is changed."""
from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from services.common import i18n
from services.common.errors import DomainError
from services.common.shapes.disclosure import CARRIERS, NewPlan, PlanAction
from services.common.workdays import county_today

from ...labels import labels
from ...params import OneOf, Query
from ...policy_areas.office2 import PLAN_ACTION
from ..kit.forms import validate_form
from ..kit.pages import page, uncached
from ..kit.render import cn_datetime

STATUS_NAMES = labels("plan_status", ("draft", "consultation", "approved", "active", "closed"))
ACTION_NAMES = labels("plan_action", ("consult", "approve", "activate", "close"))
LABELS = {"year": "年度", "title": "方案名称", "goals": "工作目标", "milestones": "时间节点", "carriers": "公开载体",
          "forms": "公开形式", "consultation_days": "征求意见天数", "reason": "说明"}
MILESTONE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s+(.+)$")
PLAN_KEYS = ("year", "title", "goals", "milestones", "carriers", "forms", "consultation_days")


class DoneQuery(Query):
    done = OneOf("created", "edited", "consult", "approve", "activate", "close",
                 description="what was just done, to say so")


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def plan_body(form: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The NewPlan body a plan form asks for, or the Chinese message of each field at fault."""
    errors: dict[str, str] = {}
    milestones = []
    for number, line in enumerate(lines(form.get("milestones", "")), 1):
        found = MILESTONE.match(line)
        if not found:
            errors["milestones"] = f"第 {number} 个时间节点请写成“日期 标题”，如：2027-03-31 修订公开目录。"
            break
        milestones.append({"due_on": found[1], "title": found[2].strip()})
    year = form.get("year", "")
    data: dict[str, Any] = {"year": int(year) if year.isdigit() else year, "title": form.get("title", ""),
                            "goals": lines(form.get("goals", "")), "milestones": milestones,
                            "carriers": form["carriers"], "forms": lines(form.get("forms", ""))}
    if form.get("consultation_days", "").isdigit():
        data["consultation_days"] = int(form["consultation_days"])
    elif form.get("consultation_days"):
        errors["consultation_days"] = "征求意见天数请填 1 到 60 的整数。"
    if not isinstance(data["year"], int):
        errors["year"] = "请填写年度（如 2027）。"
    if not data["carriers"]:
        errors["carriers"] = "请至少选一种公开载体。"
    _, wrong = validate_form(NewPlan(), data, LABELS)
    if "milestones" in wrong and "milestones" not in errors:
        wrong["milestones"] = "时间节点的日期须在方案年度之内，每行写成“日期 标题”。"
    return data, {**wrong, **errors}


def form_of(plan: dict[str, Any]) -> dict[str, Any]:
    return {"year": str(plan["year"]), "title": plan["title"], "goals": "\n".join(plan["goals"]),
            "milestones": "\n".join(f"{m['due_on']} {m['title']}" for m in plan["milestones"]),
            "carriers": plan["carriers"], "forms": "\n".join(plan["forms"]),
            "consultation_days": str(plan["consultation_days"])}


def content_seen(plan: dict[str, Any]) -> str:
    """A draft's content as a short digest: changes whenever the draft is edited or moved on."""
    content = json.dumps([plan.get(k) for k in PLAN_KEYS] + [plan["status"]], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(content.encode()).hexdigest()[:16]


def moved_on(plan: dict[str, Any], seen: str, kind: str) -> str | None:
    """When the plan changed after the form was made: who did what, to say so."""
    now = content_seen(plan) if kind == "content" else str(len(plan["trail"]))
    if not seen or seen == now:
        return None
    last = plan["trail"][-1]
    return (f"方案在您打开表单后已有变动（最近一步：{last['actor']} 于 {cn_datetime(last['at'])}，"
            f"现为“{STATUS_NAMES.get(plan['status'], plan['status'])}”），请刷新后再办理。")


class ConsolePlans:
    """Mixed into GatewayService; needs `disclosure`, `feedback` and `web`."""

    @page("GET", "/console/plans")
    def console_plans(self, request: Request) -> Response:
        plans = self.disclosure.list_plans(request.actor)
        return self.renew_session(request, uncached(self.web.page(
            request, "console/plans.html", title="年度实施方案", plans=plans, statuses=STATUS_NAMES)))

    def _yearly_plan_form(self, request: Request, form: dict[str, Any], errors: dict[str, str], status: int = 200,
                   problem: str | None = None, plan_id: int | None = None, seen: str = "") -> Response:
        return uncached(self.web.page(request, "console/plan_form.html", status,
                                      title="修改方案草稿" if plan_id else "起草年度实施方案", form=form, errors=errors,
                                      problem=problem, plan_id=plan_id, seen=seen,
                                      carrier_options=[(c, c) for c in CARRIERS]))

    @page("GET", "/console/plans/new")
    def console_new_plan(self, request: Request) -> Response:
        year = county_today().year + 1
        form = {"year": str(year), "title": f"{year}年党务公开工作实施方案", "carriers": [], "consultation_days": "15"}
        return self.renew_session(request, self._yearly_plan_form(request, form, {}))

    def _plan_read(self, request: Request) -> dict[str, Any]:
        form: dict[str, Any] = {k: request.form_data.get(k, "") for k in (*LABELS, "seen")}
        form["carriers"] = [c for c in request.form.getlist("carriers") if c in CARRIERS]
        return form

    def _plan_confirm(self, request: Request, form: dict[str, Any], data: dict[str, Any], action: str) -> Response:
        return uncached(self.web.page(request, "console/plan_confirm.html", title="确认方案", form=form, data=data,
                                      action=action))

    @page("POST", "/console/plans")
    def console_create_plan(self, request: Request) -> Response:
        form = self._plan_read(request)
        data, errors = plan_body(form)
        if errors:
            return self._yearly_plan_form(request, form, errors, 400)
        if request.form_data.get("confirm") != "1":
            return self._plan_confirm(request, form, data, "/console/plans")
        try:
            made = self.disclosure.create_plan(request.actor, data)
        except DomainError as exc:
            return self._yearly_plan_form(request, form, {}, exc.status, i18n.translate(exc.message))
        return redirect(f"/console/plans/{made['id']}?done=created", 303)

    @page("GET", "/console/plans/<id:plan_id>", query=DoneQuery)
    def console_plan(self, request: Request, plan_id: int) -> Response:
        plan = self.disclosure.get_plan(request.actor, plan_id)
        comments = self.feedback.list_feedback(request.actor, {"target": f"plan:{plan_id}"}, 200, None)["items"]
        return self.renew_session(request, uncached(self.web.page(
            request, "console/plan.html", title=plan["title"], plan=plan, comments=comments, statuses=STATUS_NAMES,
            action_names=ACTION_NAMES, done=request.params.get("done"))))

    @page("GET", "/console/plans/<id:plan_id>/edit")
    def console_edit_plan_form(self, request: Request, plan_id: int) -> Response:
        plan = self.disclosure.get_plan(request.actor, plan_id)
        problem = None if "edit" in plan["actions"] else "只有草稿可以修改：方案已公开征求意见或已批准。"
        return self.renew_session(request, self._yearly_plan_form(request, form_of(plan), {}, 200, problem, plan_id,
                                                           content_seen(plan)))

    @page("POST", "/console/plans/<id:plan_id>/edit")
    def console_edit_plan(self, request: Request, plan_id: int) -> Response:
        plan = self.disclosure.get_plan(request.actor, plan_id)
        form = self._plan_read(request)
        stale = moved_on(plan, form["seen"], "content")
        if stale:
            return self._yearly_plan_form(request, form, {}, 409, stale, plan_id, form["seen"])
        data, errors = plan_body(form)
        if errors:
            return self._yearly_plan_form(request, form, errors, 400, None, plan_id, form["seen"])
        if request.form_data.get("confirm") != "1":
            return self._plan_confirm(request, form, data, f"/console/plans/{plan_id}/edit")
        try:
            self.disclosure.update_plan(request.actor, plan_id, data)
        except DomainError as exc:
            return self._yearly_plan_form(request, form, {}, exc.status, i18n.translate(exc.message), plan_id, form["seen"])
        return redirect(f"/console/plans/{plan_id}?done=edited", 303)

    def _plan_action_page(self, request: Request, plan: dict[str, Any], action: str, form: dict[str, str],
                     status: int = 200, problem: str | None = None, errors: dict[str, str] | None = None) -> Response:
        return uncached(self.web.page(request, "console/plan_action.html", status,
                                      title=f"{ACTION_NAMES[action]}：{plan['title']}", plan=plan, action=action,
                                      action_names=ACTION_NAMES, statuses=STATUS_NAMES, form=form, problem=problem,
                                      errors=errors or {}, seen=form.get("seen") or str(len(plan["trail"]))))

    @page("GET", PLAN_ACTION)
    def console_plan_action_form(self, request: Request, plan_id: int, action: str) -> Response:
        plan = self.disclosure.get_plan(request.actor, plan_id)
        problem = None if action in plan["actions"] else f"方案现为“{STATUS_NAMES[plan['status']]}”，现在不能{ACTION_NAMES[action]}。"
        form = {"consultation_days": str(plan["consultation_days"])} if action == "consult" else {}
        return self.renew_session(request, self._plan_action_page(request, plan, action, form, 200, problem))

    @page("POST", PLAN_ACTION)
    def console_plan_action(self, request: Request, plan_id: int, action: str) -> Response:
        plan = self.disclosure.get_plan(request.actor, plan_id)
        form = {k: request.form_data.get(k, "") for k in ("consultation_days", "reason", "seen")}
        stale = moved_on(plan, form["seen"], "trail")
        if stale:
            return self._plan_action_page(request, plan, action, form, 409, stale)
        data: dict[str, Any] = {"reason": form["reason"] or None}
        if action == "consult" and form["consultation_days"]:
            data["consultation_days"] = int(form["consultation_days"]) if form["consultation_days"].isdigit() else -1
        _, errors = validate_form(PlanAction(), data, LABELS)
        if errors:
            return self._plan_action_page(request, plan, action, form, 400, None, errors)
        try:
            self.disclosure.transition_plan(request.actor, plan_id, action, data)
        except DomainError as exc:
            return self._plan_action_page(request, plan, action, form, exc.status, i18n.translate(exc.message))
        return redirect(f"/console/plans/{plan_id}?done={action}", 303)
