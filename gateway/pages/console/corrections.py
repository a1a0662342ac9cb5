"""更正 from the console, and a draft changed: the operator of a published item's unit opens its
correction from the item's page (the editor, filled in with the published text), changes what
was wrong, may add a photo or file (the published version's attachments are carried over), and
keeps it as a draft or sends it for 审核 at once; a draft (one sent back with the reviewer's
reason, a correction among them) is changed the same way. The service's correction flow does the rest
(services/disclosure/workflow.py `correct`): a new version, reviewed and approved again, which
replaces the published one when it is approved; the reviewer reads it as a diff against the
published version (item_pages.correction_diff, on the item page and the confirmation pages).

Refused, with the reason next to the form and nothing stored: a correction that changes
nothing, an item no longer published (or no longer a draft) or already being corrected (with the
way to that correction), and a form shown before the item moved on (who did what and when)."""
from __future__ import annotations

from typing import Any

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from services.common import i18n
from services.common.errors import DomainError
from services.common.shapes.disclosure import ItemChanges

from .items import too_large, upload_form_bytes
from ...labels import ITEM_STATUS_NAMES
from .item_pages import moved_on, pending_correction, seen_of
from ..kit.pages import page

FIELDS = ("title", "body", "audience", "carriers")
SAME = "更正后的内容与已公开的版本完全相同：请先修改标题、正文、公开范围或公开载体。"
MODE = "<any(correct,edit):mode>"


def _form_of(item: dict[str, Any]) -> dict[str, Any]:
    return {"title": item.get("title", ""), "body": item.get("body", ""), "audience": item.get("audience", ""),
            "carriers": list(item.get("carriers") or [])}


class ConsoleCorrections:
    """Mixed into GatewayService with ConsoleItems (its editor and upload); needs `disclosure` and `access`."""

    def _why_not(self, actor: dict[str, Any], item: dict[str, Any], mode: str) -> tuple[str | None, Any]:
        """Why the item cannot be corrected (or, a draft, changed) now, and its correction under
        way if that is why; (None, None) when it can."""
        status = ITEM_STATUS_NAMES.get(item["status"], item["status"])
        if mode == "edit":
            return (None if item["status"] == "draft" else f"只有草稿才能修改；这一项现在的状态是“{status}”。"), None
        if item["status"] != "published":
            return f"只有已公开的事项才能更正；这一项现在的状态是“{status}”。", None
        pending = pending_correction(self, actor, item)
        if pending is not None:
            return (f"这一项已有正在办理的更正（第 {pending['version']} 版），请在那一项上继续，不要重复发起。",
                    pending)
        return None, None

    @page("GET", f"/console/items/<id:item_id>/{MODE}")
    def console_item_form(self, request: Request, item_id: int, mode: str) -> Response:
        actor = request.actor
        item = self.disclosure.get_item(actor, item_id)
        problem, pending = self._why_not(actor, item, mode)
        response = self._editor(request, _form_of(item), {}, 409 if problem else 200, problem, base=item, mode=mode,
                                pending=pending)
        return self.renew_session(request, response)

    @page("POST", f"/console/items/<id:item_id>/{MODE}", max_form=upload_form_bytes, too_large=too_large)
    def console_save_item_form(self, request: Request, item_id: int, mode: str) -> Response:
        actor, data = request.actor, request.form_data
        item = self.disclosure.get_item(actor, item_id)
        form = self._posted(request)
        seen = seen_of(data)
        moved = moved_on(item, seen)
        if moved:
            return self._editor(request, form, {}, 409, moved, base=item, mode=mode)
        loaded, errors, upload, status = self._checked(request, ItemChanges(), form)
        if (mode == "correct" and not errors and upload is None
                and all(loaded.get(name) == _form_of(item)[name] for name in FIELDS)):
            errors["body"] = SAME
        if errors:
            return self._editor(request, form, errors, status, base=item, mode=mode)
        try:
            if mode == "correct":
                saved = self.disclosure.correct_item(actor, item_id, loaded)
            else:
                saved = self.disclosure.update_item(actor, item_id, loaded)
            if upload is not None:
                self.disclosure.add_attachment(actor, saved["id"], *upload)
            if data.get("then") == "submit":
                self.disclosure.transition_item(actor, saved["id"], "submit", None)
        except DomainError as exc:
            current = self.disclosure.get_item(actor, item_id)
            _, pending = self._why_not(actor, current, mode)
            message = (moved_on(current, seen) if exc.status == 409 else None) or i18n.translate(exc.message)
            return self._editor(request, form, {}, exc.status, message, base=current, mode=mode, pending=pending)
        return redirect(f"/console/items/{saved['id']}", 303)
