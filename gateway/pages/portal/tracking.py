"""What the sender does on the tracking page with the PIN given with the tracking code (no
script): rate the answer (满意 / 基本满意 / 不满意, with a comment; 不满意 reopens it while the
rule allows), ask for it to be handled again (within the rule's working days after the
answer, at most the rule's number of times), or erase their contact (a confirmation page first;
nothing else changes, and no further notice is sent). feedback decides; a refusal (a wrong PIN, nothing
answered yet to rate, a third reopen, too late) is shown on the same page in words, with what
was typed kept but the PIN, and nothing changed."""
from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request, Response

from services.common import i18n
from services.common.errors import DomainError

from ...labels import labels
from ..kit import page, uncached

RATINGS = labels("feedback_rating", ("satisfied", "basically_satisfied", "unsatisfied"))
DONE = {"rate": "已收到您的评价。", "reopen": "已申请重新办理，答复单位会重新答复。",
        "erase": "已删除您的联系方式。办理照常进行，之后不再给您发短信或邮件，请凭查询码查看进度。"}


class PortalTrackingActions:
    """Mixed into GatewayService; needs `feedback` and `web`."""

    def _tracked(self, request: Request, tracking_code: str, status: int = 200, **context: Any) -> Response:
        found = context.pop("fb", None) or self.feedback.track(tracking_code)
        return uncached(self.web.page(request, "track.html", status, title=f"办理进度 {tracking_code}", fb=found,
                                      ratings=RATINGS, **context))

    @page("POST", "/track/<tracking:tracking_code>/<any(rate,reopen):action>")
    def track_action(self, request: Request, tracking_code: str, action: str) -> Response:
        form = request.form_data
        data = {"secret": form.get("secret", ""), "rating": form.get("rating", ""),
                "comment": form.get("comment") or None} if action == "rate" else \
            {"secret": form.get("secret", ""), "reason": form.get("reason") or None}
        try:
            found = (self.feedback.rate if action == "rate" else self.feedback.reopen)(tracking_code, data)
        except DomainError as exc:
            if exc.status == 404:
                raise
            kept = {k: v for k, v in form.items() if k != "secret"}
            return self._tracked(request, tracking_code, exc.status, problem=i18n.translate(exc.message),
                                 action=action, kept=kept)
        return self._tracked(request, tracking_code, fb=found, done=DONE[action])

    @page("GET", "/track/<tracking:tracking_code>/erase")
    def erase_contact_form(self, request: Request, tracking_code: str) -> Response:
        """The confirmation page: what erasing the contact does, and the PIN it needs."""
        return self._erase_page(request, tracking_code, self.feedback.track(tracking_code))

    @page("POST", "/track/<tracking:tracking_code>/erase")
    def erase_contact(self, request: Request, tracking_code: str) -> Response:
        """Erase the sender's contact; a refusal (a wrong PIN, nothing left to erase) on the same page."""
        try:
            found = self.feedback.erase_contact(tracking_code, {"secret": request.form_data.get("secret", "")})
        except DomainError as exc:
            if exc.status == 404:
                raise
            return self._erase_page(request, tracking_code, self.feedback.track(tracking_code), exc.status,
                                    problem=i18n.translate(exc.message))
        return self._tracked(request, tracking_code, fb=found, done=DONE["erase"])

    def _erase_page(self, request: Request, tracking_code: str, found: dict[str, Any], status: int = 200,
                    **context: Any) -> Response:
        return uncached(self.web.page(request, "track_erase.html", status, title="删除我的联系方式", fb=found,
                                      **context))
