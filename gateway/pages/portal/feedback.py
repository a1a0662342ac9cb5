"""The portal's feedback form on any item, unit or plan (the plan's comment form during its
consultation), its confirmation with the tracking code and the sender's PIN (shown once), and the
tracking page. The form is CSRF-protected (gateway/pages), has a honeypot that drops bot posts
silently, and counts against the gateway's feedback rate limit like POST /api/v1/feedback."""
from __future__ import annotations

from typing import Any

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from services.common.errors import DomainError
from services.common.shapes import feedback as shapes

from ...errors import ApiError
from ...params import Query, Text
from ..kit import cached, is_bot, page, uncached, validate_form
from ...labels import FEEDBACK_KIND_CHOICES, FEEDBACK_TARGET_NAMES as TARGET_WORDS
from .tracking import RATINGS

LABELS = {"target": "意见针对的对象", "target_kind": "意见针对的对象", "target_id": "意见针对的对象",
          "kind": "类别", "content": "内容", "contact": "联系方式"}


class TargetQuery(Query):
    target = Text(44, "what the feedback is about, as kind:id, e.g. item:12, unit:A001 or plan:3")


class TrackQuery(Query):
    code = Text(16, "the tracking code given when the feedback was sent")


def split_target(text: str | None) -> tuple[str, str] | None:
    kind, _, ident = (text or "").partition(":")
    if kind not in TARGET_WORDS or not ident or len(ident) > 32:
        return None
    return kind, ident


class PortalFeedbackRoutes:
    def _target(self, request: Request, target: tuple[str, str]) -> dict[str, Any]:
        """What the feedback is about, as the reader may see it ({kind, id, title, url}); 404 otherwise."""
        kind, ident = target
        if kind == "unit":
            unit = self.units.get_unit(ident, False)
            return {"kind": kind, "id": ident, "title": unit["name"], "url": f"/units/{ident}"}
        if not ident.isdigit() or not 0 < int(ident) < 2**31:
            raise ApiError(404, "not_found", f"没有找到{TARGET_WORDS[kind]} {ident}，请核对链接。")
        if kind == "item":
            found = self.disclosure.item_portal(getattr(request, "actor", None), int(ident))
            if "item" not in found:
                raise ApiError(404, "not_found", "这项公开事项已撤回，不再接收意见。")
            return {"kind": kind, "id": ident, "title": found["item"]["title"], "url": f"/items/{ident}"}
        plan = self.disclosure.get_plan(None, int(ident))
        return {"kind": kind, "id": ident, "title": plan.get("title") or f"{plan.get('year')}年实施方案",
                "url": f"/plans/{ident}"}

    def _form(self, request: Request, target: dict[str, Any], form: dict[str, Any], errors: dict[str, str],
              status: int = 200, problem: str | None = None, answer: str | None = None) -> Response:
        return uncached(self.web.page(request, "feedback_form.html", status, title="提意见建议", target=target,
                                      form=form, errors=errors, problem=problem, answer=answer,
                                      kinds=FEEDBACK_KIND_CHOICES, contact=self.feedback.contact_notice()))

    @page("GET", "/feedback/new", query=TargetQuery)
    def feedback_form(self, request: Request) -> Response:
        """The feedback form on an item, a unit or a plan."""
        target = split_target(request.params.get("target"))
        if target is None:
            raise ApiError(404, "not_found", "请从公开事项、党组织或实施方案的页面上点击“提意见建议”。")
        return self._closed_target(request, target) or \
            self._form(request, self._target(request, target), {"kind": "opinion"}, {})

    def _closed_target(self, request: Request, target: tuple[str, str]) -> Response | None:
        """A link to a unit merged into another or dissolved, or to a withdrawn item, is answered
        with the page that says what became of it (410, in Chinese, with the successor's link),
        not with a 404; None when the target is there."""
        kind, ident = target
        if kind == "unit":
            unit = self.units.get_unit(ident, False)
            return self._gone(request, unit) if unit["status"] != "active" else None
        if kind == "item" and ident.isdigit() and 0 < int(ident) < 2**31:
            found = self.disclosure.item_portal(getattr(request, "actor", None), int(ident))
            return self._item_page(request, int(ident)) if "withdrawn" in found else None
        return None

    @page("POST", "/feedback")
    def feedback_post(self, request: Request) -> Response:
        """Send the form: the confirmation with the tracking code and PIN, or the form again with
        the sender's text and what to change."""
        form = request.form_data
        target_ref = split_target(form.get("target"))
        if target_ref is None:
            raise ApiError(400, "invalid_input", "不知道这条意见针对哪个对象，请从相关页面重新打开表单。")
        if is_bot(form):  # answered like a success, stored nowhere
            return uncached(self.web.page(request, "feedback_done.html", title="已收到", receipt=None, target=None))
        closed = self._closed_target(request, target_ref)
        if closed is not None:  # merged, dissolved or withdrawn while the form was open: nothing stored
            return closed
        target = self._target(request, target_ref)
        data = {"target_kind": target_ref[0], "target_id": target_ref[1], "kind": form.get("kind", ""),
                "content": form.get("content", ""), "contact": form.get("contact") or None,
                "public": form.get("public") == "yes"}
        loaded, errors = validate_form(shapes.NEW_FEEDBACK, data, LABELS)
        if errors:
            return self._form(request, target, form, errors, 400)
        actor = getattr(request, "actor", None)
        member = actor["username"] if actor and actor["role"] == "member" else None
        try:
            receipt = self.feedback.submit_feedback(loaded, member)
        except DomainError as exc:
            if exc.status >= 500 or exc.status == 404:
                raise
            answer = (getattr(exc, "details", None) or {}).get("answer")  # a repeat whose first has a public answer
            return self._form(request, target, form, {}, exc.status, problem=exc.message, answer=answer)
        return uncached(self.web.page(request, "feedback_done.html", title="已收到您的意见建议", receipt=receipt,
                                      target=target))

    @page("GET", "/track", query=TrackQuery)
    def track_form(self, request: Request) -> Response:
        """Look up feedback by its tracking code."""
        code = (request.params.get("code") or "").strip().upper()
        if code:
            return redirect(f"/track/{code}", 303) if code.isalnum() else self.web.page(
                request, "track_form.html", 400, title="查询办理进度", code=code,
                errors={"code": "查询码只有字母和数字，请核对后再输入。"})
        return cached(request, self.web.page(request, "track_form.html", title="查询办理进度", code="", errors={}))

    @page("GET", "/track/<tracking:tracking_code>")
    def track_page(self, request: Request, tracking_code: str) -> Response:
        """Where the feedback stands: its steps, its deadlines and the approved answers."""
        found = self.feedback.track(tracking_code)
        response = self.web.page(request, "track.html", title=f"办理进度 {tracking_code}", fb=found, ratings=RATINGS)
        response.headers["Cache-Control"] = "private, no-cache"
        response.add_etag()
        return response.make_conditional(request)
