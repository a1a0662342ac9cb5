"""The catalogue (公开目录) in the console, for the county office: its matters in force, one
matter with every version, and adding, revising (a new version from a date, with why) and
retiring one, each through a confirmation page, with disclosure's RPCs as the API uses them
(add_catalogue_entry, revise_catalogue_entry, retire_catalogue_entry). The buttons are the
`actions` disclosure returns with the matter.

The form's fields are checked here one by one (a Chinese message next to each); disclosure's
refusals (a code taken, a date in the past, a revision that changes nothing) are shown above
the form. A form carries the matter's version it was made from (`seen`): when the matter
changed meanwhile the post is refused with who changed it, and nothing is changed."""
from __future__ import annotations

from typing import Any

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from services.common import i18n
from services.common.contract import AUDIENCES
from services.common.errors import DomainError
from services.common.shapes.disclosure import (
    CARRIERS,
    FREQUENCIES,
    RULE_FIELDS,
    CatalogueRetirement,
    CatalogueRevision,
    NewCatalogueEntry,
)

from ...labels import AUDIENCE_NAMES, SECTOR_NAMES, labels
from ...params import OneOf, Query
from ...policy_areas.office2 import CATALOGUE_ACTION
from ..kit.forms import validate_form
from ..kit.pages import page, uncached

FREQUENCY_NAMES = labels("frequency", FREQUENCIES)
LABELS = {"code": "事项代码", "matter": "一级事项", "sub_matter": "二级事项", "content_elements": "公开内容（要素）",
          "basis": "公开依据", "time_limit": "公开时限", "audience": "公开范围", "carriers": "公开载体",
          "sectors": "适用行业", "frequency": "公开频次", "days": "天数", "valid_from": "生效日期",
          "change_note": "修改说明"}
TEXTS = ("code", "matter", "sub_matter", "content_elements", "basis", "time_limit", "audience", "frequency", "days",
         "valid_from", "change_note")
RULE_DAYS = {"grace_days": "期满后几个工作日内公开", "within_days": "几个工作日内公开", "display_days": "决定前公示几天"}


class DoneQuery(Query):
    done = OneOf("added", "revise", "retire", description="what was just done, to say so")


def read(request: Request) -> dict[str, Any]:
    form: dict[str, Any] = {k: request.form_data.get(k, "") for k in (*TEXTS, "seen", "reason", "valid_to")}
    form["carriers"] = [c for c in request.form.getlist("carriers") if c in CARRIERS]
    form["sectors"] = [s for s in request.form.getlist("sectors") if s in SECTOR_NAMES]
    return form


def entry_body(form: dict[str, Any], new: bool) -> tuple[dict[str, Any], dict[str, str]]:
    """The body of add_catalogue_entry (new) or revise_catalogue_entry, or each field's message."""
    errors: dict[str, str] = {}
    data: dict[str, Any] = {k: form[k] for k in TEXTS if form.get(k) and k != "days"}
    if not new:
        data.pop("code", None)
    data["carriers"], data["sectors"] = form["carriers"], form["sectors"]
    frequency = form.get("frequency")
    if frequency in RULE_FIELDS:
        if not form.get("days", "").isdigit():
            errors["days"] = f"请填写{RULE_DAYS[RULE_FIELDS[frequency]]}（整数）。"
        else:
            data[RULE_FIELDS[frequency]] = int(form["days"])
    for name in ("carriers", "sectors"):
        if not form[name]:
            errors[name] = f"请至少选一项{LABELS[name]}。"
    schema = NewCatalogueEntry() if new else CatalogueRevision()
    _, wrong = validate_form(schema, data, LABELS)
    for rule in RULE_DAYS:  # the rule column's message goes next to the days field
        if rule in wrong:
            wrong.setdefault("days", f"{RULE_DAYS[rule]}的天数不在允许范围内（预公开对社会至少 15 天、党内至少 7 天）。")
            wrong.pop(rule)
    return data, {**wrong, **errors}


def form_of(entry: dict[str, Any]) -> dict[str, Any]:
    """A revision form filled from the matter's current version."""
    rule = RULE_FIELDS.get(entry["frequency"])
    return {**{k: str(entry.get(k) or "") for k in TEXTS}, "carriers": entry["carriers"], "sectors": entry["sectors"],
            "days": str(entry.get(rule) or ""), "valid_from": "", "change_note": ""}


def moved_on(history: dict[str, Any], seen: str) -> str | None:
    """When the matter has a version or a retirement the form had not seen: who, to say so."""
    latest = history["versions"][-1]
    now = f"{latest['version']}:{latest['valid_to'] or ''}"
    if not seen or seen == now:
        return None
    who = latest.get("retired_by") or latest["changed_by"]
    return f"事项 {latest['code']} 在您打开表单后已由 {who} 修改，请刷新后再办理。"


def seen_of(history: dict[str, Any]) -> str:
    latest = history["versions"][-1]
    return f"{latest['version']}:{latest['valid_to'] or ''}"


class ConsoleCatalogue:
    """Mixed into GatewayService; needs `disclosure` and `web`."""

    def _catalogue_choices(self) -> dict[str, Any]:
        return {"audiences": AUDIENCE_NAMES, "frequencies": FREQUENCY_NAMES, "carrier_options": [(c, c) for c in CARRIERS],
                "sectors": SECTOR_NAMES, "rule_days": RULE_DAYS, "rule_fields": RULE_FIELDS, "labels": LABELS}

    @page("GET", "/console/catalogue", query=DoneQuery)
    def console_catalogue(self, request: Request) -> Response:
        entries = self.disclosure.list_catalogue({})
        return self.renew_session(request, uncached(self.web.page(
            request, "console/catalogue.html", title="公开目录", entries=entries, done=request.params.get("done"),
            **self._catalogue_choices())))

    def _catalogue_form(self, request: Request, form: dict[str, Any], errors: dict[str, str], status: int = 200,
                    problem: str | None = None, code: str | None = None, seen: str = "") -> Response:
        return uncached(self.web.page(request, "console/catalogue_form.html", status,
                                      title=f"修订事项 {code}" if code else "新增目录事项", form=form, errors=errors,
                                      problem=problem, code=code, seen=seen, **self._catalogue_choices()))

    @page("GET", "/console/catalogue/new")
    def console_new_catalogue_entry(self, request: Request) -> Response:
        form = {"audience": "society", "frequency": "on_event", "carriers": [], "sectors": []}
        return self.renew_session(request, self._catalogue_form(request, form, {}))

    @page("POST", "/console/catalogue")
    def console_add_catalogue_entry(self, request: Request) -> Response:
        form = read(request)
        data, errors = entry_body(form, new=True)
        if errors:
            return self._catalogue_form(request, form, errors, 400)
        if request.form_data.get("confirm") != "1":
            return uncached(self.web.page(request, "console/catalogue_confirm.html", title="确认新增目录事项",
                                          form=form, data=data, code=None, seen="", **self._catalogue_choices()))
        try:
            added = self.disclosure.add_catalogue_entry(request.actor, data)
        except DomainError as exc:
            return self._catalogue_form(request, form, {}, exc.status, i18n.translate(exc.message))
        return redirect(f"/console/catalogue/{added['code']}?done=added", 303)

    @page("GET", "/console/catalogue/<code:code>", query=DoneQuery)
    def console_catalogue_entry(self, request: Request, code: str) -> Response:
        history = self.disclosure.get_catalogue_entry(code)
        return self.renew_session(request, uncached(self.web.page(
            request, "console/catalogue_entry.html", title=f"目录事项 {code}", history=history, code=code,
            done=request.params.get("done"), **self._catalogue_choices())))

    def _catalogue_action_page(self, request: Request, code: str, action: str, history: dict[str, Any], form: dict[str, Any],
                     errors: dict[str, str], status: int = 200, problem: str | None = None) -> Response:
        if action == "revise":
            return self._catalogue_form(request, form, errors, status, problem, code, form.get("seen") or seen_of(history))
        return uncached(self.web.page(request, "console/catalogue_retire.html", status, title=f"停用事项 {code}",
                                      history=history, code=code, form=form, errors=errors, problem=problem,
                                      seen=form.get("seen") or seen_of(history)))

    @page("GET", CATALOGUE_ACTION)
    def console_catalogue_action_form(self, request: Request, code: str, action: str) -> Response:
        history = self.disclosure.get_catalogue_entry(code)
        problem = None if action in history["actions"] else f"事项 {code} 已停用，不能再修订或停用。"
        form = form_of(history["current"] or history["versions"][-1]) if action == "revise" else {}
        return self.renew_session(request, self._catalogue_action_page(request, code, action, history, form, {}, 200, problem))

    @page("POST", CATALOGUE_ACTION)
    def console_catalogue_action(self, request: Request, code: str, action: str) -> Response:
        history = self.disclosure.get_catalogue_entry(code)
        form = read(request)
        stale = moved_on(history, form["seen"])
        if stale:
            return self._catalogue_action_page(request, code, action, history, form, {}, 409, stale)
        if action == "revise":
            data, errors = entry_body(form, new=False)
        else:
            data = {k: form[k] for k in ("reason", "valid_to") if form.get(k)}
            _, errors = validate_form(CatalogueRetirement(), data, {"reason": "停用理由", "valid_to": "最后生效日"})
        if errors:
            return self._catalogue_action_page(request, code, action, history, form, errors, 400)
        if action == "revise" and request.form_data.get("confirm") != "1":
            return uncached(self.web.page(request, "console/catalogue_confirm.html", title=f"确认修订事项 {code}",
                                          form=form, data=data, code=code, seen=form["seen"], **self._catalogue_choices()))
        try:
            if action == "revise":
                self.disclosure.revise_catalogue_entry(request.actor, code, data)
            else:
                self.disclosure.retire_catalogue_entry(request.actor, code, data)
        except DomainError as exc:
            return self._catalogue_action_page(request, code, action, history, form, {}, exc.status, i18n.translate(exc.message))
        return redirect(f"/console/catalogue/{code}?done={action}", 303)


assert set(AUDIENCE_NAMES) == set(AUDIENCES)
