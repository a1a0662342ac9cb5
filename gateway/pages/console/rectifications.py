"""The rectification loop (限期整改) in the console, from supervision's RPCs as the API uses them:

- /console/rectifications/<id>: the finding, the deadline, the evidence (each photo or PDF opens
  from /console/rectifications/<id>/evidence/<sha256>), the trail, and the buttons its reader may
  press now: the `actions` supervision returns with it (its state table, the reader's role and unit);
- /console/rectifications/<id>/submit: the unit's operator says what was done and adds up to
  MOST_FILES photos or PDF files (each within SUPERVISION.PHOTO_MAX_BYTES), through this
  confirmation page; every file is checked (size, type by its bytes) before anything is stored;
- /console/rectifications/<id>/accept and /return: the county office (an inspector who did not
  submit it) accepts it or returns it with the reason the unit will read.

Every form carries how many steps the rectification had when it was opened (`seen`): when it
moved on meanwhile, the post is refused with who did what when, and nothing is changed.
Supervision's refusals (another unit's, one's own submission) are shown next to the form."""
from __future__ import annotations

import base64
from typing import Any

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from services.common import i18n
from services.common.contract.supervision import DIMENSIONS
from services.common.errors import DomainError
from services.common.shapes.supervision import RectificationSubmission, ReturnReason

from ...labels import labels
from ...params import OneOf, Query
from ...vocabulary import EVIDENCE_TYPES, JPEG, PDF, PHOTO_MAX_BYTES, PNG
from ..kit.forms import validate_form
from ..kit.pages import page, uncached
from ..kit.render import cn_datetime
from .figures import RECTIFICATION_STATUSES

DIMENSION_NAMES = labels("dimension", DIMENSIONS)
MOST_FILES = 3
MAGIC = {b"\x89PNG\r\n\x1a\n": PNG, b"\xff\xd8\xff": JPEG, b"%PDF-": PDF}
FORM_BYTES = MOST_FILES * PHOTO_MAX_BYTES + 256 * 1024  # the files at their largest, the text and boundaries
ACTIONS = {  # action: (the button, what the page says once done, the form's fields and their labels)
    "submit": ("提交整改情况", "整改情况已提交，等待县委办公室验收。", {"done": "整改情况"}),
    "accept": ("验收通过", "已验收通过，这项整改已完成。", {}),
    "return": ("退回重新整改", "已退回，单位会看到退回理由并重新整改。", {"reason": "退回理由"}),
}
SCHEMAS = {"submit": RectificationSubmission, "return": ReturnReason}
RULE = "/console/rectifications/<id:rectification_id>/<any(submit,accept,return):action>"


class DoneQuery(Query):
    done = OneOf(*ACTIONS, description="the action just done, to say so")


def moved_on(rectification: dict[str, Any], seen: str) -> str | None:
    """When the rectification has steps the form had not seen: who did what when, to say so."""
    trail = rectification.get("trail") or []
    if not seen.isdigit() or len(trail) <= int(seen):
        return None
    last = trail[-1]
    return (f"这项整改已由 {last['by']} 于 {cn_datetime(last['at'])} 办理，现为“{rectification['status_label']}”，"
            "请刷新后再看。")


def check_files(uploads: list[Any], limit: int) -> tuple[list[tuple[str, str, str]], str | None]:
    """[(file name, media type, base64)] of the chosen files, or why they are refused."""
    chosen = [u for u in uploads if u and u.filename]
    if len(chosen) > MOST_FILES:
        return [], f"一次最多上传 {MOST_FILES} 个文件，你选了 {len(chosen)} 个。"
    files = []
    for upload in chosen:
        content = upload.read(limit + 1)
        if len(content) > limit:
            return [], f"“{upload.filename}”超过 {limit / (1024 * 1024):g} MB，请压缩或换一个文件后再上传。"
        if not content:
            return [], f"“{upload.filename}”是空的，请重新选择。"
        kind = next((t for magic, t in MAGIC.items() if content.startswith(magic)), None)
        if kind is None:
            return [], f"“{upload.filename}”不是 JPEG、PNG 照片或 PDF 文件，只能上传这几种。"
        files.append((upload.filename, kind, base64.b64encode(content).decode()))
    return files, None


class ConsoleRectifications:
    """Mixed into GatewayService; needs `supervision`, `config` and `web`."""

    def _evidence_limit(self) -> int:
        return min(int((self.config.get("SUPERVISION") or {}).get("PHOTO_MAX_BYTES", PHOTO_MAX_BYTES)), PHOTO_MAX_BYTES)

    def _rectification_context(self, rectification: dict[str, Any]) -> dict[str, Any]:
        return {"rectification": rectification, "statuses": RECTIFICATION_STATUSES, "dimensions": DIMENSION_NAMES,
                "all_actions": ACTIONS, "limit_mb": f"{self._evidence_limit() / (1024 * 1024):g}",
                "most_files": MOST_FILES}

    @page("GET", "/console/rectifications/<id:rectification_id>", query=DoneQuery)
    def console_rectification(self, request: Request, rectification_id: int) -> Response:
        rectification = self.supervision.get_rectification(request.actor, rectification_id)
        done = request.params.get("done")
        return self.renew_session(request, uncached(self.web.page(
            request, "console/rectification.html", title="整改", done=ACTIONS[done][1] if done else None,
            **self._rectification_context(rectification))))

    @page("GET", "/console/rectifications/<id:rectification_id>/evidence/<sha256:sha256>")
    def console_rectification_evidence(self, request: Request, rectification_id: int, sha256: str) -> Response:
        found = self.supervision.get_photo(request.actor, "rectification", rectification_id, sha256)
        kind = found["media_type"] if found["media_type"] in EVIDENCE_TYPES else "application/octet-stream"
        return Response(base64.b64decode(found["content_b64"]), mimetype=kind,
                        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=3600",
                                 "Content-Disposition": f"inline; filename=evidence-{sha256[:12]}"})

    def _rectification_page(self, request: Request, rectification: dict[str, Any], action: str, form: dict[str, str],
                     errors: dict[str, str], status: int = 200, problem: str | None = None) -> Response:
        label, _, fields = ACTIONS[action]
        return uncached(self.web.page(
            request, "console/rectification_action.html", status, title=f"确认：{label}", action=action, label=label,
            fields=fields, form=form, errors=errors, problem=problem, usable=action in rectification["actions"],
            seen=form.get("seen") or str(len(rectification["trail"])), **self._rectification_context(rectification)))

    @page("GET", RULE)
    def console_rectification_action(self, request: Request, rectification_id: int, action: str) -> Response:
        rectification = self.supervision.get_rectification(request.actor, rectification_id)
        problem, status = None, 200
        if action not in rectification["actions"]:
            problem, status = self._rectification_refusal(request.actor, rectification, action)
        return self.renew_session(request, self._rectification_page(request, rectification, action, {}, {}, status, problem))

    @staticmethod
    def _rectification_refusal(actor: dict[str, Any], rectification: dict[str, Any], action: str) -> tuple[str, int]:
        label = ACTIONS[action][0]
        if action == "submit" and (actor["role"] != "operator" or actor.get("unit") != rectification["unit_code"]):
            return f"这项整改属于单位 {rectification['unit_code']}，只能由该单位的党务干事提交。", 403
        if action != "submit" and actor["role"] != "inspector":
            return "整改由县委办公室（督查）人员验收。", 403
        if action != "submit" and rectification.get("submitted_by") == actor["username"]:
            return "不能验收自己提交的整改。", 403
        return f"这项整改现为“{rectification['status_label']}”，不能{label}。", 409

    @page("POST", RULE, max_form=FORM_BYTES)
    def console_act_on_rectification(self, request: Request, rectification_id: int, action: str) -> Response:
        actor, form = request.actor, dict(request.form_data)
        rectification = self.supervision.get_rectification(actor, rectification_id)
        stale = moved_on(rectification, form.get("seen", ""))
        if stale:
            return self._rectification_page(request, rectification, action, form, {}, 409, stale)
        if action not in rectification["actions"]:
            problem, status = self._rectification_refusal(actor, rectification, action)
            return self._rectification_page(request, rectification, action, form, {}, status, problem)
        fields = ACTIONS[action][2]
        data, errors = ({}, {}) if action == "accept" else validate_form(
            SCHEMAS[action](), {name: form.get(name, "") for name in fields}, fields)
        files, refused = [], None
        if action == "submit":
            files, refused = check_files(request.files.getlist("evidence"), self._evidence_limit())
        if refused:
            errors["evidence"] = refused
        if errors:
            status = 413 if refused and "MB" in refused and len(errors) == 1 else 400
            return self._rectification_page(request, rectification, action, form, errors, status)
        try:
            if action == "submit":
                stored = [self.supervision.add_photo(actor, "rectification", rectification_id, kind, content)
                          for _, kind, content in files]
                known = [e["sha256"] for e in rectification["evidence"]]
                data["evidence"] = list(dict.fromkeys(known + [s["sha256"] for s in stored]))
                self.supervision.submit_rectification(actor, rectification_id, data)
            else:
                self.supervision.decide_rectification(actor, rectification_id, action, data)
        except DomainError as exc:
            rectification = self.supervision.get_rectification(actor, rectification_id)
            return self._rectification_page(request, rectification, action, form, {}, exc.status, i18n.translate(exc.message))
        return redirect(f"/console/rectifications/{rectification_id}?done={action}", 303)
