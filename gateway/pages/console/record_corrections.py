"""Correcting a submitted inspection record in the console, as a new revision (supervision's
correct_record), by the inspector who inspected the unit:

- /console/inspections/<id>/units/<code>/correct: the submitted record's scores and findings to
  change, with the reason; each finding row of the corrected revision carries the finding it
  keeps, so its rectification and its progress carry over; a row emptied is a finding removed
  (its rectification withdrawn); a new row opens a rectification. Posting it shows a confirmation
  page that says, finding by finding, what becomes of each rectification; confirming it corrects;
- /console/inspections/<id>/units/<code>/revisions: every submitted revision, the earlier ones
  kept, each with its reason, scores and findings (the office and the unit's own).

The form carries the revision it corrects: when someone corrected it meanwhile the post is refused
in words above the form, nothing changed. Supervision's refusals (not the inspector who inspected)
are shown there too; the button is offered only when `correct` is among the record's actions."""
from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import fields, validate
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from services.common import i18n
from services.common.errors import DomainError
from services.common.workdays import county_today

from ...params import Query
from ..kit.pages import page, uncached
from .figures import RECTIFICATION_STATUSES
from .inspection_records import BLANK_FINDINGS, MOST_FINDINGS, form_of, record_from_form

RECORD = "/console/inspections/<id:inspection_id>/units/<code:unit_code>"
NOT_SENT = ("csrf_token", "confirmed")


class CorrectedQuery(Query):
    corrected = fields.Integer(validate=validate.Range(1, 10000), metadata={"description": "the revision just made"})


def outcome(record: dict[str, Any], data: dict[str, Any], rectifications: dict[int, dict[str, Any]]
            ) -> dict[str, list[dict[str, Any]]]:
    """What the correction does to each rectification: kept (with its state), withdrawn, opened."""
    by_finding = {f["id"]: f for f in record["findings"]}
    kept_ids = {f["keeps"] for f in data["findings"] if f.get("keeps")}
    kept = [{**f, "rectification": rectifications.get(by_finding[f["keeps"]]["rectification_id"] or 0)}
            for f in data["findings"] if f.get("keeps") in by_finding]
    gone = [{**f, "rectification": rectifications.get(f["rectification_id"] or 0)}
            for f in record["findings"] if f["id"] not in kept_ids]
    return {"kept": kept, "withdrawn": gone, "opened": [f for f in data["findings"] if not f.get("keeps")]}


class ConsoleRecordCorrections:
    """Mixed into GatewayService; needs `supervision` and `web` (and ConsoleInspectionRecords' context)."""

    def _correction_page(self, request: Request, context: dict[str, Any], form: dict[str, str],
                         errors: dict[str, str], status: int = 200, problem: str | None = None) -> Response:
        rows = [int(k.split("-")[1]) for k in form if k.startswith("finding-") and k.endswith("-text") and form[k]]
        rows += [int(k.split("-")[1]) for k in form if k.startswith("finding-") and k.endswith("-keeps")]
        finding_rows = min(max(max(rows, default=0) + BLANK_FINDINGS, 3), MOST_FINDINGS)
        return uncached(self.web.page(
            request, "console/record_correct.html", status, title=f"更正检查记录：{context['unit_code']}",
            form=form, errors=errors, problem=problem, finding_rows=finding_rows, kept=True, **context))

    def _correction_refusal(self, context: dict[str, Any]) -> tuple[str, int] | None:
        record = context["record"]
        if record is None or record.get("status") != "submitted":
            return f"单位 {context['unit_code']} 的检查记录还没有提交，直接修改草稿即可。", 409
        if "correct" not in record.get("actions", []):
            return (f"单位 {context['unit_code']} 的检查记录由 {record['inspector']} 检查并提交，"
                    "只有检查的人员才能更正。"), 403
        return None

    @page("GET", RECORD + "/correct")
    def console_correct_record(self, request: Request, inspection_id: int, unit_code: str) -> Response:
        context = self._record_context(request, inspection_id, unit_code)
        refused = self._correction_refusal(context)
        form = {**form_of(context["record"], county_today()), "revision": str((context["record"] or {}).get("revision", ""))}
        return self.renew_session(request, self._correction_page(
            request, context, form, {}, *(refused[::-1] if refused else ())))

    @page("POST", RECORD + "/correct")
    def console_confirm_correction(self, request: Request, inspection_id: int, unit_code: str) -> Response:
        """The form posted: refused next to its fields, or its confirmation page; confirmed: corrected."""
        context = self._record_context(request, inspection_id, unit_code)
        form = {k: v for k, v in request.form_data.items() if k not in NOT_SENT}
        refused = self._correction_refusal(context)
        if refused:
            return self._correction_page(request, context, form, {}, refused[1], refused[0])
        record = context["record"]
        if form.get("revision") != str(record["revision"]):
            return self._correction_page(request, context, {**form_of(record, county_today()), "revision": str(record["revision"])},
                                         {}, 409, f"这份记录已由 {record['inspector']} 于 {record['submitted_at'][:16].replace('T', ' ')} "
                                                  f"更正为第 {record['revision']} 版；下面是最新版本，请在它上面重新更正。")
        opens = date.fromisoformat(context["inspection"]["window_opens"])
        data, errors = record_from_form(form, context["criteria"], opens, True, keeping=True)
        reason = form.get("reason", "").strip()
        if not reason:
            errors["reason"] = "请写明更正理由（该单位和县委办都会看到）。"
        elif len(reason) > 2000:
            errors["reason"] = f"更正理由最多 2000 字，现在有 {len(reason)} 字。"
        if errors:
            return self._correction_page(request, context, form, errors, 400)
        if request.form_data.get("confirmed") == "0":  # 返回修改 from the confirmation page
            return self._correction_page(request, context, form, {})
        data = {**data, "reason": reason, "revision": record["revision"]}
        if request.form_data.get("confirmed") != "1":
            found = self.supervision.list_rectifications(request.actor, {"inspection": inspection_id, "unit": unit_code}, 200)
            return uncached(self.web.page(
                request, "console/record_correct_confirm.html", title=f"确认更正：{unit_code} 的检查记录",
                form=form, data=data, outcome=outcome(record, data, {r["id"]: r for r in found["items"]}),
                statuses=RECTIFICATION_STATUSES, **context))
        try:
            corrected = self.supervision.correct_record(request.actor, inspection_id, unit_code, data)
        except DomainError as exc:
            return self._correction_page(request, context, form, {}, exc.status, i18n.translate(exc.message))
        return redirect(f"/console/inspections/{inspection_id}/units/{unit_code}/revisions"
                        f"?corrected={corrected['revision']}", 303)

    @page("GET", RECORD + "/revisions", query=CorrectedQuery)
    def console_record_revisions(self, request: Request, inspection_id: int, unit_code: str) -> Response:
        actor = request.actor
        inspection = self.supervision.get_inspection(actor, inspection_id)
        revisions = self.supervision.unit_records(actor, inspection_id, unit_code)
        checklist = self.supervision.get_checklist(date.fromisoformat(inspection["window_opens"]).year, None)
        criteria = {c["code"]: c["text"] for d in checklist["dimensions"] for c in d["criteria"]}
        return self.renew_session(request, uncached(self.web.page(
            request, "console/record_revisions.html", title=f"检查记录的历次版本：{unit_code}", inspection=inspection,
            unit_code=unit_code, revisions=list(reversed(revisions)), criteria=criteria,
            dimensions={d["code"]: d["name"] for d in checklist["dimensions"]},
            corrected=request.params.get("corrected"))))
