"""Inspections (督促检查): planned by the county office with a window, a kind, units and
inspectors; each unit's record (scores per criterion with notes, findings, photos) is final
once submitted, and a correction is a new revision with a reason, the old one kept.
Submitting opens a rectification (限期整改) per finding."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from services.common.actor import Actor
from services.common.contract import names
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
from services.common.shapes.supervision import NewInspection

from . import checklist, draw
from .facts import chain_of, subtree_of
from .models import Inspection, InspectionRecord, UnitCopy
from .register_models import DrawSchedule


def require_office(actor: Actor) -> None:
    if actor.role != "inspector":
        raise Forbidden("只有县委办（督查）可以安排检查")


def load(uow: UnitOfWork, inspection_id: int) -> Inspection:
    found = uow.session.get(Inspection, int(inspection_id))
    if found is None:
        raise NotFound(f"没有编号为 {inspection_id} 的检查")
    return found


def _active_codes(uow: UnitOfWork, codes: list[str] | None = None) -> list[str]:
    query = sa.select(UnitCopy.code).where(UnitCopy.status == "active")
    if codes is not None:
        query = query.where(UnitCopy.code.in_(codes))
    return sorted(uow.session.scalars(query))


def scope(uow: UnitOfWork, sample: dict[str, Any]) -> list[str]:
    """The active units of a sample's scope: the county, a sector, or a unit and every unit under it."""
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


def refuse_chosen_seed(sample: dict[str, Any]) -> None:
    if sample.get("seed") is not None:
        raise InvalidInput("双随机抽查的种子由系统生成，并在抽签前公布其 SHA-256，"
                           "任何人（包括安排检查的人）都不能指定：请删去 seed", {"fields": {"sample.seed": ["由系统生成，不能指定"]}})


def _draw(uow: UnitOfWork, sample: dict[str, Any], pool: list[dict[str, Any]], per_unit: int) -> dict[str, Any]:
    """Commit to a fresh seed (its SHA-256), then draw with it; the seed is revealed with the result."""
    refuse_chosen_seed(sample)
    seed = draw.new_seed()
    committed = {"algorithm": draw.ALGORITHM, "commitment": draw.commitment(seed),
                 "committed_at": utcnow().isoformat()}
    return drawn_record(uow, seed, committed, scope(uow, sample), pool, sample, per_unit)


def drawn_record(uow: UnitOfWork, seed: str, committed: dict[str, Any], population: list[str],
                 pool: list[dict[str, Any]], sample: dict[str, Any], per_unit: int) -> dict[str, Any]:
    """The draw made with the seed, recorded with everything a re-run needs (the registers as used)."""
    result = draw.draw(population, pool, seed, sample["share"], sample["count"], per_unit, belongs_under(uow))
    return {**committed, "seed": seed, "drawn_at": utcnow().isoformat(), "population": population, "pool": pool,
            "share": sample["share"], "count": sample["count"], "inspectors_per_unit": per_unit,
            "scope": {k: v for k, v in sample.items() if k != "seed"},
            "chains": {code: chain_of(uow.session, code) for code in population},
            "units": result["units"], "assignments": result["assignments"]}


def plan(uow: UnitOfWork, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    require_office(actor)
    data = validated(NewInspection(), data, "检查安排")
    pool = data["inspectors"]
    seed, drawn = None, None
    if data["sample"] is not None:
        drawn = _draw(uow, data["sample"], pool, data["inspectors_to_draw"])
        units, assignments = drawn.pop("units"), drawn.pop("assignments")
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
    uow.emit(names.INSPECTION_SCHEDULED, {**ref(inspection), "seed": seed, "scheduled_by": actor.username})
    return view(uow, inspection)


def ref(inspection: Inspection) -> dict[str, Any]:
    return {"inspection_id": inspection.id, "title": inspection.title, "kind": inspection.kind,
            "window_opens": inspection.window_opens, "window_closes": inspection.window_closes,
            "unit_codes": inspection.unit_codes, "inspectors": inspection.inspectors}


def rerun_draw(uow: UnitOfWork, inspection_id: int) -> dict[str, Any]:
    """Run the recorded draw again from its seed: anyone can check it gives the same result."""
    inspection = load(uow, inspection_id)
    if inspection.draw is None:
        raise Conflict(f"检查 {inspection_id} 不是随机抽查，没有抽签记录")
    d = inspection.draw
    seed = d.get("seed", inspection.seed)
    again = draw.rerun(d["algorithm"], d["population"], d["pool"], seed, d["share"], d["count"],
                       d["inspectors_per_unit"],
                       lambda inspector_unit, unit: inspector_unit in d["chains"].get(unit, [unit]))
    return {"seed": seed, "algorithm": d["algorithm"], "commitment": d.get("commitment"),
            "committed_at": d.get("committed_at"), "drawn_at": d.get("drawn_at"), "scope": d.get("scope"),
            "registers_on": d.get("registers_on"),
            "share": d["share"], "count": d["count"], "inspectors_per_unit": d["inspectors_per_unit"],
            "population": d["population"], "chains": d["chains"], "pool": d["pool"],
            "units": inspection.unit_codes, "assignments": inspection.assignments,
            "rerun": again, "matches": (again["units"], again["assignments"]) == (inspection.unit_codes,
                                                                                  inspection.assignments)}


def records_of(uow: UnitOfWork, inspection: Inspection) -> dict[str, InspectionRecord]:
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
    records = records_of(uow, inspection)
    units = inspection.unit_codes if actor is None else visible_units(actor, inspection)
    return {"id": inspection.id, "title": inspection.title, "kind": inspection.kind,
            "window_opens": inspection.window_opens.isoformat(), "window_closes": inspection.window_closes.isoformat(),
            "inspectors": inspection.inspectors,
            "seed": inspection.seed if inspection.seed is not None else (inspection.draw or {}).get("seed"),
            "created_by": inspection.created_by, "scheduled_draw": _scheduled(uow, inspection),
            "units": [{"unit_code": code, "inspectors": inspection.assignments.get(code, []),
                       "status": records[code].status if code in records else "pending",
                       "revision": records[code].revision if code in records else None} for code in units]}


def _scheduled(uow: UnitOfWork, inspection: Inspection) -> dict[str, Any] | None:
    """A draw planned for a later time: when, its state and commitment (never its seed)."""
    found = uow.session.get(DrawSchedule, inspection.id)
    return None if found is None else {"status": found.status, "draw_at": found.draw_at.isoformat(),
                                       "commitment": found.commitment, "problem": found.problem}


def get(uow: UnitOfWork, actor: Actor, inspection_id: int) -> dict[str, Any]:
    inspection = load(uow, inspection_id)
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
