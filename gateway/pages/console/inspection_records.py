"""Recording one unit's inspection result on a phone: the inspection day, a score and a note per
criterion of the year's checklist (考核细则), and the findings (问题清单: the dimension, what is
wrong, the points it costs, the working days to put it right), and a photo taken with the phone's
camera or chosen from its files (PNG or JPEG up to SUPERVISION.PHOTO_MAX_BYTES), added to the draft
as evidence. "保存草稿" keeps it (supervision's save_record and add_photo); "提交" goes through a confirmation page that says what becomes final and which
rectifications (限期整改) will be opened, then submit_record. A submitted record is shown as it
was submitted.

Every field is checked here with a Chinese message next to it and the text kept; supervision's
refusals (not this unit's inspector, already submitted meanwhile) are shown above the form."""
from __future__ import annotations

import base64
import re
from datetime import date
from typing import Any

from marshmallow import fields
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from services.common import i18n
from services.common.contract.supervision import DIMENSIONS
from services.common.errors import DomainError
from services.common.workdays import county_today

from ...params import Query
from ...vocabulary import JPEG, PHOTO_MAX_BYTES, PNG
from ..kit.pages import page, uncached

BLANK_FINDINGS = 2  # empty finding rows offered below those already written
MOST_FINDINGS = 30
NUMBER = re.compile(r"^\d{1,3}(\.\d{1,2})?$")
PHOTO_FORM_BYTES = PHOTO_MAX_BYTES + 256 * 1024  # the largest photo, the fields and the boundaries
PHOTO_MAGIC = {b"\x89PNG\r\n\x1a\n": PNG, b"\xff\xd8\xff": JPEG}


class RecordPageQuery(Query):
    saved = fields.Boolean(metadata={"description": "the draft was just saved, to say so"})


def criteria_of(checklist: dict[str, Any]) -> list[dict[str, Any]]:
    return [{**c, "dimension": d["code"], "dimension_name": d["name"]}
            for d in checklist["dimensions"] for c in d["criteria"]]


def _number(text: str, most: float) -> float | None:
    if not NUMBER.match(text or ""):
        return None
    value = float(text)
    return value if value <= most else None


def record_from_form(form: Any, criteria: list[dict[str, Any]], opens: date, submitting: bool,
                     keeping: bool = False) -> tuple[dict[str, Any], dict[str, str]]:
    """The UnitRecord body the form asks for, or the Chinese message of each field at fault; a
    correction's (`keeping`) findings say which finding of the corrected revision each keeps."""
    errors: dict[str, str] = {}
    day_text = form.get("inspected_on", "")
    inspected_on = None
    if day_text:
        try:
            inspected_on = date.fromisoformat(day_text)
        except ValueError:
            errors["inspected_on"] = "请填写检查日期（如 2026-12-01）。"
        else:
            if inspected_on > county_today() or inspected_on < opens:
                errors["inspected_on"] = f"检查日期须在检查开始日期（{opens.year}年{opens.month}月{opens.day}日）之后，且不晚于今天。"
    scores = []
    for criterion in criteria:
        name, text = f"score-{criterion['code']}", form.get(f"score-{criterion['code']}", "")
        note = form.get(f"note-{criterion['code']}", "")
        if len(note) > 2000:
            errors[f"note-{criterion['code']}"] = f"说明最多 2000 字，现在有 {len(note)} 字。"
        if text == "":
            if submitting:
                errors[name] = "提交前请为这一项打分。"
            continue
        value = _number(text, float(criterion["max"]))
        if value is None:
            errors[name] = f"请填写 0 到 {criterion['max']:g} 之间的分数（最多两位小数）。"
            continue
        scores.append({"criterion": criterion["code"], "score": value, "note": note})
    if not scores and criteria and not errors:
        errors[f"score-{criteria[0]['code']}"] = "请至少为一项打分再保存。"
    findings = []
    for n in range(1, min(int(form.get("finding_rows", "0") or 0), MOST_FINDINGS) + 1):
        text = form.get(f"finding-{n}-text", "")
        if not text:
            continue
        finding = {"text": text, "dimension": form.get(f"finding-{n}-dimension", ""),
                   "deduction": _number(form.get(f"finding-{n}-deduction", "") or "0", 100.0),
                   "deadline_days": form.get(f"finding-{n}-days", "") or "10"}
        if len(text) > 2000:
            errors[f"finding-{n}-text"] = f"问题描述最多 2000 字，现在有 {len(text)} 字。"
        if finding["dimension"] not in DIMENSIONS:
            errors[f"finding-{n}-dimension"] = "请选择问题属于哪一方面。"
        if finding["deduction"] is None:
            errors[f"finding-{n}-deduction"] = "扣分请填写 0 到 100 之间的数（最多两位小数）。"
        days = finding["deadline_days"]
        if not days.isdigit() or not 1 <= int(days) <= 250:
            errors[f"finding-{n}-days"] = "整改期限请填写 1 到 250 个工作日。"
        else:
            finding["deadline_days"] = int(days)
        if keeping:
            keeps = form.get(f"finding-{n}-keeps", "")
            finding["keeps"] = int(keeps) if keeps.isdigit() else None
        findings.append(finding)
    return {"inspected_on": inspected_on.isoformat() if inspected_on else None, "scores": scores,
            "findings": findings}, errors


def form_of(record: dict[str, Any] | None, today: date) -> dict[str, str]:
    """The form's fields as a saved record fills them."""
    form = {"inspected_on": (record or {}).get("inspected_on") or today.isoformat()}
    for score in (record or {}).get("scores") or ():
        form[f"score-{score['criterion']}"] = f"{score['score']:g}"
        form[f"note-{score['criterion']}"] = score.get("note") or ""
    for n, finding in enumerate((record or {}).get("findings") or (), 1):
        form.update({f"finding-{n}-keeps": str(finding["id"]),
                     f"finding-{n}-text": finding["text"], f"finding-{n}-dimension": finding["dimension"],
                     f"finding-{n}-deduction": f"{finding['deduction']:g}", f"finding-{n}-days": str(finding["deadline_days"])})
    return form


class ConsoleInspectionRecords:
    """Mixed into GatewayService; needs `supervision`, `access` and `web`."""

    def _record_context(self, request: Request, inspection_id: int, unit_code: str) -> dict[str, Any]:
        actor = request.actor
        inspection = self.supervision.get_inspection(actor, inspection_id)
        unit = next((u for u in inspection["units"] if u["unit_code"] == unit_code), None)
        year = date.fromisoformat(inspection["window_opens"]).year
        checklist = self.supervision.get_checklist(year, None)
        record = self.supervision.current_record(actor, inspection_id, unit_code) if unit else None
        return {"inspection": inspection, "unit": unit, "unit_code": unit_code, "record": record,
                "checklist": checklist, "criteria": criteria_of(checklist),
                "assigned": bool(unit) and actor["username"] in unit["inspectors"],
                "dimensions": {d["code"]: d["name"] for d in checklist["dimensions"]}}

    def _photo_limit(self) -> int:
        return min(int((self.config.get("SUPERVISION") or {}).get("PHOTO_MAX_BYTES", PHOTO_MAX_BYTES)), PHOTO_MAX_BYTES)

    def _photo(self, request: Request) -> tuple[tuple[str, str] | None, str | None]:
        """(media type, base64 content) of the form's photo, or why it is refused; (None, None) without one."""
        upload = request.files.get("photo")
        if upload is None or not upload.filename:
            return None, None
        limit = self._photo_limit()
        content = upload.read(limit + 1)
        if len(content) > limit:
            return None, f"照片超过 {limit / (1024 * 1024):g} MB，请压缩或换一张后再上传（其余内容未保存）。"
        if not content:
            return None, "照片是空的，请重新拍摄或选择。"
        kind = next((t for magic, t in PHOTO_MAGIC.items() if content.startswith(magic)), None)
        if kind is None:
            return None, "只能上传 JPEG 或 PNG 照片。"
        return (kind, base64.b64encode(content).decode()), None

    def _record_page(self, request: Request, context: dict[str, Any], form: dict[str, str], errors: dict[str, str],
                     status: int = 200, problem: str | None = None, saved: bool = False) -> Response:
        written = [int(k.split("-")[1]) for k in form if re.fullmatch(r"finding-\d+-text", k) and form[k]]
        rows = max(max(written, default=0) + BLANK_FINDINGS, 3)
        return uncached(self.web.page(request, "console/inspection_record.html", status,
                                      title=f"录入检查结果：{context['unit_code']}", form=form, errors=errors,
                                      problem=problem, saved=saved, finding_rows=min(rows, MOST_FINDINGS),
                                      photo_mb=f"{self._photo_limit() / (1024 * 1024):g}", **context))

    @page("GET", "/console/inspections/<id:inspection_id>/units/<code:unit_code>", query=RecordPageQuery)
    def console_inspection_record(self, request: Request, inspection_id: int, unit_code: str) -> Response:
        context = self._record_context(request, inspection_id, unit_code)
        form = form_of(context["record"], county_today())
        return self.renew_session(request, self._record_page(request, context, form, {},
                                                             saved=bool(request.params.get("saved"))))

    @page("POST", "/console/inspections/<id:inspection_id>/units/<code:unit_code>", max_form=PHOTO_FORM_BYTES)
    def console_save_inspection_record(self, request: Request, inspection_id: int, unit_code: str) -> Response:
        """Save the draft (and its photo); with then=submit, go on to the confirmation of submitting it."""
        context = self._record_context(request, inspection_id, unit_code)
        form = dict(request.form_data)
        submitting = form.get("then") == "submit"
        opens = date.fromisoformat(context["inspection"]["window_opens"])
        data, errors = record_from_form(form, context["criteria"], opens, submitting)
        photo, photo_problem = self._photo(request)
        if photo_problem:
            errors["photo"] = photo_problem
        if errors:
            return self._record_page(request, context, form, errors, 413 if "超过" in (photo_problem or "") else 400)
        try:
            saved = self.supervision.save_record(request.actor, inspection_id, unit_code, data)
        except DomainError as exc:
            return self._record_page(request, context, form, {}, exc.status, i18n.translate(exc.message))
        if photo is not None:
            try:
                self.supervision.add_photo(request.actor, "record", saved["id"], *photo)
            except DomainError as exc:
                context = self._record_context(request, inspection_id, unit_code)
                return self._record_page(request, context, form, {"photo": f"草稿已保存，但照片没有保存："
                                                                           f"{i18n.translate(exc.message)}"}, exc.status)
        where = f"/console/inspections/{inspection_id}/units/{unit_code}"
        return redirect(f"{where}/submit" if submitting else f"{where}?saved=1", 303)

    def _submit_page(self, request: Request, inspection_id: int, unit_code: str, status: int = 200,
                     problem: str | None = None) -> Response:
        context = self._record_context(request, inspection_id, unit_code)
        sums = {d: sum(s["score"] for s in (context["record"] or {}).get("scores") or () if s["dimension"] == d)
                for d in DIMENSIONS}
        return uncached(self.web.page(request, "console/inspection_submit.html", status,
                                      title=f"确认提交检查结果：{unit_code}", problem=problem, sums=sums,
                                      maxima=context["checklist"]["maximum"], **context))

    @page("GET", "/console/inspections/<id:inspection_id>/units/<code:unit_code>/submit")
    def console_confirm_inspection_record(self, request: Request, inspection_id: int, unit_code: str) -> Response:
        return self.renew_session(request, self._submit_page(request, inspection_id, unit_code))

    @page("POST", "/console/inspections/<id:inspection_id>/units/<code:unit_code>/submit")
    def console_submit_inspection_record(self, request: Request, inspection_id: int, unit_code: str) -> Response:
        """Final from now on: InspectionRecorded, and a rectification opened per finding."""
        try:
            self.supervision.submit_record(request.actor, inspection_id, unit_code)
        except DomainError as exc:
            return self._submit_page(request, inspection_id, unit_code, exc.status, i18n.translate(exc.message))
        return redirect(f"/console/inspections/{inspection_id}?recorded={unit_code}", 303)
