"""The item editor: an operator drafts an item for one of the unit's open obligations (or
none), with its audience, carriers, body and a photo or file taken with the phone's camera or
chosen from its files (the API's types and DISCLOSURE.ATTACHMENT_MAX_BYTES), and sends it for
审核 at once or keeps it as a draft. The item's page shows its trail and attachments, and the
actions its reader may take next (each through a confirmation page of console_work.py).

An upload over the limit, or of a type the API does not take, is refused before anything is
stored: the form comes back with the reason next to the file field and the text kept."""
from __future__ import annotations

import base64
import mimetypes
from typing import Any

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from services.common import i18n
from services.common.contract import AUDIENCES
from services.common.errors import DomainError
from services.common.shapes.disclosure import ATTACHMENT_MAX_BYTES, ATTACHMENT_TYPES, CARRIERS, NewItem

from .console_work import ITEM_ACTIONS, ITEM_STATUS_NAMES
from .forms import validate_form
from .pages import page, uncached

AUDIENCE_NAMES = {"society": "向社会公开", "party": "党内公开", "unit": "本单位公开", "specific": "向特定对象公开"}
LABELS = {"title": "标题", "body": "正文", "audience": "公开范围", "carriers": "公开载体", "obligation_id": "对应的公开任务",
          "file": "照片或附件"}
UPLOAD_FORM_BYTES = ATTACHMENT_MAX_BYTES + 256 * 1024  # the largest attachment, the text and the boundaries
NEXT_ACTIONS = {("operator", "draft"): ("submit",), ("reviewer", "submitted"): ("review", "reject"),
                ("reviewer", "reviewed"): ("approve", "reject")}


class ConsoleItems:
    """Mixed into GatewayService; needs `disclosure`, `access`, `web` and `config`."""

    def _attachment_limit(self) -> int:
        return int((self.config.get("DISCLOSURE") or {}).get("ATTACHMENT_MAX_BYTES", ATTACHMENT_MAX_BYTES))

    def _open_obligations(self, actor: dict[str, Any]) -> list[dict[str, Any]]:
        found = []
        for status in ("overdue", "open"):
            page = self.access.call(self.disclosure, "list_obligations", actor, {"status": status}, 100, None)
            found += page["items"]
        return found

    def _editor(self, request: Request, form: dict[str, Any], errors: dict[str, str], status: int = 200,
                problem: str | None = None) -> Response:
        actor = request.actor
        return uncached(self.web.page(
            request, "console/item_editor.html", status, title="起草公开事项", form=form, errors=errors,
            problem=problem, obligations=self._open_obligations(actor), audiences=AUDIENCE_NAMES, carriers=CARRIERS,
            limit_mb=round(self._attachment_limit() / (1024 * 1024), 1)))

    @page("GET", "/console/items/new")
    def console_new_item(self, request: Request) -> Response:
        return self.renew_session(request, self._editor(request, {"audience": "society", "carriers": []}, {}))

    @page("POST", "/console/items", max_form=UPLOAD_FORM_BYTES)
    def console_create_item(self, request: Request) -> Response:
        actor, data = request.actor, request.form_data
        carriers = [c for c in request.form.getlist("carriers") if c][:len(CARRIERS)]
        form = {"title": data.get("title", ""), "body": data.get("body", ""), "audience": data.get("audience", ""),
                "carriers": carriers, "obligation_id": data.get("obligation_id", "")}
        draft = {"unit_code": actor["unit"] or "", "title": form["title"], "body": form["body"],
                 "audience": form["audience"], "carriers": carriers}
        if form["obligation_id"]:
            draft["obligation_id"] = form["obligation_id"]
        loaded, errors = validate_form(NewItem(), draft, LABELS)
        if "carriers" in errors and not carriers:
            errors["carriers"] = "请至少选择一种公开载体。"
        upload, problem = self._upload(request)
        if problem:
            errors["file"] = problem
        if errors:
            return self._editor(request, form, errors, 413 if problem and "超过" in problem else 400)
        try:
            item = self.access.call(self.disclosure, "create_item", actor, loaded)
            if upload is not None:
                self.access.call(self.disclosure, "add_attachment", actor, item["id"], *upload)
            if data.get("then") == "submit":
                self.access.call(self.disclosure, "transition_item", actor, item["id"], "submit", None)
        except DomainError as exc:
            return self._editor(request, form, {}, exc.status, problem=i18n.translate(exc.message))
        return redirect(f"/console/items/{item['id']}", 303)

    def _upload(self, request: Request) -> tuple[tuple[str, str, str] | None, str | None]:
        """(filename, media type, base64 content) of the form's file, or the reason it is refused."""
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            return None, None
        limit = self._attachment_limit()
        content = upload.read(limit + 1)
        if len(content) > limit:
            return None, f"文件超过 {limit / (1024 * 1024):.1f} MB，请压缩或换一张照片后再上传（内容未保存）。"
        if not content:
            return None, "文件是空的，请重新选择。"
        media_type = upload.mimetype
        if not media_type or media_type == "application/octet-stream":
            media_type = mimetypes.guess_type(upload.filename)[0] or ""
        if media_type not in ATTACHMENT_TYPES:
            return None, "只能上传照片（JPEG、PNG）、PDF、Word、Excel 或文本文件。"
        return (upload.filename[:200], media_type, base64.b64encode(content).decode()), None

    @page("GET", "/console/items/<id:item_id>")
    def console_item(self, request: Request, item_id: int) -> Response:
        actor = request.actor
        item = self.access.call(self.disclosure, "get_item", actor, item_id)
        actions = NEXT_ACTIONS.get((actor["role"], item["status"]), ())
        if actor["role"] == "reviewer" and item.get("author") == actor["username"]:
            actions = ()  # never one's own draft
        response = self.web.page(request, "console/item.html", title=item["title"], item=item, next_actions=actions,
                                 actions=ITEM_ACTIONS, statuses=ITEM_STATUS_NAMES, audiences=AUDIENCE_NAMES)
        return self.renew_session(request, uncached(response))


assert set(AUDIENCE_NAMES) == set(AUDIENCES)
