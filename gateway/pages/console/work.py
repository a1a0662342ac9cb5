"""我的待办: each role's day's work on one page, from the same RPCs the API answers with.

- operator: obligations due soon (yellow) and overdue (red), drafts, items sent back with the
  reviewer's reason, feedback to accept and answer, rectifications due;
- reviewer: items waiting for 审核 and 审批, answers to approve;
- inspector (the county office): feedback held for moderation, extension requests, overdue
  obligations (each with its "send a reminder" button), inspections to record, open rectifications;
- admin: locked accounts, dead letters and webhooks disabled after failures, and the way to
  accounts, provisioning, the registry, API keys, webhooks and dead letters.

Reviewers act from here: each action is a button that opens a confirmation page (no script
needed), whose form posts the action; a refusal (the item moved on meanwhile, say) is shown in
words next to the item, and nothing changes.
"""
from __future__ import annotations

from typing import Any

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from services.common import i18n
from services.common.errors import DomainError

from ...labels import ITEM_BUTTON_NAMES, ITEM_STATUS_NAMES
from ...params import OneOf, Query
from . import calendar as calendar_pages
from . import feedback_actions
from . import inspections as inspection_pages
from .admin import admin_sections
from .item_pages import correction_diff, moved_on, seen_of
from ..kit.pages import page, uncached

ITEM_ACTIONS = ITEM_BUTTON_NAMES
FEW = 20


class DoneQuery(Query):
    done = OneOf(*ITEM_ACTIONS, description="the action just done, to say so")


def _items(self, actor: dict[str, Any], **filters: Any) -> list[dict[str, Any]]:
    return self.disclosure.list_items(actor, filters, FEW, None)["items"]


def _obligations(self, actor: dict[str, Any], **filters: Any) -> list[dict[str, Any]]:
    return self.disclosure.list_obligations(actor, filters, FEW, None)["items"]


def _feedback(self, actor: dict[str, Any], **filters: Any) -> list[dict[str, Any]]:
    return self.feedback.list_feedback(actor, filters, FEW, None)["items"]


def _feedback_to_do(self, actor: dict[str, Any], wanted: tuple[str, ...], **filters: Any) -> list[dict[str, Any]]:
    """The feedback rows, each with those of `wanted` actions its reader may take on it now."""
    return [dict(f, actions=[a for a in wanted if feedback_actions.applies(a, actor, f)])
            for f in _feedback(self, actor, **filters)]


def _rectifications(self, actor: dict[str, Any], **filters: Any) -> list[dict[str, Any]]:
    found = self.supervision.list_rectifications(actor, filters, FEW, None)
    return found["items"] if isinstance(found, dict) else found


def rejection_reason(item: dict[str, Any]) -> str | None:
    """The reason of the last step that sent a draft back, if that is how it became a draft."""
    trail = item.get("trail") or []
    last = trail[-1] if trail else None
    if last and last.get("to_status") == "draft" and last.get("from_status") not in (None, "draft"):
        return last.get("reason") or "（未写原因）"
    return None


def sections_for(self, actor: dict[str, Any]) -> list[dict[str, Any]]:
    """The work page's sections for the actor's role, each {title, kind, rows, empty}."""
    role = actor["role"]
    if role == "operator":
        drafts = _items(self, actor, status="draft")
        returned = [dict(i, reason=rejection_reason(i)) for i in drafts if rejection_reason(i)]
        return [
            {"title": "已逾期的公开任务", "kind": "obligations", "rows": _obligations(self, actor, status="overdue"),
             "empty": "没有逾期的任务。", "flag": "late"},
            {"title": "待完成的公开任务", "kind": "obligations", "rows": _obligations(self, actor, status="open"),
             "empty": "没有待完成的任务。", "flag": "due"},
            {"title": "被退回的事项", "kind": "items", "rows": returned, "empty": "没有被退回的事项。"},
            {"title": "草稿", "kind": "items", "rows": [i for i in drafts if not rejection_reason(i)],
             "empty": "没有草稿。", "actions": ("submit",)},
            {"title": "待受理和答复的意见建议", "kind": "feedback",
             "rows": [f for f in _feedback_to_do(self, actor, ("accept", "answer"))
                      if f["status"] in ("received", "accepted", "reopened")],
             "empty": "没有待办的意见建议。"},
            {"title": "待整改", "kind": "rectifications",
             "rows": [r for r in _rectifications(self, actor) if r.get("status") in ("open", "returned")],
             "empty": "没有待整改的问题。"},
        ]
    if role == "reviewer":
        return [
            {"title": "待审核的事项", "kind": "items", "rows": _items(self, actor, status="submitted"),
             "empty": "没有待审核的事项。", "actions": ("review", "reject")},
            {"title": "待审批的事项", "kind": "items", "rows": _items(self, actor, status="reviewed"),
             "empty": "没有待审批的事项。", "actions": ("approve", "reject")},
            {"title": "待审核的答复", "kind": "feedback",
             "rows": _feedback_to_do(self, actor, ("approve-answer", "reject-answer"), status="reviewing"),
             "empty": "没有待审核的答复。"},
        ]
    if role == "inspector":
        return [
            {"title": "待审核（被过滤）的意见建议", "kind": "feedback",
             "queue_link": ("/console/moderation", "全部待审核的意见"),
             "rows": _feedback_to_do(self, actor, ("release", "reject"), status="held"),
             "empty": "没有待审核的意见建议。"},
            {"title": "延期申请", "kind": "feedback", "queue_link": ("/console/extensions", "全部延期申请"),
             "rows": _feedback_to_do(self, actor, ("grant-extension", "refuse-extension"), extension="requested"),
             "empty": "没有待批的延期申请。"},
            {"title": "逾期的公开任务", "kind": "obligations", "rows": _obligations(self, actor, status="overdue"),
             "empty": "没有逾期的任务。", "flag": "late",
             "queue_link": ("/console/obligations?status=overdue", "全部逾期任务（可逐项催办）")},
            {"title": "待录入结果的检查", "kind": "inspections", "rows": inspection_pages.to_do(self, actor),
             "empty": "没有待录入结果的检查。", "queue_link": ("/console/inspections", "全部检查，安排检查")},
            {"title": "未完成的整改", "kind": "rectifications",
             "rows": [r for r in _rectifications(self, actor) if r.get("status") in ("open", "returned", "submitted")],
             "empty": "没有未完成的整改。"},
        ]
    if role == "secadmin":  # the security administrator unlocks
        locked = self.units.list_accounts(None, None, FEW, None, None, True)
        return [{"title": "被锁定的账号", "kind": "accounts", "rows": locked, "empty": "没有被锁定的账号。"}]
    if role == "admin":
        locked = self.units.list_accounts(None, None, FEW, None, None, True)
        return [{"title": "被锁定的账号", "kind": "accounts", "rows": locked, "empty": "没有被锁定的账号。"},
                *admin_sections(self, actor)]
    return []


class ConsoleWork:
    """Mixed into GatewayService; needs its proxies, `access` and `web`."""

    @page("GET", "/console", query=DoneQuery)
    def console_home(self, request: Request) -> Response:
        actor = request.actor
        done = request.params.get("done")
        response = self.web.page(request, "console/work.html", title="我的待办", sections=sections_for(self, actor),
                                 actions=ITEM_ACTIONS, statuses=ITEM_STATUS_NAMES,
                                 feedback_actions=feedback_actions.ACTIONS,
                                 request_done=f"已{ITEM_ACTIONS[done]}。" if done else None,
                                 calendar_missing=calendar_pages.missing_year(self, actor))
        return self.renew_session(request, uncached(response))

    @page("GET", "/console/items/<id:item_id>/<any(submit,review,approve,reject):action>")
    def console_confirm_item_action(self, request: Request, item_id: int, action: str) -> Response:
        """The confirmation of an action on an item: what it is (a correction as its diff against
        the published version), and the button that does it."""
        item = self.disclosure.get_item(request.actor, item_id)
        return self.renew_session(request, self._confirm_page(request, item, action))

    @page("POST", "/console/items/<id:item_id>/<any(submit,review,approve,reject):action>")
    def console_item_action(self, request: Request, item_id: int, action: str) -> Response:
        """Do it; a refusal is shown next to the form, in words, and nothing changed. A form shown
        before the item moved on is refused before anything is done, saying who did what and when."""
        reason = (request.form_data.get("reason") or "").strip()[:2000] or None
        seen = seen_of(request.form_data)
        if seen is not None:
            item = self.disclosure.get_item(request.actor, item_id)
            moved = moved_on(item, seen)
            if moved:
                return self._confirm_page(request, item, action, moved, 409)
        if action == "reject" and not reason:
            return self._item_refused(request, item_id, action, "退回时请写明原因，以便起草人修改。", 400)
        try:
            self.disclosure.transition_item(request.actor, item_id, action, reason)
        except DomainError as exc:
            return self._item_refused(request, item_id, action, i18n.translate(exc.message), exc.status, seen)
        return redirect(f"/console?done={action}", 303)

    def _item_refused(self, request: Request, item_id: int, action: str, message: str, status: int,
                      seen: int | None = None) -> Response:
        item = self.disclosure.get_item(request.actor, item_id)
        return self._confirm_page(request, item, action, (moved_on(item, seen) if status == 409 else None) or message,
                                  status)

    def _confirm_page(self, request: Request, item: dict[str, Any], action: str, problem: str | None = None,
                      status: int = 200) -> Response:
        return uncached(self.web.page(request, "console/confirm_item.html", status, title=ITEM_ACTIONS[action],
                                      item=item, action=action, label=ITEM_ACTIONS[action], problem=problem,
                                      statuses=ITEM_STATUS_NAMES, still_open=action in (item.get("actions") or ()),
                                      diff=correction_diff(self, request.actor, item)))
