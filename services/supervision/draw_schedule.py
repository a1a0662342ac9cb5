"""A 双随机 draw at a stated later time (docs/draw.md). When the office plans the inspection the
system makes the seed and publishes its SHA-256 (the commitment) at once; a timer runs the draw
by itself at the stated time, from the standing registers as they stand on that day (recorded
with the draw, so anyone can recompute it), then reveals the seed. Planning is refused in words
when the registers cannot give what the rules need: too few units for the sample, or too few
inspectors for some unit once its own are recused.

The schedule's states: scheduled → drawn | failed (the registers changed so the draw could not
be made; the reason is kept and shown)."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from services.common.actor import Actor
from services.common.contract import names
from services.common.db import UnitOfWork
from services.common.errors import DomainError, InvalidInput, Unprocessable, validated
from services.common.records import utcnow
from services.common.shapes.draws import ScheduledDrawBody
from services.common.workdays import county_date

from . import checklist, draw, registers
from .draw_rules import checked, sample_size
from .inspections import (
    belongs_under,
    drawn_record,
    ref,
    refuse_chosen_seed,
    require_office,
    rerun_draw,
    scope,
    view,
)
from .models import Inspection
from .register_models import DrawSchedule

TRANSITIONS = {("scheduled", "draw"): "drawn", ("scheduled", "fail"): "failed"}
SAMPLE_KEYS = ("scope", "scope_value", "share", "count")


def _population(uow: UnitOfWork, sample: dict[str, Any], day: Any) -> list[str]:
    """The registered units in force on the day, within the sample's scope."""
    return sorted(set(registers.units_on(uow, day)) & set(scope(uow, sample)))


def _feasible(uow: UnitOfWork, population: list[str], pool: list[dict[str, Any]], sample: dict[str, Any],
              per_unit: int) -> None:
    """Refuse a plan whatever seed would fail: every unit of the scope must have enough inspectors."""
    if not population:
        raise Unprocessable("检查对象名录在抽签当天没有属于这个范围的单位：请先在名录中添加单位。",
                            {"fields": {"scope": ["no registered unit"]}})
    if not pool:
        raise Unprocessable("检查人员名录在抽签当天没有人：请先在名录中添加检查人员。",
                            {"fields": {"inspectors_to_draw": ["empty register"]}})
    own = checked(population, pool, per_unit, belongs_under(uow))
    sample_size(len(population), sample["share"], sample["count"])
    short = [u for u in population
             if sum(1 for p in pool if not (p["unit_code"] and own(p["unit_code"], u))) < per_unit]
    if short:
        units = "、".join(short[:10]) + (" 等" if len(short) > 10 else "")
        raise Unprocessable(f"这些单位回避本单位及上级单位人员后，可派的检查人员不足 {per_unit} 人：{units}。"
                            "请在检查人员名录中添加人员。",
                            {"fields": {"inspectors_to_draw": [f"too few for {len(short)} units"]}})


def plan(uow: UnitOfWork, actor: Actor, data: dict[str, Any], now: datetime | None = None) -> dict[str, Any]:
    require_office(actor)
    refuse_chosen_seed(data or {})
    data = validated(ScheduledDrawBody(), data, "定时抽签")
    now = now or utcnow()
    data["draw_at"] = data["draw_at"].astimezone(UTC)  # stored as UTC (SQLite keeps no offset)
    if data["draw_at"] <= now:
        raise InvalidInput("抽签时间须在现在之后。", {"fields": {"draw_at": ["in the past"]}})
    day = county_date(data["draw_at"])
    if day > data["window_opens"]:
        raise InvalidInput("抽签须在检查开始日期当天或之前进行。", {"fields": {"draw_at": ["after the window opens"]}})
    sample = {k: data[k] for k in SAMPLE_KEYS}
    if sample["scope"] != "county" and not sample["scope_value"]:
        raise InvalidInput("按镇街或行业抽查时须给出 scope_value（单位代码或行业）", {"fields": {"scope_value": ["required"]}})
    per_unit = data["inspectors_to_draw"]
    _feasible(uow, _population(uow, sample, day), registers.pool_on(uow, day), sample, per_unit)
    seed = draw.new_seed()
    inspection = Inspection(
        title=data["title"], kind="random", window_opens=data["window_opens"], window_closes=data["window_closes"],
        unit_codes=[], inspectors=[], assignments={}, seed=None, draw=None,
        checklist_id=checklist.ensure(uow.session, data["window_opens"].year).id,
        created_by=actor.username, created_at=now)
    uow.session.add(inspection)
    uow.session.flush()
    uow.session.add(DrawSchedule(inspection_id=inspection.id, draw_at=data["draw_at"], status="scheduled", seed=seed,
                                 commitment=draw.commitment(seed), committed_at=now, sample=sample,
                                 inspectors_per_unit=per_unit))
    uow.session.flush()
    return view(uow, inspection)


def published(schedule: DrawSchedule) -> dict[str, Any]:
    """What the portal shows of a draw not made yet: the commitment, never the seed."""
    return {"status": schedule.status, "algorithm": draw.ALGORITHM, "commitment": schedule.commitment,
            "committed_at": schedule.committed_at.isoformat(), "draw_at": schedule.draw_at.isoformat(),
            "problem": schedule.problem, "scope": schedule.sample, "share": schedule.sample["share"],
            "count": schedule.sample["count"], "inspectors_per_unit": schedule.inspectors_per_unit,
            "seed": None, "drawn_at": None, "population": [], "chains": {}, "pool": [], "units": [],
            "assignments": {}, "matches": None}


def public_draw(uow: UnitOfWork, inspection_id: int) -> dict[str, Any]:
    """The draw's public record: before a scheduled draw runs, its commitment only."""
    schedule = uow.session.get(DrawSchedule, int(inspection_id))
    if schedule is not None and schedule.status != "drawn":
        return published(schedule)
    return {**rerun_draw(uow, inspection_id), "status": "drawn",
            "draw_at": schedule.draw_at.isoformat() if schedule else None}


def _run(uow: UnitOfWork, schedule: DrawSchedule, now: datetime) -> None:
    inspection = uow.session.get(Inspection, schedule.inspection_id)
    day = county_date(schedule.draw_at)
    committed = {"algorithm": draw.ALGORITHM, "commitment": schedule.commitment,
                 "committed_at": schedule.committed_at.isoformat(), "draw_at": schedule.draw_at.isoformat(),
                 "registers_on": day.isoformat()}
    try:
        drawn = drawn_record(uow, schedule.seed, committed, _population(uow, schedule.sample, day),
                             registers.pool_on(uow, day), schedule.sample, schedule.inspectors_per_unit)
    except DomainError as exc:
        schedule.status, schedule.problem = TRANSITIONS[("scheduled", "fail")], exc.message
        return
    units, assignments = drawn.pop("units"), drawn.pop("assignments")
    inspection.unit_codes, inspection.assignments, inspection.draw = units, assignments, drawn
    inspection.inspectors = sorted({name for names_ in assignments.values() for name in names_})
    schedule.status, schedule.drawn_at = TRANSITIONS[("scheduled", "draw")], now
    uow.session.flush()
    uow.emit(names.INSPECTION_SCHEDULED, {**ref(inspection), "seed": None, "scheduled_by": inspection.created_by})


def run_due(uow: UnitOfWork, now: datetime | None = None) -> int:
    """The draws whose time has come, each claimed first (a second replica's claim finds it taken).
    Runs from a timer, so it commits."""
    now = now or utcnow()
    done = 0
    due = list(uow.session.scalars(sa.select(DrawSchedule.inspection_id).where(
        DrawSchedule.status == "scheduled", DrawSchedule.draw_at <= now).order_by(DrawSchedule.draw_at)))
    for inspection_id in due:
        claimed = uow.session.execute(sa.update(DrawSchedule).where(
            DrawSchedule.inspection_id == inspection_id, DrawSchedule.status == "scheduled")
            .values(status="drawing").execution_options(synchronize_session=False)).rowcount == 1
        if not claimed:
            uow.rollback()
            continue
        schedule = uow.session.get(DrawSchedule, inspection_id)
        uow.session.refresh(schedule)
        _run(uow, schedule, now)
        uow.commit()
        done += 1
    uow.rollback()
    return done
