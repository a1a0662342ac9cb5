"""催办: the county office sends a unit a reminder for an open or overdue obligation, from the
overdue lists (我的待办 and /console/obligations). The button opens a confirmation page that
says what the obligation is, whom the reminder reaches (the unit's liaison, 联络员: email,
in-app message, SMS) and when the unit was last reminded; its form posts the reminder to
disclosure's remind_obligation, which records it and emits ObligationReminded for notify.

A refusal (reminded within the last 24 hours, fulfilled or waived meanwhile) is shown on the
confirmation page in words, and nothing is sent."""
from __future__ import annotations

from typing import Any

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from services.common import i18n
from services.common.errors import DomainError

from ...audit_entry import audited_read
from ..kit.pages import page, uncached

REMINDABLE = ("open", "overdue")
NOTE_MAX = 500


def _liaison(self, unit_code: str) -> tuple[str, dict[str, Any] | None]:
    """The unit's name and its liaison (name, email, phone) as the registry has them."""
    try:
        unit = self.units.get_unit(unit_code, True)
    except DomainError:
        return unit_code, None
    liaison = next((o for o in unit.get("officials") or () if o.get("role") == "liaison"), None)
    return unit.get("name") or unit_code, liaison


def last_reminders(self, actor: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The latest reminder of each row that can still be reminded, keyed by the obligation id as text."""
    ids = [r["id"] for r in rows if r.get("status") in REMINDABLE]
    if not ids or actor.get("role") != "inspector":
        return {}
    return self.disclosure.obligation_reminders(actor, ids)


class ConsoleReminders:
    """Mixed into GatewayService; needs `disclosure`, `units`, `access` and `web`."""

    def _reminder_page(self, request: Request, obligation_id: int, status: int = 200, problem: str | None = None,
                       note: str = "") -> Response:
        actor = request.actor
        obligation = self.disclosure.get_obligation(actor, obligation_id)
        unit_name, liaison = _liaison(self, obligation["unit_code"])
        audited_read(request)  # the liaison's email and phone
        last = self.disclosure.obligation_reminders(actor, [obligation_id]).get(str(obligation_id))
        return uncached(self.web.page(request, "console/remind.html", status, title="发送催办", obligation=obligation,
                                      unit_name=unit_name, liaison=liaison, last=last, problem=problem, note=note,
                                      remindable=obligation["status"] in REMINDABLE, note_max=NOTE_MAX))

    @page("GET", "/console/obligations/<id:obligation_id>/remind")
    def console_confirm_reminder(self, request: Request, obligation_id: int) -> Response:
        """What the reminder is about and whom it reaches, with the button that sends it."""
        return self.renew_session(request, self._reminder_page(request, obligation_id))

    @page("POST", "/console/obligations/<id:obligation_id>/remind")
    def console_send_reminder(self, request: Request, obligation_id: int) -> Response:
        note = request.form_data.get("note") or ""
        if len(note) > NOTE_MAX:
            return self._reminder_page(request, obligation_id, 400, f"附言最多 {NOTE_MAX} 字，现在有 {len(note)} 字，请删减。",
                                       note)
        try:
            sent = self.disclosure.remind_obligation(request.actor, obligation_id, note or None)
        except DomainError as exc:
            return self._reminder_page(request, obligation_id, exc.status, i18n.translate(exc.message), note)
        return redirect(f"/console/obligations?status={sent['obligation']['status']}&reminded={obligation_id}", 303)
