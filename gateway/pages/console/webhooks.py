"""The administrator's webhook pages: every subscription (other county systems' and the
administrator's own), a new one for chosen event types (its signing secret shown once), one
subscription with its delivery attempts, and its actions — send a test message, rotate the
secret (shown once), switch back on one that was disabled after failures, delete it (its
waiting deliveries stop) — each through a confirmation page. The same RPCs as /api/v1/webhooks."""
from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request, Response

from services.common import i18n
from services.common.contract import CATALOGUE
from services.common.errors import DomainError

from ...labels import WEBHOOK_ACTION_NAMES, labels
from ..kit.pages import page, uncached

PRODUCER_NAMES = labels("service", ("units", "disclosure", "feedback", "supervision", "notify"))
ACTIONS = WEBHOOK_ACTION_NAMES
ATTEMPTS_SHOWN = 50
OUTCOMES = {"delivered": "已送达", "retry": "失败，将重试", "failed": "失败"}


def event_groups() -> list[dict[str, Any]]:
    """The catalogue's event types by producer, for the form's check boxes."""
    groups: dict[str, list[str]] = {}
    for name, event_type in sorted(CATALOGUE.items()):
        groups.setdefault(event_type.producer, []).append(name)
    return [{"producer": p, "label": PRODUCER_NAMES.get(p, p), "types": groups[p]}
            for p in PRODUCER_NAMES if p in groups]


class ConsoleWebhooks:
    """Mixed into GatewayService; needs `notify`, `access` and `web`."""

    def _hooks_page(self, request: Request, status: int = 200, **context: Any) -> Response:
        hooks = self.notify.list_webhooks(request.actor)
        context = {"created": None, "errors": {}, "form": {"url": "", "types": []}, **context}
        return uncached(self.web.page(request, "console/webhooks.html", status, title="推送订阅", hooks=hooks,
                                      groups=event_groups(), **context))

    @page("GET", "/console/webhooks")
    def console_webhooks(self, request: Request) -> Response:
        return self.renew_session(request, self._hooks_page(request))

    @page("POST", "/console/webhooks")
    def console_create_webhook(self, request: Request) -> Response:
        """A new subscription; its signing secret is on this answer only."""
        url = request.form_data.get("url", "")
        types = [t for t in request.form.getlist("event_types") if t in CATALOGUE][:len(CATALOGUE)]
        form, errors = {"url": url, "types": types}, {}
        if not url or len(url) > 2000:
            errors["url"] = "请填写推送地址（以 http:// 或 https:// 开头，最多 2000 个字符）。"
        if not types:
            errors["event_types"] = "请至少选择一种事件类型。"
        if errors:
            return self._hooks_page(request, 400, errors=errors, form=form)
        try:
            created = self.notify.create_webhook(request.actor, url, types)
        except DomainError as exc:
            message = i18n.translate(exc.message)
            field = "event_types" if "事件类型" in message else "url"
            return self._hooks_page(request, exc.status, errors={field: message}, form=form)
        return self._hooks_page(request, created=created)

    @page("GET", "/console/webhooks/<id:webhook_id>")
    def console_webhook(self, request: Request, webhook_id: int) -> Response:
        """A subscription and its latest delivery attempts, newest first."""
        hook = self.notify.get_webhook(request.actor, webhook_id)
        attempts = self.notify.webhook_deliveries(request.actor, webhook_id, ATTEMPTS_SHOWN, None)
        response = self.web.page(request, "console/webhook.html", title=f"推送订阅 {webhook_id}", hook=hook,
                                 attempts=attempts, actions=ACTIONS, outcomes=OUTCOMES)
        return self.renew_session(request, uncached(response))

    @page("GET", "/console/webhooks/<id:webhook_id>/<any(ping,rotate,enable,delete):action>")
    def console_confirm_webhook_action(self, request: Request, webhook_id: int, action: str) -> Response:
        hook = self.notify.get_webhook(request.actor, webhook_id)
        return uncached(self.web.page(request, "console/webhook_action.html", title=ACTIONS[action], hook=hook,
                                      action=action, label=ACTIONS[action], done=None, problem=None))

    @page("POST", "/console/webhooks/<id:webhook_id>/<any(ping,rotate,enable,delete):action>")
    def console_webhook_action(self, request: Request, webhook_id: int, action: str) -> Response:
        """Do it and say how it went (a rotated secret once, what the test message got back)."""
        actor = request.actor
        hook = self.notify.get_webhook(actor, webhook_id)
        method = {"ping": self.notify.ping_webhook, "rotate": self.notify.rotate_webhook_secret,
                  "enable": self.notify.enable_webhook, "delete": self.notify.delete_webhook}[action]
        done, problem, status = None, None, 200
        try:
            done = method(actor, webhook_id)
        except DomainError as exc:
            problem, status = i18n.translate(exc.message), exc.status
        response = self.web.page(request, "console/webhook_action.html", status,
                                 title=ACTIONS[action], hook=hook, action=action, label=ACTIONS[action], done=done,
                                 problem=problem)
        return uncached(response)
