"""The console's feedback pages (意见建议办理), from the feedback service's RPCs as the API uses them:

- the case page: the text, who sent it and when (no more of the sender than the API shows the
  answering unit), what it is about, the answer deadline (yellow when due soon, red when
  overdue), the answers drafted, the trail, and the buttons its reader may press now;
- one confirmation page per action (受理, 答复, 审核通过/退回答复, 申请延期, 不予受理, 放行, 转办,
  批准/不批准延期; gateway/pages/console/feedback_actions.py), whose form posts it; a refusal is shown in
  words next to the form, the text kept, nothing changed; a form the case outran (someone else
  acted meanwhile) is a 409 saying who did what when;
- the county office's queues: feedback held by the word screen (审核放行 or 不予受理), and the
  units' extension requests (批准 or 不批准), linked from 我的待办.
"""
from __future__ import annotations

from typing import Any

from marshmallow import fields, validate
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from services.common import i18n
from services.common.errors import DomainError

from ...params import MAX_ID, OneOf, Query
from ...audit_entry import audited_read
from ...labels import FEEDBACK_KIND_NAMES
from . import feedback_actions as actions
from ..kit.pages import page, uncached

KINDS = FEEDBACK_KIND_NAMES
QUEUE_SIZE = 30
QUEUES = {"moderation": {"title": "待审核（被过滤）的意见建议", "filters": {"status": "held"},
                         "actions": ("release", "reject"), "empty": "没有待审核的意见建议。",
                         "about": "这些意见含有敏感词，被暂时拦下，办理单位还看不到。请逐条审核：放行后送办理单位，或不予受理并写明原因。"},
          "extensions": {"title": "延期申请", "filters": {"extension": "requested"},
                         "actions": ("grant-extension", "refuse-extension"), "empty": "没有待批的延期申请。",
                         "about": "办理单位申请延长答复期限（每条意见一次，最多 15 个工作日）。打开一条可看到申请的天数和理由。"}}


class DoneQuery(Query):
    done = OneOf(*actions.ACTIONS, description="the action just done, to say so")


class QueueQuery(Query):
    after = fields.Integer(validate=validate.Range(1, MAX_ID),
                           metadata={"description": "the last id of the previous page"})


def page_context(feedback: dict[str, Any]) -> dict[str, Any]:
    return {"fb": feedback, "kinds": KINDS, "sources": actions.SOURCES, "answer_statuses": actions.ANSWER_STATUSES,
            "extension_statuses": actions.EXTENSION_STATUSES, "person": actions.person, "all_actions": actions.ACTIONS,
            "open_statuses": actions.OPEN}


class ConsoleFeedback:
    """Mixed into GatewayService; needs `feedback`, `access` and `web`."""

    def _case(self, request: Request, feedback_id: int) -> dict[str, Any]:
        audited_read(request)  # the case shows its sender's contact
        return self.feedback.get_feedback(request.actor, feedback_id)

    @page("GET", "/console/feedback/<id:feedback_id>", query=DoneQuery)
    def console_feedback(self, request: Request, feedback_id: int) -> Response:
        feedback = self._case(request, feedback_id)
        done = request.params.get("done")
        response = self.web.page(request, "console/feedback.html", title=f"意见建议 {feedback['tracking_code']}",
                                 next_actions=actions.available(request.actor, feedback),
                                 done=actions.ACTIONS[done].done if done else None, **page_context(feedback))
        return self.renew_session(request, uncached(response))

    def _confirmation(self, request: Request, feedback: dict[str, Any], action: str, status: int = 200,
                      form: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                      problem: str | None = None) -> Response:
        """The action's page: the case in short, its form (or why it cannot be done now)."""
        spec = actions.ACTIONS[action]
        if form is None:
            returned = actions.returned_answer(feedback) if action == "answer" else None
            form = {"body": returned["body"]} if returned else {}
        usable = actions.applies(action, request.actor, feedback)
        if not usable and problem is None:
            problem, status = actions.why_not(action, request.actor, feedback)
        return uncached(self.web.page(
            request, "console/feedback_action.html", status, title=f"确认：{spec.label}", action=action, spec=spec,
            form=form, errors=errors or {}, problem=problem, usable=usable,
            seen=len(feedback.get("steps") or []), pending=actions.pending_answer(feedback),
            returned=actions.returned_answer(feedback), **page_context(feedback)))

    @page("GET", actions.RULE)
    def console_confirm_feedback_action(self, request: Request, feedback_id: int, action: str) -> Response:
        return self._confirmation(request, self._case(request, feedback_id), action)

    @page("POST", actions.RULE)
    def console_feedback_action(self, request: Request, feedback_id: int, action: str) -> Response:
        """Do it, then the case page says so; otherwise the form again with the refusal by it."""
        form = {k: v for k, v in request.form_data.items() if k not in ("csrf_token", "seen")}
        seen = actions.seen_of(request.form_data)
        feedback = self._case(request, feedback_id)
        stale = actions.moved_on(feedback, seen)
        if stale:
            return self._confirmation(request, feedback, action, 409, form, problem=stale)
        body, errors = actions.body_of(action, form)
        if errors:
            return self._confirmation(request, feedback, action, 400, form, errors)
        try:
            self.feedback.act(request.actor, feedback_id, actions.ACTIONS[action].rpc, body)
        except DomainError as exc:
            fresh = self._case(request, feedback_id)
            stale = actions.moved_on(fresh, seen)
            if stale:
                return self._confirmation(request, fresh, action, 409, form, problem=stale)
            message = i18n.translate(exc.message)
            field_errors = {"unit_code": message} if action == "transfer" and exc.status in (409, 422) else {}
            return self._confirmation(request, fresh, action, exc.status, form, field_errors, problem=message)
        return redirect(f"/console/feedback/{feedback_id}?done={action}", 303)

    def _queue(self, request: Request, name: str) -> Response:
        queue = QUEUES[name]
        found = self.feedback.list_feedback(request.actor, queue["filters"], QUEUE_SIZE,
                                            request.params.get("after"))
        rows = [dict(f, actions=[a for a in queue["actions"] if actions.applies(a, request.actor, f)])
                for f in found["items"]]
        response = self.web.page(request, "console/feedback_queue.html", title=queue["title"], queue=queue,
                                 rows=rows, more=found.get("next"), path_of_queue=f"/console/{name}",
                                 kinds=KINDS, all_actions=actions.ACTIONS, open_statuses=actions.OPEN)
        return self.renew_session(request, uncached(response))

    @page("GET", "/console/moderation", query=QueueQuery)
    def console_moderation(self, request: Request) -> Response:
        return self._queue(request, "moderation")

    @page("GET", "/console/extensions", query=QueueQuery)
    def console_extensions(self, request: Request) -> Response:
        return self._queue(request, "extensions")
