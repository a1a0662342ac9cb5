"""Inspections (督促检查): planned by the county office with a window, a kind, units and
inspectors; each unit's record (scores per criterion with notes, findings, photos) is final
once submitted, and a correction is a new revision with a reason, the old one kept.
Submitting opens a rectification (限期整改) per finding."""
from __future__ import annotations

import secrets
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
    NotFound,
    Unprocessable,
    validated,
)
from services.common.records import utcnow
from services.common.shapes.supervision import Correction, NewInspection, UnitRecord
from services.common.workdays import add_working_days, county_date, county_today

from . import checklist, draw, rectifications
from .facts import chain_of, subtree_of
from .models import Finding, Inspection, InspectionRecord, Photo, UnitCopy


def require_office(actor: Actor) -> None:
    if actor.role != "inspector":
        raise Forbidden("只有县委办（督查）可以安排检查")


def _load(uow: UnitOfWork, inspection_id: int) -> Inspection:
    found = uow.session.get(Inspection, int(inspection_id))
    if found is None:
        raise NotFound(f"没有编号为 {inspection_id} 的检查")
    return found


def _active_codes(uow: UnitOfWork, codes: list[str] | None = None) -> list[str]:
    query = sa.select(UnitCopy.code).where(UnitCopy.status == "active")
    if codes is not None:
        query = query.where(UnitCopy.code.in_(codes))
    return sorted(uow.session.scalars(query))


def _scope(uow: UnitOfWork, sample: dict[str, Any]) -> list[str]:
    if sample["scope"] == "county":
        return _active_codes(uow)
    if not sample.get("scope_value"):
        raise InvalidInput("按镇街或行业抽查时须给出 scope_value（单位代码或行业）")
    if sample["scope"] == "sector":
        return sorted(uow.session.scalars(sa.select(UnitCopy.code).where(
            UnitCopy.status == "active", UnitCopy.sector == sample["scope_value"])))
    return _active_codes(uow, subtree_of(uow.session, sample["scope_value"]))


def belongs_under(uow: UnitOfWork):
    """An inspector of unit X must not inspect X or a unit under X."""
    return lambda inspector_unit, unit: inspector_unit in chain_of(uow.session, unit)


def plan(uow: UnitOfWork, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    require_office(actor)
    data = validated(NewInspection(), data, "检查安排")
    pool = data["inspectors"]
    seed, drawn = None, None
    if data["sample"] is not None:
        sample = data["sample"]
        seed = sample["seed"] if sample["seed"] is not None else secrets.randbelow(2 ** 53)
        population = _scope(uow, sample)
        result = draw.draw(population, pool, seed, sample["share"], sample["count"], data["inspectors_to_draw"],
                           belongs_under(uow))
        units, assignments = result["units"], result["assignments"]
        drawn = {"algorithm": draw.ALGORITHM, "population": population, "pool": pool, "share": sample["share"],
                 "count": sample["count"], "inspectors_per_unit": data["inspectors_to_draw"], "scope": sample,
                 "chains": {code: chain_of(uow.session, code) for code in population}}
    else:
        wanted = data["unit_codes"] or subtree_of(uow.session, data["subtree"])
        units = _active_codes(uow, wanted)
        missing = sorted(set(wanted) - set(units))
        if missing or not units:
            raise Unprocessable(f"这些单位不存在或已撤销：{'、'.join(missing) or data['subtree']}",
                                {"fields": {"unit_codes": missing}})
        own = belongs_under(uow)
        assignments = {}
        for unit in units:
            assignments[unit] = [p["username"] for p in pool if not (p["unit_code"] and own(p["unit_code"], unit))]
            if not assignments[unit]:
                raise Unprocessable(f"单位 {unit} 没有可派的检查人员（本单位人员须回避）")
    inspectors = sorted({name for names_ in assignments.values() for name in names_})
    inspection = Inspection(
        title=data["title"], kind=data["kind"], window_opens=data["window_opens"],
        window_closes=data["window_closes"], unit_codes=units, inspectors=inspectors, assignments=assignments,
        seed=seed, draw=drawn, checklist_id=checklist.ensure(uow.session, data["window_opens"].year).id,
        created_by=actor.username, created_at=utcnow())
    uow.session.add(inspection)
    uow.session.flush()
    uow.emit(names.INSPECTION_SCHEDULED, {**_ref(inspection), "seed": seed, "scheduled_by": actor.username})
    return view(uow, inspection)


def _ref(inspection: Inspection) -> dict[str, Any]:
    return {"inspection_id": inspection.id, "title": inspection.title, "kind": inspection.kind,
            "window_opens": inspection.window_opens, "window_closes": inspection.window_closes,
            "unit_codes": inspection.unit_codes, "inspectors": inspection.inspectors}


def rerun_draw(uow: UnitOfWork, inspection_id: int) -> dict[str, Any]:
    """Run the recorded draw again from its seed: anyone can check it gives the same result."""
    inspection = _load(uow, inspection_id)
    if inspection.draw is None:
        raise Conflict(f"检查 {inspection_id} 不是随机抽查，没有抽签记录")
    d = inspection.draw
    again = draw.draw(d["population"], d["pool"], inspection.seed, d["share"], d["count"], d["inspectors_per_unit"],
                      lambda inspector_unit, unit: inspector_unit in d["chains"].get(unit, [unit]))
    return {"seed": inspection.seed, "algorithm": d["algorithm"], "population": d["population"],
            "pool": d["pool"], "units": inspection.unit_codes, "assignments": inspection.assignments,
            "rerun": again, "matches": (again["units"], again["assignments"]) == (inspection.unit_codes,
                                                                                  inspection.assignments)}


def _records(uow: UnitOfWork, inspection: Inspection) -> dict[str, InspectionRecord]:
    """Each unit's current record: its draft or its newest submitted revision."""
    current: dict[str, InspectionRecord] = {}
    for record in uow.session.scalars(sa.select(InspectionRecord).where(
            InspectionRecord.inspection_id == inspection.id, InspectionRecord.status != "superseded")
            .order_by(InspectionRecord.revision)):
        current[record.unit_code] = record
    return current


def visible_units(actor: Actor, inspection: Inspection) -> list[str]:
    if actor.county:
        return inspection.unit_codes
    return [code for code in inspection.unit_codes if code == actor.unit]


def view(uow: UnitOfWork, inspection: Inspection, actor: Actor | None = None) -> dict[str, Any]:
    records = _records(uow, inspection)
    units = inspection.unit_codes if actor is None else visible_units(actor, inspection)
    return {"id": inspection.id, "title": inspection.title, "kind": inspection.kind,
            "window_opens": inspection.window_opens.isoformat(), "window_closes": inspection.window_closes.isoformat(),
            "inspectors": inspection.inspectors, "seed": inspection.seed, "created_by": inspection.created_by,
            "units": [{"unit_code": code, "inspectors": inspection.assignments.get(code, []),
                       "status": records[code].status if code in records else "pending",
                       "revision": records[code].revision if code in records else None} for code in units]}


def get(uow: UnitOfWork, actor: Actor, inspection_id: int) -> dict[str, Any]:
    inspection = _load(uow, inspection_id)
    if not actor.county and actor.unit not in inspection.unit_codes:
        raise Forbidden(f"检查 {inspection_id} 不涉及您的单位")
    return view(uow, inspection, actor)


def list_inspections(uow: UnitOfWork, actor: Actor, limit: int = 50, after: int | None = None) -> dict[str, Any]:
    query = sa.select(Inspection).order_by(Inspection.id)
    if after:
        query = query.where(Inspection.id > int(after))
    rows, items = uow.session.scalars(query), []
    for inspection in rows:
        if actor.county or actor.unit in inspection.unit_codes:
            items.append(view(uow, inspection, actor))
            if len(items) > limit:
                break
    return {"items": items[:limit], "next": items[limit - 1]["id"] if len(items) > limit else None}


def _unit_record(uow: UnitOfWork, actor: Actor, inspection_id: int, unit_code: str) -> tuple[Inspection, dict]:
    inspection = _load(uow, inspection_id)
    if unit_code not in inspection.unit_codes:
        raise Unprocessable(f"单位 {unit_code} 不在检查 {inspection_id} 的范围内",
                            {"fields": {"unit_code": ["outside the inspection"]}})
    if actor.username not in inspection.assignments.get(unit_code, []):
        raise Forbidden(f"您不是单位 {unit_code} 在本次检查中的检查人员")
    return inspection, _records(uow, inspection)


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


def _replace_findings(uow: UnitOfWork, record: InspectionRecord, findings: list[dict[str, Any]]) -> None:
    uow.session.execute(sa.delete(Finding).where(Finding.record_id == record.id))
    for finding in findings:
        uow.session.add(Finding(record_id=record.id, **finding))
    uow.session.flush()


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
    """A new submitted revision with the reason; the previous one is kept, superseded."""
    data = validated(Correction(), data, "检查记录更正")
    inspection, records = _unit_record(uow, actor, inspection_id, unit_code)
    previous = records.get(unit_code)
    if previous is None or previous.status != "submitted":
        raise Conflict(f"单位 {unit_code} 的检查记录尚未提交，直接修改草稿即可")
    _check_day(inspection, data["inspected_on"])
    scores = _checked_scores(uow, inspection, data["scores"], complete=True)
    previous.status = "superseded"
    record = InspectionRecord(inspection_id=inspection.id, unit_code=unit_code, revision=previous.revision + 1,
                              status="draft", inspector=actor.username, scores=scores, reason=data["reason"],
                              inspected_on=data["inspected_on"] or previous.inspected_on, created_at=utcnow())
    uow.session.add(record)
    uow.session.flush()
    _replace_findings(uow, record, data["findings"])
    return _finalise(uow, actor, inspection, record, data["reason"])


def dimension_scores(scores: list[dict[str, Any]], content: dict[str, Any]) -> list[dict[str, Any]]:
    maxima = {d["code"]: checklist.dimension_maximum(d) for d in content["dimensions"]}
    return [{"dimension": d, "score": round(sum(s["score"] for s in scores if s["dimension"] == d), 2),
             "maximum": maxima[d]} for d in DIMENSIONS]


def _finalise(uow: UnitOfWork, actor: Actor, inspection: Inspection, record: InspectionRecord,
              reason: str | None) -> dict[str, Any]:
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
        rectifications.open_for(uow, inspection, record.unit_code, finding,
                                add_working_days(start, finding.deadline_days), now)
    return record_view(uow, record)


def record_view(uow: UnitOfWork, record: InspectionRecord) -> dict[str, Any]:
    findings = uow.session.scalars(sa.select(Finding).where(Finding.record_id == record.id).order_by(Finding.id))
    return {"id": record.id, "inspection_id": record.inspection_id, "unit_code": record.unit_code,
            "revision": record.revision, "status": record.status, "inspector": record.inspector,
            "inspected_on": record.inspected_on.isoformat() if record.inspected_on else None,
            "scores": record.scores, "reason": record.reason,
            "submitted_at": record.submitted_at.isoformat() if record.submitted_at else None,
            "findings": [{"id": f.id, "dimension": f.dimension, "text": f.text, "deduction": f.deduction,
                          "deadline_days": f.deadline_days} for f in findings]}


def current_record(uow: UnitOfWork, actor: Actor, inspection_id: int, unit_code: str) -> dict[str, Any] | None:
    """The unit's record as it stands, for the county office: its draft or newest submitted
    revision, with its evidence photos (sha256, type, size)."""
    inspection = _load(uow, inspection_id)
    if not actor.county or unit_code not in inspection.unit_codes:
        raise Forbidden(f"您不能查看单位 {unit_code} 在检查 {inspection_id} 中的记录")
    record = _records(uow, inspection).get(unit_code)
    if record is None:
        return None
    photos = uow.session.execute(sa.select(Photo.sha256, Photo.media_type, Photo.size)
                                 .where(Photo.owner == f"record:{record.id}").order_by(Photo.id))
    return {**record_view(uow, record), "photos": [{"sha256": h, "media_type": t, "size": n} for h, t, n in photos]}


def unit_records(uow: UnitOfWork, actor: Actor, inspection_id: int, unit_code: str) -> list[dict[str, Any]]:
    """Every revision of a unit's record, oldest first (the county office and the unit's own)."""
    inspection = _load(uow, inspection_id)
    if not actor.acts_for(unit_code) or unit_code not in inspection.unit_codes:
        raise Forbidden(f"您不能查看单位 {unit_code} 在检查 {inspection_id} 中的记录")
    return [record_view(uow, r) for r in uow.session.scalars(sa.select(InspectionRecord).where(
        InspectionRecord.inspection_id == inspection.id, InspectionRecord.unit_code == unit_code,
        InspectionRecord.status != "draft").order_by(InspectionRecord.revision))]
