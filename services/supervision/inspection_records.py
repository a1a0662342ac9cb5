"""Each unit's inspection record: the inspector's draft (scores per criterion with notes,
findings, photos), submitted once and final; a correction is a new revision with a reason, by
the inspector who inspected, the old one kept. Submitting opens a rectification per finding; a
correction's findings say which of the corrected revision's they keep (`keeps`): a kept one keeps
its rectification and its progress, one no longer there has its rectification withdrawn, a new
one opens one. The inspections themselves are inspections.py."""
from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from services.common.actor import Actor
from services.common.contract import names
from services.common.contract.supervision import DIMENSIONS
from services.common.db import UnitOfWork
from services.common.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    Unprocessable,
    validated,
)
from services.common.records import utcnow
from services.common.shapes.supervision import Correction, UnitRecord
from services.common.workdays import add_working_days, county_date, county_today

from . import checklist, rectifications
from .models import Finding, Inspection, InspectionRecord, Photo
from .inspections import load, records_of

# the record's state table: (state, action) → state; a submitted record is only ever corrected
TRANSITIONS: dict[tuple[str, str], str] = {
    ("draft", "save"): "draft",
    ("draft", "submit"): "submitted",
    ("submitted", "correct"): "submitted",
}


def actions(actor: Actor, record: InspectionRecord) -> list[str]:
    """What this reader may do with the record now: its inspector saves and submits the draft;
    once submitted, only the inspector who inspected corrects it."""
    if actor.role != "inspector" or actor.username != record.inspector:
        return []
    return [a for a in ("save", "submit", "correct") if (record.status, a) in TRANSITIONS]


def _unit_record(uow: UnitOfWork, actor: Actor, inspection_id: int, unit_code: str) -> tuple[Inspection, dict]:
    inspection = load(uow, inspection_id)
    if unit_code not in inspection.unit_codes:
        raise Unprocessable(f"单位 {unit_code} 不在检查 {inspection_id} 的范围内",
                            {"fields": {"unit_code": ["outside the inspection"]}})
    if actor.username not in inspection.assignments.get(unit_code, []):
        raise Forbidden(f"您不是单位 {unit_code} 在本次检查中的检查人员")
    return inspection, records_of(uow, inspection)


def _checked_scores(uow: UnitOfWork, inspection: Inspection, scores: list[dict[str, Any]],
                    complete: bool) -> list[dict[str, Any]]:
    content = uow.session.get(checklist.Checklist, inspection.checklist_id).content
    criteria = checklist.criteria_of(content)
    seen: set[str] = set()
    for score in scores:
        if score["criterion"] not in criteria:
            raise InvalidInput(f"考核细则中没有评分项 {score['criterion']}", {"fields": {"scores": [score["criterion"]]}})
        if score["criterion"] in seen:
            raise InvalidInput(f"评分项 {score['criterion']} 重复打分")
        seen.add(score["criterion"])
        maximum = criteria[score["criterion"]][1]
        if score["score"] > maximum:
            raise InvalidInput(f"评分项 {score['criterion']} 最高 {maximum:g} 分，不能打 {score['score']:g} 分",
                               {"fields": {"scores": [f"{score['criterion']} above its maximum {maximum:g}"]}})
    missing = sorted(set(criteria) - seen)
    if complete and missing:
        raise Unprocessable(f"还有评分项未打分：{'、'.join(missing)}", {"fields": {"scores": missing}})
    return [{**s, "dimension": criteria[s["criterion"]][0], "max": criteria[s["criterion"]][1]} for s in scores]


def _check_day(inspection: Inspection, day: date | None) -> None:
    if day is not None and (day > county_today() or day < inspection.window_opens):
        raise InvalidInput("检查日期须在检查窗口开始之后，且不晚于今天")


def save_draft(uow: UnitOfWork, actor: Actor, inspection_id: int, unit_code: str,
               data: dict[str, Any]) -> dict[str, Any]:
    data = validated(UnitRecord(), data, "检查记录")
    inspection, records = _unit_record(uow, actor, inspection_id, unit_code)
    current = records.get(unit_code)
    if current is not None and current.status == "submitted":
        raise Conflict(f"单位 {unit_code} 的检查记录已提交，不能再修改；如需更正请提交更正（新版本并说明理由）")
    _check_day(inspection, data["inspected_on"])
    scores = _checked_scores(uow, inspection, data["scores"], complete=False)
    record = current or InspectionRecord(inspection_id=inspection.id, unit_code=unit_code, revision=1, status="draft",
                                         created_at=utcnow())
    record.inspector, record.inspected_on, record.scores = actor.username, data["inspected_on"], scores
    uow.session.add(record)
    uow.session.flush()
    _replace_findings(uow, record, data["findings"])
    return record_view(uow, record)


def _replace_findings(uow: UnitOfWork, record: InspectionRecord, findings: list[dict[str, Any]]) -> list[Finding]:
    uow.session.execute(sa.delete(Finding).where(Finding.record_id == record.id))
    rows = [Finding(record_id=record.id, **{k: v for k, v in finding.items() if k != "keeps"}) for finding in findings]
    uow.session.add_all(rows)
    uow.session.flush()
    return rows


def submit(uow: UnitOfWork, actor: Actor, inspection_id: int, unit_code: str) -> dict[str, Any]:
    inspection, records = _unit_record(uow, actor, inspection_id, unit_code)
    record = records.get(unit_code)
    if record is None:
        raise Conflict(f"单位 {unit_code} 还没有检查记录，请先打分")
    if record.status == "submitted":
        raise Conflict(f"单位 {unit_code} 的检查记录已于 {record.submitted_at:%Y-%m-%d} 提交，不能重复提交")
    _checked_scores(uow, inspection, record.scores, complete=True)
    return _finalise(uow, actor, inspection, record, None)


def correct(uow: UnitOfWork, actor: Actor, inspection_id: int, unit_code: str, data: dict[str, Any]) -> dict[str, Any]:
    """A new submitted revision with the reason, by the inspector who inspected; the previous one
    is kept, superseded; its rectifications follow the findings (see the module's docstring)."""
    data = validated(Correction(), data, "检查记录更正")
    inspection, records = _unit_record(uow, actor, inspection_id, unit_code)
    previous = records.get(unit_code)
    if previous is None or previous.status != "submitted":
        raise Conflict(f"单位 {unit_code} 的检查记录尚未提交，直接修改草稿即可")
    if previous.inspector != actor.username:
        raise Forbidden(f"单位 {unit_code} 的检查记录由 {previous.inspector} 检查并提交，只有检查的人员才能更正")
    if data["revision"] is not None and data["revision"] != previous.revision:
        raise Conflict(f"单位 {unit_code} 的检查记录已更正为第 {previous.revision} 版，请刷新后在最新版本上更正")
    old = {f.id: f for f in uow.session.scalars(sa.select(Finding).where(Finding.record_id == previous.id))}
    kept = [f["keeps"] for f in data["findings"] if f["keeps"] is not None]
    strange = sorted({k for k in kept if k not in old} | {k for k in kept if kept.count(k) > 1})
    if strange:
        raise InvalidInput(f"要保留的问题 {strange[0]} 不是第 {previous.revision} 版的问题，或被保留了两次",
                           {"fields": {"findings": [f"keeps {k}" for k in strange]}})
    _check_day(inspection, data["inspected_on"])
    scores = _checked_scores(uow, inspection, data["scores"], complete=True)
    previous.status = "superseded"
    record = InspectionRecord(inspection_id=inspection.id, unit_code=unit_code, revision=previous.revision + 1,
                              status="draft", inspector=actor.username, scores=scores, reason=data["reason"],
                              inspected_on=data["inspected_on"] or previous.inspected_on, created_at=utcnow())
    uow.session.add(record)
    uow.session.flush()
    rows = _replace_findings(uow, record, data["findings"])
    keeps = {row.id: old[f["keeps"]] for row, f in zip(rows, data["findings"]) if f["keeps"] is not None}
    return _finalise(uow, actor, inspection, record, data["reason"], keeps, list(old.values()))


def dimension_scores(scores: list[dict[str, Any]], content: dict[str, Any]) -> list[dict[str, Any]]:
    maxima = {d["code"]: checklist.dimension_maximum(d) for d in content["dimensions"]}
    return [{"dimension": d, "score": round(sum(s["score"] for s in scores if s["dimension"] == d), 2),
             "maximum": maxima[d]} for d in DIMENSIONS]


def _finalise(uow: UnitOfWork, actor: Actor, inspection: Inspection, record: InspectionRecord, reason: str | None,
              keeps: dict[int, Finding] | None = None, replaced: list[Finding] | None = None) -> dict[str, Any]:
    """Submitted: InspectionRecorded, then each finding's rectification: kept from the finding it
    keeps (`keeps`: new finding id → the corrected revision's), else opened; the rectifications of
    the replaced revision's findings nobody keeps are withdrawn."""
    keeps = keeps or {}
    now = utcnow()
    record.status, record.submitted_at = "submitted", now
    content = uow.session.get(checklist.Checklist, inspection.checklist_id).content
    findings = list(uow.session.scalars(sa.select(Finding).where(Finding.record_id == record.id).order_by(Finding.id)))
    uow.emit(names.INSPECTION_RECORDED, {
        "inspection_id": inspection.id, "unit_code": record.unit_code, "revision": record.revision,
        "inspector": actor.username, "recorded_at": now, "dimensions": dimension_scores(record.scores, content),
        "findings": len(findings), "reason": reason})
    start = record.inspected_on or county_date(now)
    for finding in findings:
        carried = rectifications.of_finding(uow, keeps[finding.id]) if finding.id in keeps else None
        if carried is not None:
            rectifications.carry(uow, carried, finding, actor.username, record.revision, now)
        else:
            rectifications.open_for(uow, inspection, record.unit_code, finding,
                                    add_working_days(start, finding.deadline_days), now)
    kept_ids = {f.id for f in keeps.values()}
    for gone in replaced or ():
        r = rectifications.of_finding(uow, gone) if gone.id not in kept_ids else None
        if r is not None:
            rectifications.withdraw(uow, r, actor.username, record.revision, reason or "", now)
    uow.session.flush()
    return record_view(uow, record)


def record_view(uow: UnitOfWork, record: InspectionRecord) -> dict[str, Any]:
    findings = uow.session.scalars(sa.select(Finding).where(Finding.record_id == record.id).order_by(Finding.id))
    return {"id": record.id, "inspection_id": record.inspection_id, "unit_code": record.unit_code,
            "revision": record.revision, "status": record.status, "inspector": record.inspector,
            "inspected_on": record.inspected_on.isoformat() if record.inspected_on else None,
            "scores": record.scores, "reason": record.reason,
            "submitted_at": record.submitted_at.isoformat() if record.submitted_at else None,
            "findings": [{"id": f.id, "dimension": f.dimension, "text": f.text, "deduction": f.deduction,
                          "deadline_days": f.deadline_days, "rectification_id": f.rectification_id}
                         for f in findings]}


def current_record(uow: UnitOfWork, actor: Actor, inspection_id: int, unit_code: str) -> dict[str, Any] | None:
    """The unit's record as it stands, for the county office: its draft or newest submitted
    revision, with its evidence photos (sha256, type, size)."""
    inspection = load(uow, inspection_id)
    if not actor.county or unit_code not in inspection.unit_codes:
        raise Forbidden(f"您不能查看单位 {unit_code} 在检查 {inspection_id} 中的记录")
    record = records_of(uow, inspection).get(unit_code)
    if record is None:
        return None
    photos = uow.session.execute(sa.select(Photo.sha256, Photo.media_type, Photo.size)
                                 .where(Photo.owner == f"record:{record.id}").order_by(Photo.id))
    return {**record_view(uow, record), "actions": actions(actor, record),
            "photos": [{"sha256": h, "media_type": t, "size": n} for h, t, n in photos]}


def unit_records(uow: UnitOfWork, actor: Actor, inspection_id: int, unit_code: str) -> list[dict[str, Any]]:
    """Every revision of a unit's record, oldest first (the county office and the unit's own)."""
    inspection = load(uow, inspection_id)
    if not actor.acts_for(unit_code) or unit_code not in inspection.unit_codes:
        raise Forbidden(f"您不能查看单位 {unit_code} 在检查 {inspection_id} 中的记录")
    return [record_view(uow, r) for r in uow.session.scalars(sa.select(InspectionRecord).where(
        InspectionRecord.inspection_id == inspection.id, InspectionRecord.unit_code == unit_code,
        InspectionRecord.status != "draft").order_by(InspectionRecord.revision))]
