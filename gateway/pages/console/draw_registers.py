"""The 双随机 draw's standing registers and draws at a stated time in the console, for the
county office (supervision's RPCs as gateway/api/draws.py uses them):

- /console/draw-registers: the inspectors (each with their own unit, recused from it and below
  it) and the units to draw from, as they stand today, each entry with the buttons its
  `actions` allow; a form to add to each register, through a confirmation page;
- /console/draw-registers/<register>/<id>/end: take an entry out after a last day (yesterday by
  default, so it is out from today), through a confirmation page;
- /console/draws/new: plan a random inspection whose draw runs by itself at a stated time, from
  the registers as they stand then; the seed's SHA-256 is public on /draws/<id> at once.

Every form carries the register's revision (`seen`): when the register changed meanwhile,
supervision refuses with who changed it, and the refusal is shown next to the form, as are
its other refusals (a register too small for the rules, a draw time past)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from services.common import i18n
from services.common.errors import DomainError
from services.common.shapes.draws import (
    EndEntryBody,
    RegisterInspectorBody,
    RegisterUnitBody,
    ScheduledDrawBody,
)
from services.common.workdays import COUNTY_TIMEZONE, county_today

from ...labels import SECTOR_NAMES
from ...params import Flag, OneOf, Query
from ...policy_areas.office2 import REGISTER_PAGE
from ..kit.forms import validate_form
from ..kit.pages import page, uncached

REGISTERS = {  # register: (its name, the form's fields and their labels, its schema)
    "inspectors": ("检查人员名录", {"username": "用户名", "unit_code": "所在单位代码", "effective_from": "生效日期",
                                  "effective_until": "最后在册日"}, RegisterInspectorBody),
    "units": ("检查对象名录", {"unit_code": "单位代码", "effective_from": "生效日期", "effective_until": "最后在册日"},
              RegisterUnitBody),
}
STATES = {"upcoming": "待生效", "current": "在册", "ended": "已移出"}
SCOPES = {"county": "全县", "subtree": "某镇街或上级单位之下", "sector": "某行业"}
DRAW_FIELDS = {"title": "检查名称", "window_opens": "开始日期", "window_closes": "结束日期", "draw_day": "抽签日期",
               "draw_time": "抽签时刻", "scope": "抽取范围", "scope_value": "范围代码或行业", "count": "抽取单位数",
               "inspectors_to_draw": "每个单位检查人员数"}


class RegistersQuery(Query):
    done = OneOf("added", "ended", description="what was just done, to say so")
    ended = Flag("show the entries no longer in force too")


def filled(form: dict[str, str]) -> dict[str, str]:
    return {k: v.strip() for k, v in form.items() if v and v.strip()}


def draw_body(form: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The ScheduledDrawBody a draw form asks for, or the Chinese message of each field at fault."""
    errors: dict[str, str] = {}
    data: dict[str, Any] = {k: form[k] for k in ("title", "window_opens", "window_closes", "scope", "scope_value",
                                                 "count", "inspectors_to_draw") if form.get(k)}
    try:
        moment = datetime.fromisoformat(f"{form.get('draw_day', '')}T{form.get('draw_time', '')}")
        data["draw_at"] = moment.replace(tzinfo=COUNTY_TIMEZONE).isoformat()
    except ValueError:
        errors["draw_day"] = "请填写抽签的日期和时刻（如 2026-12-10 和 09:00）。"
    if data.get("scope", "county") != "county" and not data.get("scope_value"):
        errors["scope_value"] = "按镇街或行业抽取时，请填写镇街（上级单位）代码或行业。"
    if form.get("window_opens") and form.get("window_closes") and form["window_closes"] < form["window_opens"]:
        errors["window_closes"] = "结束日期不能早于开始日期。"
    _, wrong = validate_form(ScheduledDrawBody(), data, {**DRAW_FIELDS, "draw_at": "抽签时间"})
    errors = {**wrong, **errors}
    if "draw_at" in errors:
        errors.setdefault("draw_day", errors.pop("draw_at"))
        errors.pop("draw_at", None)
    return data, errors


class ConsoleDrawRegisters:
    """Mixed into GatewayService; needs `supervision` and `web`."""

    def _registers_page(self, request: Request, status: int = 200, forms: dict[str, dict[str, str]] | None = None,
                        errors: dict[str, dict[str, str]] | None = None, problems: dict[str, str] | None = None,
                        show_ended: bool = False) -> Response:
        registers = self.supervision.draw_registers(request.actor, None, show_ended)
        return uncached(self.web.page(
            request, "console/draw_registers.html", status, title="双随机抽查名录", registers=registers,
            names=REGISTERS, states=STATES, given=forms or {}, errors=errors or {}, problems=problems or {},
            done=request.params.get("done"), show_ended=show_ended))

    @page("GET", "/console/draw-registers", query=RegistersQuery)
    def console_draw_registers(self, request: Request) -> Response:
        return self.renew_session(request, self._registers_page(request, show_ended=bool(request.params.get("ended"))))

    @page("POST", REGISTER_PAGE)
    def console_add_register_entry(self, request: Request, register: str) -> Response:
        """The form's first post shows what would be added; the confirmation's post adds it."""
        name, labels, schema = REGISTERS[register]
        form = {k: request.form_data.get(k, "") for k in (*labels, "seen")}
        _, errors = validate_form(schema(), filled(form), labels)
        if errors:
            return self._registers_page(request, 400, {register: form}, {register: errors})
        if request.form_data.get("confirm") != "1":
            return uncached(self.web.page(request, "console/draw_register_confirm.html", title=f"确认加入{name}",
                                          register=register, name=name, form=form, labels=labels))
        try:
            self.supervision.add_register_entry(request.actor, register, filled(form))
        except DomainError as exc:
            return self._registers_page(request, exc.status, {register: form}, {},
                                        {register: i18n.translate(exc.message)})
        return redirect("/console/draw-registers?done=added", 303)

    def _register_entry(self, request: Request, register: str, entry_id: int) -> tuple[dict[str, Any], str]:
        registers = self.supervision.draw_registers(request.actor, None, True)
        found = next((e for e in registers[register] if e["id"] == entry_id), None)
        if found is None:
            register_name = REGISTERS[register][0]
            raise NotFound(f"{register_name}中没有第 {entry_id} 条")
        return found, registers[f"{register}_revision"]

    def _register_end_page(self, request: Request, register: str, entry: dict[str, Any], seen: str, form: dict[str, str],
                  status: int = 200, problem: str | None = None, errors: dict[str, str] | None = None) -> Response:
        return uncached(self.web.page(request, "console/draw_register_end.html", status, title="移出名录",
                                      register=register, name=REGISTERS[register][0], entry=entry, seen=seen,
                                      form=form, states=STATES, problem=problem, errors=errors or {}))

    @page("GET", REGISTER_PAGE + "/<id:entry_id>/end")
    def console_end_register_entry_form(self, request: Request, register: str, entry_id: int) -> Response:
        entry, seen = self._register_entry(request, register, entry_id)
        form = {"effective_until": (county_today() - timedelta(days=1)).isoformat()}
        problem = None if "end" in entry["actions"] else "这一条已经移出名录，不能再移出。"
        return self.renew_session(request, self._register_end_page(request, register, entry, seen, form, 200, problem))

    @page("POST", REGISTER_PAGE + "/<id:entry_id>/end")
    def console_end_register_entry(self, request: Request, register: str, entry_id: int) -> Response:
        entry, _ = self._register_entry(request, register, entry_id)
        form = {k: request.form_data.get(k, "") for k in ("effective_until", "seen")}
        _, errors = validate_form(EndEntryBody(), filled(form), {"effective_until": "最后在册日"})
        if errors:
            return self._register_end_page(request, register, entry, form["seen"], form, 400, None, errors)
        try:
            self.supervision.end_register_entry(request.actor, register, entry_id, filled(form))
        except DomainError as exc:
            return self._register_end_page(request, register, entry, form["seen"], form, exc.status,
                                  i18n.translate(exc.message))
        return redirect("/console/draw-registers?done=ended", 303)

    def _draw_form(self, request: Request, form: dict[str, str], errors: dict[str, str], status: int = 200,
                   problem: str | None = None) -> Response:
        registers = self.supervision.draw_registers(request.actor, None, False)
        return uncached(self.web.page(request, "console/draw_plan.html", status, title="定时双随机抽查", form=form,
                                      errors=errors, problem=problem, scopes=SCOPES, sectors=SECTOR_NAMES,
                                      in_force=registers["in_force"]))

    @page("GET", "/console/draws/new")
    def console_new_draw(self, request: Request) -> Response:
        today = county_today()
        form = {"draw_day": (today + timedelta(days=1)).isoformat(), "draw_time": "09:00", "scope": "county",
                "window_opens": (today + timedelta(days=7)).isoformat(),
                "window_closes": (today + timedelta(days=21)).isoformat(), "inspectors_to_draw": "2"}
        return self.renew_session(request, self._draw_form(request, form, {}))

    @page("POST", "/console/draws")
    def console_schedule_draw(self, request: Request) -> Response:
        """The form's first post shows what would be planned; the confirmation's post plans it."""
        form = {k: request.form_data.get(k, "").strip() for k in DRAW_FIELDS}
        data, errors = draw_body(form)
        if errors:
            return self._draw_form(request, form, errors, 400)
        if request.form_data.get("confirm") != "1":
            return uncached(self.web.page(request, "console/draw_plan_confirm.html", title="确认定时抽签", form=form,
                                          scopes=SCOPES, sectors=SECTOR_NAMES))
        try:
            planned = self.supervision.schedule_draw(request.actor, data)
        except DomainError as exc:
            return self._draw_form(request, form, {}, exc.status, i18n.translate(exc.message))
        return redirect(f"/console/inspections/{planned['id']}?planned=1", 303)
