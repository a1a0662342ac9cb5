"""Units learning from each other, in the console, for the county office: the 范例 marks (mark a
published item of a catalogue matter for a sector with a reason, each through a confirmation
page; end a mark with a reason) and the guidance notes per matter and sector (分类指导: write,
revise, retire, with who wrote and revised each and when), with disclosure's RPCs as the API
uses them (gateway/api/learning.py). The examples and notes beside the item editor are in
items.py; the portal's models page in gateway/pages/portal/public.py.

The form's fields are checked here (a Chinese message next to each); disclosure's refusals (an
item not published, outside the catalogue, already marked) are shown above the form. A guidance
form carries the revision it was made from: a note revised meanwhile is refused with who revised
it and when, and nothing is changed."""
from __future__ import annotations

from typing import Any

from marshmallow import fields, validate
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from services.common import i18n
from services.common.errors import DomainError
from services.common.shapes.learning import (EndExampleBody, MarkExampleBody, NewGuidanceBody, RetireGuidanceBody,
                                             ReviseGuidanceBody)

from ...labels import AUDIENCE_NAMES, SECTOR_NAMES
from ...params import OneOf, Query
from ...policy_areas.examples import EXAMPLE_END, GUIDANCE_ACTION
from ..kit.forms import validate_form
from ..kit.pages import page, uncached

LABELS = {"item_id": "公开事项编号", "sector": "领域", "reason": "理由", "entry_code": "目录事项", "title": "标题",
          "body": "指导内容", "revision": "版本"}
SHOWN = {"marked": "已标为范例。", "ended": "已取消范例。", "added": "已发布分类指导。", "revise": "已修改分类指导。",
         "retire": "已停用分类指导。"}


class DoneQuery(Query):
    done = OneOf(*SHOWN, description="what was just done, to say so")
    item = fields.Integer(validate=validate.Range(1, 2**31 - 1),
                          metadata={"description": "the item to mark, filled into the form"})


def _form(request: Request, *names: str) -> dict[str, str]:
    return {name: (request.form_data.get(name) or "").strip() for name in names}


def _body(form: dict[str, str], schema: Any, ints: tuple[str, ...] = ()) -> tuple[dict[str, Any], dict[str, str]]:
    data: dict[str, Any] = {k: v for k, v in form.items() if v and k not in ("confirm", "seen")}
    for name in ints:
        if name in data:
            data[name] = int(data[name]) if data[name].isdigit() and len(data[name]) < 10 else data[name]
    if "sector" in schema.fields and not form.get("sector"):
        data["sector"] = None
    _, errors = validate_form(schema, data, LABELS)
    return (data if not errors else {}), errors


class ConsoleLearning:
    """Mixed into GatewayService; needs `disclosure` and `web`."""

    def _matters(self) -> list[tuple[str, str]]:
        return [(e["code"], f"{e['code']} {e['matter']} · {e['sub_matter']}") for e in self.disclosure.list_catalogue({})]

    def _examples_page(self, request: Request, form: dict[str, str], errors: dict[str, str], status: int = 200,
                       problem: str | None = None) -> Response:
        marks = self.disclosure.list_examples(request.actor, {})
        return uncached(self.web.page(
            request, "console/examples.html", status, title="范例", marks=marks, form=form, errors=errors,
            problem=problem, sectors=SECTOR_NAMES, audiences=AUDIENCE_NAMES, done=SHOWN.get(request.params.get("done"))))

    @page("GET", "/console/examples", query=DoneQuery)
    def console_examples(self, request: Request) -> Response:
        item = request.params.get("item")
        return self.renew_session(request, self._examples_page(request, {"item_id": str(item or "")}, {}))

    @page("POST", "/console/examples")
    def console_mark_example(self, request: Request) -> Response:
        form = _form(request, "item_id", "sector", "reason")
        data, errors = _body(form, MarkExampleBody(), ("item_id",))
        if errors:
            return self._examples_page(request, form, errors, 400)
        if request.form_data.get("confirm") != "1":
            item = self.disclosure.get_item(request.actor, data["item_id"])
            return uncached(self.web.page(request, "console/example_confirm.html", title="确认标为范例", form=form,
                                          item=item, sectors=SECTOR_NAMES, audiences=AUDIENCE_NAMES))
        try:
            self.disclosure.mark_example(request.actor, data)
        except DomainError as exc:
            return self._examples_page(request, form, {}, exc.status, i18n.translate(exc.message))
        return redirect("/console/examples?done=marked", 303)

    def _end_page(self, request: Request, mark_id: int, form: dict[str, str], errors: dict[str, str],
                  status: int = 200, problem: str | None = None) -> Response:
        marks = self.disclosure.list_examples(request.actor, {"ended": True})
        mark = next((m for m in marks if m["id"] == mark_id), None)
        if mark is None:
            problem = problem or f"没有编号为 {mark_id} 的范例标记。"
        elif mark["ended_at"] and not problem:
            problem = f"这个范例已由 {mark['ended_by']} 取消，不需要再取消。"
        return uncached(self.web.page(request, "console/example_end.html", status if mark else 404,
                                      title="取消范例", mark=mark, form=form, errors=errors, problem=problem,
                                      sectors=SECTOR_NAMES))

    @page("GET", EXAMPLE_END)
    def console_end_example_form(self, request: Request, mark_id: int) -> Response:
        return self.renew_session(request, self._end_page(request, mark_id, {}, {}))

    @page("POST", EXAMPLE_END)
    def console_end_example(self, request: Request, mark_id: int) -> Response:
        form = _form(request, "reason")
        data, errors = _body(form, EndExampleBody())
        if errors:
            return self._end_page(request, mark_id, form, errors, 400)
        try:
            self.disclosure.unmark_example(request.actor, mark_id, data)
        except DomainError as exc:
            return self._end_page(request, mark_id, form, {}, exc.status, i18n.translate(exc.message))
        return redirect("/console/examples?done=ended", 303)

    @page("GET", "/console/guidance", query=DoneQuery)
    def console_guidance(self, request: Request) -> Response:
        notes = self.disclosure.list_guidance(request.actor, {})
        return self.renew_session(request, uncached(self.web.page(
            request, "console/guidance.html", title="分类指导", notes=notes, sectors=SECTOR_NAMES,
            done=SHOWN.get(request.params.get("done")))))

    def _guidance_form(self, request: Request, form: dict[str, str], errors: dict[str, str], status: int = 200,
                       problem: str | None = None, note: dict[str, Any] | None = None, action: str = "new") -> Response:
        titles = {"new": "写分类指导", "revise": "修改分类指导", "retire": "停用分类指导"}
        return uncached(self.web.page(request, "console/guidance_form.html", status, title=titles[action], form=form,
                                      errors=errors, problem=problem, note=note, action=action,
                                      matters=self._matters() if action == "new" else [], sectors=SECTOR_NAMES))

    @page("GET", "/console/guidance/new")
    def console_new_guidance(self, request: Request) -> Response:
        return self.renew_session(request, self._guidance_form(request, {}, {}))

    @page("POST", "/console/guidance")
    def console_add_guidance(self, request: Request) -> Response:
        form = _form(request, "entry_code", "sector", "title", "body")
        data, errors = _body(form, NewGuidanceBody())
        if errors:
            return self._guidance_form(request, form, errors, 400)
        if request.form_data.get("confirm") != "1":
            return uncached(self.web.page(request, "console/guidance_confirm.html", title="确认发布分类指导",
                                          form=form, note=None, action="new", sectors=SECTOR_NAMES,
                                          matter=dict(self._matters()).get(form["entry_code"], form["entry_code"])))
        try:
            self.disclosure.create_guidance(request.actor, data)
        except DomainError as exc:
            return self._guidance_form(request, form, {}, exc.status, i18n.translate(exc.message))
        return redirect("/console/guidance?done=added", 303)

    @page("GET", GUIDANCE_ACTION)
    def console_guidance_action_form(self, request: Request, note_id: int, action: str) -> Response:
        note = self.disclosure.get_guidance(request.actor, note_id)
        form = {"title": note["title"], "body": note["body"], "revision": str(note["revision"])}
        problem = f"这条分类指导已由 {note['retired_by']} 停用。" if note["retired_at"] else None
        return self.renew_session(request, self._guidance_form(request, form, {}, 200, problem, note, action))

    @page("POST", GUIDANCE_ACTION)
    def console_guidance_action(self, request: Request, note_id: int, action: str) -> Response:
        note = self.disclosure.get_guidance(request.actor, note_id)
        names = ("title", "body", "revision") if action == "revise" else ("reason", "revision")
        form = _form(request, *names)
        schema = ReviseGuidanceBody() if action == "revise" else RetireGuidanceBody()
        data, errors = _body(form, schema, ("revision",))
        if errors:
            return self._guidance_form(request, form, errors, 400, None, note, action)
        if action == "revise" and request.form_data.get("confirm") != "1":
            return uncached(self.web.page(request, "console/guidance_confirm.html", title="确认修改分类指导",
                                          form=form, note=note, action=action, sectors=SECTOR_NAMES, matter=None))
        try:
            if action == "revise":
                self.disclosure.revise_guidance(request.actor, note_id, data)
            else:
                self.disclosure.retire_guidance(request.actor, note_id, data)
        except DomainError as exc:
            return self._guidance_form(request, form, {}, exc.status, i18n.translate(exc.message), note, action)
        return redirect(f"/console/guidance?done={action}", 303)
