"""Rectifications (限期整改): each finding gives the unit a deadline in working days.

open → submitted (the unit's operator: what was done, with evidence) → accepted by an
inspector | returned with a reason → submitted again → ... An open or returned one past its
deadline becomes overdue (red, once; it can still be submitted). A correction of the inspection
record that removes its finding withdraws one not yet accepted (withdrawn, closed); one whose
finding the correction keeps carries on where it was. Every move is kept with who and when, so
the state at any instant can be told (scores as of an instant)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from services.common.actor import Actor
from services.common.contract import names
from services.common.db import UnitOfWork
from services.common.errors import Conflict, Forbidden, NotFound, validated
from services.common.i18n import term
from services.common.records import utcnow
from services.common.shapes.supervision import RectificationSubmission, ReturnReason
from services.common.workdays import add_working_days, county_today, is_provisional

from .models import Finding, Inspection, Photo, Rectification, RectificationStep, UnitCopy

STATUSES = ("open", "submitted", "returned", "overdue", "accepted", "withdrawn")
UNRESOLVED = ("open", "submitted", "returned", "overdue")
TRANSITIONS: dict[tuple[str, str], str] = {
    ("open", "submit"): "submitted",
    ("returned", "submit"): "submitted",
    ("overdue", "submit"): "submitted",
    ("submitted", "accept"): "accepted",
    ("submitted", "return"): "returned",
    ("open", "expire"): "overdue",
    ("returned", "expire"): "overdue",
    ("open", "withdraw"): "withdrawn",
    ("submitted", "withdraw"): "withdrawn",
    ("returned", "withdraw"): "withdrawn",
    ("overdue", "withdraw"): "withdrawn",
}
WARNING_WORKING_DAYS = 3
BATCH = 500


def next_status(status: str, action: str) -> str:
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise Conflict(f"整改处于“{term('rectification_status', status)}”状态，不能{term('rectification_action', action)}") from None




def actions(actor: Actor | None, r: Rectification) -> list[str]:
    """What this reader may do with it now: the unit's operator submits (again), an inspector
    who did not submit it accepts or returns it; the state table has the last word."""
    if actor is None:
        return []
    if actor.role == "operator" and actor.unit == r.unit_code:
        wanted = ("submit",)
    elif actor.role == "inspector" and r.submitted_by != actor.username:
        wanted = ("accept", "return")
    else:
        wanted = ()
    return [a for a in wanted if (r.status, a) in TRANSITIONS]


def _ref(r: Rectification) -> dict[str, Any]:
    return {"rectification_id": r.id, "inspection_id": r.inspection_id, "unit_code": r.unit_code,
            "dimension": r.dimension, "finding": r.finding, "deadline": r.deadline,
            "provisional": is_provisional(r.deadline)}


def _step(uow: UnitOfWork, r: Rectification, to: str, actor: str, note: str | None, at: datetime) -> None:
    uow.session.add(RectificationStep(rectification_id=r.id, from_status=None if to == "open" else r.status,
                                      to_status=to, actor=actor, note=note, at=at))
    r.status = to


def open_for(uow: UnitOfWork, inspection: Inspection, unit_code: str, finding: Finding, deadline, now) -> Rectification:
    r = Rectification(inspection_id=inspection.id, finding_id=finding.id, unit_code=unit_code,
                      dimension=finding.dimension, finding=finding.text, deduction=finding.deduction,
                      deadline=deadline, status="open", opened_at=now)
    uow.session.add(r)
    uow.session.flush()
    _step(uow, r, "open", inspection.created_by, None, now)
    finding.rectification_id = r.id
    uow.emit(names.RECTIFICATION_OPENED, {**_ref(r), "opened_at": now})
    return r


def of_finding(uow: UnitOfWork, finding: Finding) -> Rectification | None:
    """The rectification a submitted finding opened or kept."""
    if finding.rectification_id is not None:
        return uow.session.get(Rectification, finding.rectification_id, with_for_update=True)
    return uow.session.scalar(sa.select(Rectification).where(Rectification.finding_id == finding.id).with_for_update())


def carry(uow: UnitOfWork, r: Rectification, finding: Finding, actor: str, revision: int, now: datetime) -> None:
    """The corrected record keeps the finding: the rectification goes on where it was (its state,
    deadline, evidence and trail); a changed wording or deduction is noted in its trail."""
    finding.rectification_id = r.id
    if (r.dimension, r.finding, r.deduction) == (finding.dimension, finding.text, finding.deduction):
        return
    r.dimension, r.finding, r.deduction = finding.dimension, finding.text, finding.deduction
    uow.session.add(RectificationStep(rectification_id=r.id, from_status=r.status, to_status=r.status, actor=actor,
                                      note=f"检查记录更正为第 {revision} 版，问题改为：{finding.text}", at=now))


def withdraw(uow: UnitOfWork, r: Rectification, actor: str, revision: int, reason: str, now: datetime) -> bool:
    """The corrected record no longer has the finding: closed as withdrawn, unless already accepted
    (put right stays put right)."""
    if (r.status, "withdraw") not in TRANSITIONS:
        return False
    _step(uow, r, next_status(r.status, "withdraw"), actor, f"检查记录更正为第 {revision} 版，已删去这一问题：{reason}", now)
    uow.emit(names.RECTIFICATION_WITHDRAWN, {**_ref(r), "withdrawn_by": actor, "withdrawn_at": now,
                                              "revision": revision, "reason": reason})
    return True


def _load(uow: UnitOfWork, rectification_id: int, lock: bool = False) -> Rectification:
    r = uow.session.get(Rectification, int(rectification_id), with_for_update=lock or None)
    if r is None:
        raise NotFound(f"没有编号为 {rectification_id} 的整改")
    return r


def submit(uow: UnitOfWork, actor: Actor, rectification_id: int, data: dict[str, Any]) -> dict[str, Any]:
    data = validated(RectificationSubmission(), data, "整改情况")
    r = _load(uow, rectification_id, lock=True)
    if actor.role != "operator" or actor.unit != r.unit_code:
        raise Forbidden(f"整改 {r.id} 属于单位 {r.unit_code}，只能由该单位的党务干事提交")
    to = next_status(r.status, "submit")
    known = set(uow.session.scalars(sa.select(Photo.sha256).where(Photo.owner == f"rectification:{r.id}")))
    missing = [h for h in data["evidence"] if h not in known]
    if missing:
        raise Conflict(f"佐证材料 {missing[0][:12]}… 尚未上传到本整改，请先上传照片")
    now = utcnow()
    note = data["done"] + ("\n佐证：" + "、".join(data["evidence"]) if data["evidence"] else "")
    _step(uow, r, to, actor.username, note, now)
    r.submitted_by = actor.username
    uow.emit(names.RECTIFICATION_SUBMITTED, {**_ref(r), "submitted_by": actor.username, "submitted_at": now})
    return view(uow, r, actor)


def decide(uow: UnitOfWork, actor: Actor, rectification_id: int, action: str,
           data: dict[str, Any] | None = None) -> dict[str, Any]:
    """accept (验收通过) or return (退回, with a reason), by an inspector who did not submit it."""
    if actor.role != "inspector":
        raise Forbidden("整改由县委办（督查）人员验收")
    r = _load(uow, rectification_id, lock=True)
    if r.submitted_by == actor.username:
        raise Forbidden("不能验收自己提交的整改")
    reason = validated(ReturnReason(), data, "退回理由")["reason"] if action == "return" else None
    to = next_status(r.status, action)
    now = utcnow()
    _step(uow, r, to, actor.username, reason, now)
    if action == "accept":
        uow.emit(names.RECTIFICATION_ACCEPTED, {**_ref(r), "accepted_by": actor.username, "accepted_at": now})
    else:
        uow.emit(names.RECTIFICATION_RETURNED, {**_ref(r), "returned_by": actor.username, "returned_at": now,
                                                 "reason": reason})
    return view(uow, r, actor)


def view(uow: UnitOfWork, r: Rectification, actor: Actor | None = None) -> dict[str, Any]:
    steps = uow.session.scalars(sa.select(RectificationStep).where(RectificationStep.rectification_id == r.id)
                                .order_by(RectificationStep.id))
    photos = uow.session.execute(sa.select(Photo.sha256, Photo.media_type, Photo.size)
                                 .where(Photo.owner == f"rectification:{r.id}").order_by(Photo.id))
    return {"id": r.id, "inspection_id": r.inspection_id, "unit_code": r.unit_code, "dimension": r.dimension,
            "finding": r.finding, "deduction": r.deduction, "deadline": r.deadline.isoformat(),
            "due_provisional": is_provisional(r.deadline), "status": r.status,
            "status_label": term("rectification_status", r.status), "opened_at": r.opened_at.isoformat(),
            "submitted_by": r.submitted_by, "actions": actions(actor, r),
            "evidence": [{"sha256": h, "media_type": t, "size": s} for h, t, s in photos],
            "trail": [{"from": s.from_status, "to": s.to_status, "by": s.actor, "note": s.note,
                       "at": s.at.isoformat()} for s in steps]}


def get(uow: UnitOfWork, actor: Actor, rectification_id: int) -> dict[str, Any]:
    r = _load(uow, rectification_id)
    if not actor.acts_for(r.unit_code):
        raise Forbidden(f"整改 {r.id} 属于单位 {r.unit_code}，您无权查看")
    return view(uow, r, actor)


def list_for(uow: UnitOfWork, actor: Actor, filters: dict[str, Any], limit: int = 50,
             after: int | None = None) -> dict[str, Any]:
    query = sa.select(Rectification).order_by(Rectification.id).limit(limit + 1)
    unit = filters.get("unit")
    if not actor.county:
        if unit not in (None, actor.unit):
            raise Forbidden(f"您只能查看本单位（{actor.unit}）的整改")
        unit = actor.unit
    if unit:
        query = query.where(Rectification.unit_code == unit)
    if filters.get("status"):
        query = query.where(Rectification.status == filters["status"])
    if filters.get("inspection"):
        query = query.where(Rectification.inspection_id == int(filters["inspection"]))
    if filters.get("town"):
        query = query.where(Rectification.unit_code.in_(
            sa.select(UnitCopy.code).where(UnitCopy.town_code == filters["town"])))
    if after:
        query = query.where(Rectification.id > int(after))
    rows = list(uow.session.scalars(query))
    items = [view(uow, r, actor) for r in rows[:limit]]
    return {"items": items, "next": items[-1]["id"] if len(rows) > limit else None}


def status_at(steps: list[tuple[str, datetime]], deadline, as_of: datetime, as_of_day) -> str | None:
    """The state at `as_of` from the trail (None before it was opened); an open or returned
    one past its deadline on that day counts as overdue whether or not the timer ran yet."""
    status = None
    for to, at in steps:
        if at <= as_of:
            status = to
    if status in ("open", "returned") and deadline < as_of_day:
        return "overdue"
    return status


def check_deadlines(uow: UnitOfWork) -> dict[str, int]:
    """Red (overdue: past its deadline, not submitted) and yellow (due within 3 working days),
    once each: every row is claimed with a conditional update before its event is emitted.
    Runs from a timer, so it commits."""
    today, now = county_today(), utcnow()
    horizon = add_working_days(today, WARNING_WORKING_DAYS)
    counts = {"overdue": 0, "due_soon": 0}
    late = sa.and_(Rectification.status.in_(("open", "returned")), Rectification.deadline < today,
                   Rectification.overdue_at.is_(None))
    soon = sa.and_(Rectification.status.in_(("open", "returned")), Rectification.deadline >= today,
                   Rectification.deadline <= horizon, Rectification.warned_at.is_(None))
    for kind, condition, values, event in (("overdue", late, {"overdue_at": now, "status": "overdue"},
                                            names.RECTIFICATION_OVERDUE),
                                           ("due_soon", soon, {"warned_at": now}, names.RECTIFICATION_DUE_SOON)):
        for rid in list(uow.session.scalars(sa.select(Rectification.id).where(condition).limit(BATCH))):
            before = uow.session.get(Rectification, rid).status
            claimed = uow.session.execute(sa.update(Rectification).where(Rectification.id == rid, condition)
                                          .values(**values).execution_options(synchronize_session=False)).rowcount
            if claimed != 1:
                continue
            r = uow.session.get(Rectification, rid, populate_existing=True)
            if kind == "overdue":
                uow.session.add(RectificationStep(rectification_id=rid, from_status=before, to_status="overdue",
                                                  actor="system", note=None, at=now))
            uow.emit(event, _ref(r))
            counts[kind] += 1
    uow.commit()
    return counts
