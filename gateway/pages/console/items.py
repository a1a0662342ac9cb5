"""The item editor: an operator drafts an item for one of the unit's open obligations (or
none), with its audience, carriers, body and a photo or file taken with the phone's camera or
chosen from its files (the API's types and DISCLOSURE.ATTACHMENT_MAX_BYTES), and sends it for
审核 at once or keeps it as a draft. The item's page shows its trail and attachments, and the
actions its reader may take next (each through a confirmation page of work.py); a
correction's page shows what it changes in the published version (item_pages.correction_diff),
and a published item's page the way to correct it (corrections.py).

An upload over the limit, or of a type the API does not take, is refused before anything is
stored: the form comes back with the reason next to the file field and the text kept. A form
so large that it is refused before it is read says the attachment limit (in MB or KB), and
nothing of it is stored either.

The editor of an item for an obligation (`/console/items/new?obligation=<id>`, as the obligation's
page links it) shows beside the form the office's 范例 of that matter from units of the same
sector (newest marks first, at most 3: title, an extract, the unit, a link to the public item)
and its guidance notes (分类指导) for the matter and the unit's sector; neither, nothing."""
from __future__ import annotations

import base64
import mimetypes
from typing import Any

from marshmallow import fields, validate
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from services.common import i18n
from services.common.contract import AUDIENCES
from services.common.errors import DomainError
from services.common.shapes.disclosure import ATTACHMENT_MAX_BYTES, ATTACHMENT_TYPES, CARRIERS, NewItem

from ...labels import AUDIENCE_NAMES, ITEM_STATUS_NAMES, MEDIA_NAMES, SECTOR_NAMES
from .work import ITEM_ACTIONS
from ..kit.forms import validate_form
from .item_pages import correction_diff, pending_correction, size_text
from ..kit.pages import page, uncached
from ...params import Query

LABELS = {"title": "标题", "body": "正文", "audience": "公开范围", "carriers": "公开载体", "obligation_id": "对应的公开任务",
          "file": "照片或附件"}
EDITOR_TITLES = {"new": "起草公开事项", "correct": "更正：", "edit": "修改草稿："}
FORM_OVERHEAD = 256 * 1024  # a form with the largest attachment: the text and the boundaries besides
def attachment_limit(config: dict[str, Any]) -> int:
    return int((config.get("DISCLOSURE") or {}).get("ATTACHMENT_MAX_BYTES", ATTACHMENT_MAX_BYTES))


def upload_form_bytes(config: dict[str, Any]) -> int:
    """The largest form with a file the item pages read."""
    return attachment_limit(config) + FORM_OVERHEAD


def too_large(config: dict[str, Any]) -> str:
    """What a form over upload_form_bytes is told: the attachment limit, not the form's."""
    return f"照片或附件太大：每个文件最大 {size_text(attachment_limit(config))}，请压缩照片或换一个较小的文件后重新提交。"


class NewItemQuery(Query):
    obligation = fields.Integer(validate=validate.Range(1, 2**31 - 1),
                                metadata={"description": "the obligation the item is for, chosen in the form"})


class ConsoleItems:
    """Mixed into GatewayService; needs `disclosure`, `access`, `web` and `config`."""

    def _attachment_limit(self) -> int:
        return attachment_limit(self.config)

    def _open_obligations(self, actor: dict[str, Any]) -> list[dict[str, Any]]:
        found = []
        for status in ("overdue", "open"):
            page = self.disclosure.list_obligations(actor, {"status": status}, 100, None)
            found += page["items"]
        return found

    def _editor(self, request: Request, form: dict[str, Any], errors: dict[str, str], status: int = 200,
                problem: str | None = None, base: dict[str, Any] | None = None, mode: str = "new",
                pending: dict[str, Any] | None = None) -> Response:
        """The editor of a new item (mode "new"), of a correction of the published item `base`
        ("correct"), or of the draft `base` ("edit")."""
        actor = request.actor
        obligations = self._open_obligations(actor) if mode == "new" else []
        aids = self._editor_aids(actor, form.get("obligation_id")) if mode == "new" else None
        return uncached(self.web.page(
            request, "console/item_editor.html", status, title=EDITOR_TITLES[mode] + (base["title"] if base else ""),
            form=form, errors=errors, problem=problem, obligations=obligations, audiences=AUDIENCE_NAMES,
            carriers=CARRIERS, limit_text=size_text(self._attachment_limit()), base=base, mode=mode,
            pending=pending, aids=aids, sectors=SECTOR_NAMES))

    def _editor_aids(self, actor: dict[str, Any], obligation_id: Any) -> dict[str, Any] | None:
        """Beside the editor of an item for an obligation: the 范例 of its matter from the unit's
        sector and the office's guidance (分类指导); None when there is neither."""
        if not str(obligation_id or "").isdigit() or actor.get("role") != "operator":
            return None
        try:
            aids = self.disclosure.editor_aids(actor, int(obligation_id))
        except DomainError:
            return None
        return aids if aids["examples"] or aids["notes"] else None

    def _posted(self, request: Request) -> dict[str, Any]:
        """The editor's fields as sent (title, body, audience, the carriers ticked)."""
        data = request.form_data
        return {"title": data.get("title", ""), "body": data.get("body", ""), "audience": data.get("audience", ""),
                "carriers": [c for c in request.form.getlist("carriers") if c][:len(CARRIERS)]}

    def _checked(self, request: Request, schema: Any, fields: dict[str, Any]) -> tuple[dict, dict, Any, int]:
        """(loaded, errors, upload, status of a refused upload) for the editor's fields and its file."""
        loaded, errors = validate_form(schema, fields, LABELS)
        if "carriers" in errors and not fields["carriers"]:
            errors["carriers"] = "请至少选择一种公开载体。"
        upload, problem, status = self._upload(request)
        if problem:
            errors["file"] = problem
        return loaded, errors, upload, status if problem else 400

    @page("GET", "/console/items/new", query=NewItemQuery)
    def console_new_item(self, request: Request) -> Response:
        """The editor; `obligation` chooses the obligation, with its examples and guidance beside."""
        form = {"audience": "society", "carriers": [], "obligation_id": str(request.params.get("obligation") or "")}
        return self.renew_session(request, self._editor(request, form, {}))

    @page("POST", "/console/items", max_form=upload_form_bytes, too_large=too_large, form_page="/console/items/new")
    def console_create_item(self, request: Request) -> Response:
        actor, data = request.actor, request.form_data
        fields = self._posted(request)
        form = {**fields, "obligation_id": data.get("obligation_id", "")}
        draft = {"unit_code": actor["unit"] or "", **fields}
        if form["obligation_id"]:
            draft["obligation_id"] = form["obligation_id"]
        loaded, errors, upload, status = self._checked(request, NewItem(), draft)
        if errors:
            return self._editor(request, form, errors, status)
        try:
            item = self.disclosure.create_item(actor, loaded)
            if upload is not None:
                self.disclosure.add_attachment(actor, item["id"], *upload)
            if data.get("then") == "submit":
                self.disclosure.transition_item(actor, item["id"], "submit", None)
        except DomainError as exc:
            return self._editor(request, form, {}, exc.status, problem=i18n.translate(exc.message))
        return redirect(f"/console/items/{item['id']}", 303)

    def _upload(self, request: Request) -> tuple[tuple[str, str, str] | None, str | None, int]:
        """(filename, media type, base64 content) of the form's file, or the reason it is
        refused, and the status to answer a refusal with."""
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            return None, None, 200
        limit = self._attachment_limit()
        content = upload.read(limit + 1)
        if len(content) > limit:
            return None, (f"文件超过 {size_text(limit)} 的上限，请压缩或换一张照片后再上传"
                          f"（这次提交的内容都没有保存）。"), 413
        if not content:
            return None, "文件是空的，请重新选择。", 400
        media_type = upload.mimetype
        if not media_type or media_type == "application/octet-stream":
            media_type = mimetypes.guess_type(upload.filename)[0] or ""
        if media_type not in ATTACHMENT_TYPES:
            return None, "只能上传照片（JPEG、PNG）、PDF、Word、Excel 或文本文件。", 415
        return (upload.filename[:200], media_type, base64.b64encode(content).decode()), None, 200

    @page("GET", "/console/items/<id:item_id>")
    def console_item(self, request: Request, item_id: int) -> Response:
        actor = request.actor
        item = self.disclosure.get_item(actor, item_id)
        allowed = item.get("actions") or []  # what disclosure lets this reader do now (its state table)
        own = actor["role"] == "operator" and actor.get("unit") == item.get("unit_code")
        pending = pending_correction(self, actor, item) if own else None
        response = self.web.page(request, "console/item.html", title=item["title"], item=item,
                                 next_actions=[a for a in allowed if a in ITEM_ACTIONS],
                                 actions=ITEM_ACTIONS, statuses=ITEM_STATUS_NAMES, audiences=AUDIENCE_NAMES,
                                 diff=correction_diff(self, actor, item), pending=pending, media=MEDIA_NAMES,
                                 may_correct="correct" in allowed and pending is None, may_edit="edit" in allowed)
        return self.renew_session(request, uncached(response))


assert set(AUDIENCE_NAMES) == set(AUDIENCES) and set(MEDIA_NAMES) == set(ATTACHMENT_TYPES)
