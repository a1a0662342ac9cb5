"""The county office's models and comments in the console, from supervision's RPCs:

- /console/candidates: the model candidates (典型候选) per sector with the facts that made them:
  each of the last three months' score against the model score, no unresolved rectification,
  no feedback left overdue (supervision's candidates); nominating one stays the API's
  POST /api/v1/candidates/{code}/nominate and units' designation flow;
- /console/comments (?unit=, ?period=): leaders' comments (领导点评) with their grades, and the
  office's form to add one (a unit, a period, a grade and the text), refused next to its fields
  and, by supervision, in words above the form, nothing recorded."""
from __future__ import annotations

import re

from marshmallow import fields, validate
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from services.common import i18n
from services.common.errors import DomainError
from services.common.workdays import county_today

from ...labels import GRADE_NAMES, SECTOR_NAMES
from ...params import Query, UnitCode
from ..kit.pages import page, uncached

PERIOD = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4]|-H[12])?$")
CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class CommentsQuery(Query):
    unit = UnitCode("the unit whose comments to list")
    period = fields.String(validate=validate.Regexp(PERIOD, error="期间应为 2026、2026-H1、2026-Q3 或 2026-07"),
                           metadata={"description": "the period commented on"})


def comment_errors(form: dict[str, str]) -> dict[str, str]:
    errors = {}
    if not CODE.match(form.get("unit_code", "")):
        errors["unit_code"] = "请填写单位代码（如 A001）。"
    if not PERIOD.match(form.get("period", "")):
        errors["period"] = "期间应为年份、半年、季度或月份，如 2026、2026-H1、2026-Q3、2026-07。"
    if form.get("grade") not in GRADE_NAMES:
        errors["grade"] = "请选择评价等次。"
    if not 1 <= len(form.get("text", "").strip()) <= 5000:
        errors["text"] = "请写明点评内容（5000 字以内）。"
    return errors


class ConsoleProgramme:
    """Mixed into GatewayService; needs `supervision` and `web`."""

    @page("GET", "/console/candidates")
    def console_candidates(self, request: Request) -> Response:
        found = self.supervision.candidates(None, None)
        return self.renew_session(request, uncached(self.web.page(
            request, "console/candidates.html", title="典型候选", found=found, sectors=SECTOR_NAMES)))

    def _comments_page(self, request: Request, form: dict[str, str], errors: dict[str, str], status: int = 200,
                       problem: str | None = None) -> Response:
        query = request.params
        listed = self.supervision.list_comments(query.get("unit"), query.get("period"))
        return uncached(self.web.page(request, "console/comments.html", status, title="领导点评",
                                      comments=list(reversed(listed)), grades=GRADE_NAMES, form=form, errors=errors,
                                      problem=problem))

    @page("GET", "/console/comments", query=CommentsQuery)
    def console_comments(self, request: Request) -> Response:
        form = {"unit_code": request.params.get("unit", ""), "period": county_today().strftime("%Y-%m")}
        return self.renew_session(request, self._comments_page(request, form, {}))

    @page("POST", "/console/comments", query=CommentsQuery)
    def console_add_comment(self, request: Request) -> Response:
        form = {k: request.form_data.get(k, "").strip() for k in ("unit_code", "period", "grade", "text")}
        errors = comment_errors(form)
        if errors:
            return self._comments_page(request, form, errors, 400)
        try:
            made = self.supervision.add_comment(request.actor, form)
        except DomainError as exc:
            return self._comments_page(request, form, {}, exc.status, i18n.translate(exc.message))
        return redirect(f"/console/comments?unit={made['unit_code']}", 303)
