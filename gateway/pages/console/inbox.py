"""Each official's in-app messages (站内消息) and notification channels in the console:
- /console/inbox: the latest messages, unread first marked, each with the link to where its
  reader acts; one message or all marked read (a form each, no script);
- /console/preferences: the person's own channels (email, SMS, robots, in-app), quiet hours and
  digest choice over the county's defaults;
- the console bar's unread count (`UnreadCount`: asked of notify when a console page draws its
  bar, never when notify is away — the bar then shows no number rather than no page).
The same RPCs as /api/v1/notifications and /api/v1/notification-preferences."""
from __future__ import annotations

from typing import Any, Callable
from urllib.parse import urlsplit

from nameko.extensions import DependencyProvider
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from services.common import i18n
from services.common.errors import DomainError

from ...errors import ApiError
from ...params import OneOf, Query
from ..kit.pages import page, uncached

SHOWN = 100
CHANNEL_NAMES = {"inbox": "站内消息", "email": "电子邮件", "sms": "短信", "wecom": "企业微信群机器人",
                 "dingtalk": "钉钉群机器人"}


class InboxQuery(Query):
    done = OneOf("read", "saved", description="what was just done, to say so")


def unread_of(service: Any, actor: dict[str, Any]) -> Callable[[], int | None]:
    """The reader's unread count, asked at most once and only if the page draws it."""
    asked: list[int | None] = []

    def count() -> int | None:
        if not asked:
            try:
                asked.append(service.notify.list_notifications(actor, True, 1)["unread"])
            except ApiError:  # notify is away: the bar goes without its number
                asked.append(None)
        return asked[0]
    return count


class UnreadCount(DependencyProvider):
    """Gives a signed-in console request `unread()`, the number in the console bar."""

    def worker_setup(self, worker_ctx: Any) -> None:
        request = worker_ctx.args[0] if worker_ctx.args else None
        actor = getattr(request, "actor", None)
        if isinstance(request, Request) and actor and request.path.startswith("/console"):
            request.unread = unread_of(worker_ctx.service, actor)


def in_app(link: str | None) -> str:
    """A message's link as a path on this site (the message stores the public address)."""
    parts = urlsplit(link or "/console")
    return parts.path + (f"?{parts.query}" if parts.query else "")


class ConsoleInbox:
    """Mixed into GatewayService; needs `notify` and `web`."""

    unread_count = UnreadCount()

    @page("GET", "/console/inbox", query=InboxQuery)
    def console_inbox(self, request: Request) -> Response:
        found = self.notify.list_notifications(request.actor, False, SHOWN, None)
        messages = [{**m, "path": in_app(m["link"])} for m in found["items"]]
        return self.renew_session(request, uncached(self.web.page(
            request, "console/inbox.html", title="站内消息", messages=messages, unread=lambda: found["unread"],
            done=request.params.get("done"))))

    @page("POST", "/console/inbox/read", form_page="/console/inbox")
    def console_mark_read(self, request: Request) -> Response:
        """One message (`id`) or, without one, all of them read."""
        chosen = request.form_data.get("id") or ""
        self.notify.mark_notifications_read(request.actor, [int(chosen)] if chosen.isdigit() else None)
        return redirect("/console/inbox?done=read", 303)

    @page("GET", "/console/preferences", query=InboxQuery)
    def console_preferences(self, request: Request) -> Response:
        prefs = self.notify.get_preferences(request.actor)
        return self.renew_session(request, uncached(self.web.page(
            request, "console/preferences.html", title="通知设置", prefs=prefs, names=CHANNEL_NAMES,
            done=request.params.get("done"))))

    @page("POST", "/console/preferences")
    def console_set_preferences(self, request: Request) -> Response:
        """Each channel on when its box is ticked (an unticked box is not sent: off); the quiet
        hours (the county's, none, or the person's own from–to) and the digest choice. A refusal
        (quiet hours not as 22:00-07:30) is shown next to the form, nothing saved."""
        form = request.form_data
        channels = {c: form.get(f"ch-{c}") == "on" for c in CHANNEL_NAMES}
        quiet = {"default": "default", "none": ""}.get(form.get("quiet", "default"),
                                                       f"{form.get('quiet_from', '')}-{form.get('quiet_to', '')}")
        digest = {"yes": True, "no": False}.get(form.get("digest", "default"), "default")
        try:
            self.notify.set_preferences(request.actor, channels, False, quiet, digest)
        except DomainError as exc:
            if exc.status >= 500:
                raise
            prefs = self.notify.get_preferences(request.actor)
            return uncached(self.web.page(request, "console/preferences.html", exc.status, title="通知设置",
                                          prefs=prefs, names=CHANNEL_NAMES, problem=i18n.translate(exc.message),
                                          kept=form))
        return redirect("/console/preferences?done=saved", 303)
