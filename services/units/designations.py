"""Demonstration sites (示范点) and models (典型): nominate → designate for a term (three
years by default) → expire when the term ends, or revoke with a reason."""
from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common import i18n
from services.common.contract import names
from services.common.db import UnitOfWork
from services.common.records import utcnow
from services.common.errors import Conflict, InvalidInput, NotFound

from .models import Designation, Unit
from .review_models import DesignationReview
from .registry import DEFAULT_TERM_YEARS, designation_fields, emit_change, load_unit, term_end

KINDS = ("demonstration", "model")
# a designation's state table: (state, action) → state; expiry at the term's end is the timer's, not an action
# keep: a model reviewed (复核) after its monthly score fell below the pass mark stays designated
TRANSITIONS: dict[tuple[str, str], str] = {("nominated", "designate"): "designated",
                                          ("designated", "keep"): "designated",
                                          ("designated", "revoke"): "revoked"}
PERIOD = re.compile(r"\d{4}-(0[1-9]|1[0-2])")  # a month reviewed, as supervision names it
EXPERIENCE_MAX = 10_000  # as services/common/shapes/units.py Experience



def view(d: Designation, reviews: Iterable[DesignationReview] = ()) -> dict[str, Any]:
    return {"id": d.id, "unit_code": d.unit_code, "kind": d.kind, "status": d.status, "reason": d.reason,
            "nominated_by": d.nominated_by, "nominated_at": d.nominated_at.isoformat(),
            "designated_by": d.designated_by,
            "starts_on": d.starts_on.isoformat() if d.starts_on else None,
            "ends_on": d.ends_on.isoformat() if d.ends_on else None, "revoked_reason": d.revoked_reason,
            "experience": d.experience, "actions": actions(d.status),
            "reviews": [{"period": r.period, "decision": r.decision, "reason": r.reason, "reviewed_by": r.reviewed_by,
                         "reviewed_at": r.reviewed_at.isoformat()} for r in reviews]}


def actions(status: str) -> list[str]:
    """What may be done to a designation in this state, from the state table."""
    return [action for (state, action) in TRANSITIONS if state == status]


def reviews_of(session: Session, ids: list[int]) -> dict[int, list[DesignationReview]]:
    found: dict[int, list[DesignationReview]] = {i: [] for i in ids}
    for review in session.scalars(sa.select(DesignationReview).where(DesignationReview.designation_id.in_(ids))
                                  .order_by(DesignationReview.period, DesignationReview.id)):
        found[review.designation_id].append(review)
    return found


def shown(session: Session, designation: Designation) -> dict[str, Any]:
    """The designation's view with its reviews."""
    return view(designation, reviews_of(session, [designation.id])[designation.id])


def _allowed(designation: Designation, action: str) -> None:
    """Refused, in the catalogue's words, unless the state table has (its state, the action)."""
    if (designation.status, action) in TRANSITIONS:
        return
    designation_id = designation.id
    if action == "designate":
        raise Conflict(f"designation {designation_id} is {designation.status}, not nominated")
    if action == "keep":
        status = i18n.term("designation_status", designation.status)
        raise Conflict(f"第 {designation_id} 号认定现在是“{status}”状态，只有在期内的典型才能复核保留")
    raise Conflict(f"designation {designation_id} is {designation.status}; only a designated one can be revoked")


def _load(session: Session, designation_id: int) -> Designation:
    designation = session.get(Designation, designation_id)
    if designation is None:
        raise NotFound(f"no designation {designation_id}")
    return designation


def nominate(uow: UnitOfWork, actor: str, unit_code: str, kind: str, reason: str) -> dict[str, Any]:
    if kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)}")
    if not reason or not reason.strip():
        raise InvalidInput("a nomination needs a reason")
    unit = load_unit(uow.session, unit_code)
    if unit.status != "active":
        raise Conflict(f"unit {unit_code} is {unit.status}")
    open_ = uow.session.scalar(sa.select(sa.func.count()).where(
        Designation.unit_code == unit_code, Designation.kind == kind,
        Designation.status.in_(("nominated", "designated"))))
    if open_:
        raise Conflict(f"unit {unit_code} is already nominated or designated as {kind}")
    designation = Designation(unit_code=unit_code, kind=kind, status="nominated", reason=reason.strip(),
                              nominated_by=actor, nominated_at=utcnow())
    uow.session.add(designation)
    uow.session.flush()
    return shown(uow.session, designation)


def designate(uow: UnitOfWork, actor: str, designation_id: int, term_years: int = DEFAULT_TERM_YEARS,
              starts_on: date | None = None) -> dict[str, Any]:
    if not 1 <= term_years <= 10:
        raise InvalidInput("a term is from 1 to 10 years")
    designation = _load(uow.session, designation_id)
    _allowed(designation, "designate")
    unit = load_unit(uow.session, designation.unit_code)
    start = starts_on or date.today()
    designation.status, designation.designated_by = "designated", actor
    designation.starts_on, designation.ends_on = start, term_end(start, term_years)
    if designation.kind == "demonstration":
        unit.demonstration = True
    emit_change(uow, unit, [(names.DEMONSTRATION_DESIGNATED, designation_fields(designation))], actor)
    return shown(uow.session, designation)


def set_experience(uow: UnitOfWork, actor: str, designation_id: int, experience: str | None) -> dict[str, Any]:
    """Attach (or replace, or with None remove) the experience write-up (经验做法) of a
    designated site or model; a nomination not yet decided, or one ended, takes none."""
    designation = _load(uow.session, designation_id)
    if designation.status != "designated":
        status = i18n.term("designation_status", designation.status)
        raise Conflict(f"第 {designation_id} 号认定现在是“{status}”状态，只有在期内的示范点、典型才能填写经验做法")
    text = (experience or "").strip() or None
    if text is not None and len(text) > EXPERIENCE_MAX:
        raise InvalidInput(f"经验做法最多 {EXPERIENCE_MAX} 字，请删减")
    designation.experience, designation.experience_by = text, actor
    return shown(uow.session, designation)


def revoke(uow: UnitOfWork, actor: str, designation_id: int, reason: str) -> dict[str, Any]:
    if not reason or not reason.strip():
        raise InvalidInput("a revocation needs a reason")
    designation = _load(uow.session, designation_id)
    _allowed(designation, "revoke")
    unit = load_unit(uow.session, designation.unit_code)
    facts = [_end(uow.session, unit, designation, "revoked", actor, reason.strip())]
    emit_change(uow, unit, facts, actor)
    return shown(uow.session, designation)


def keep(uow: UnitOfWork, actor: str, designation_id: int, period: str, reason: str) -> dict[str, Any]:
    """The office's review of a model whose score for `period` fell below the pass mark: kept,
    with the reason (DesignationKept tells supervision, which takes it off that month's review)."""
    reason = (reason or "").strip()
    if not 1 <= len(reason) <= 2000:
        raise InvalidInput("复核保留须写明理由（2000 字以内）")
    if not PERIOD.fullmatch(period or ""):
        raise InvalidInput(f"复核的月份“{period}”有误，应为 2026-07 这样的年月")
    designation = _load(uow.session, designation_id)
    _allowed(designation, "keep")
    if designation.kind != "model":
        raise Conflict(f"第 {designation_id} 号认定是示范点，复核保留只对典型")
    if uow.session.scalar(sa.select(DesignationReview.id).where(DesignationReview.designation_id == designation_id,
                                                                DesignationReview.period == period)):
        raise Conflict(f"第 {designation_id} 号认定 {period} 的复核已有记录，不再重复保留")
    uow.session.add(DesignationReview(designation_id=designation_id, period=period, decision="keep", reason=reason,
                                      reviewed_by=actor, reviewed_at=utcnow()))
    uow.session.flush()
    uow.emit(names.DESIGNATION_KEPT, {"designation_id": designation_id, "unit_code": designation.unit_code,
                                      "kind": designation.kind, "period": period, "reason": reason, "kept_by": actor})
    return shown(uow.session, designation)


def _end(session: Session, unit: Unit, designation: Designation, status: str, actor: str,
         reason: str | None = None) -> tuple[str, dict]:
    designation.status, designation.closed_at = status, utcnow()
    fields = designation_fields(designation)
    if status == "revoked":
        designation.revoked_reason = reason
        fields["reason"] = reason
    if designation.kind == "demonstration":
        session.flush()
        unit.demonstration = session.scalar(sa.select(sa.func.count()).where(
            Designation.unit_code == unit.code, Designation.kind == "demonstration",
            Designation.status == "designated")) > 0
    return (names.DEMONSTRATION_REVOKED if status == "revoked" else names.DEMONSTRATION_EXPIRED, fields)


def end_all(session: Session, unit: Unit, reason: str, actor: str) -> list[tuple[str, dict]]:
    """Revoke a closing unit's designations and drop its nominations."""
    facts = []
    for designation in session.scalars(sa.select(Designation).where(
            Designation.unit_code == unit.code, Designation.status.in_(("nominated", "designated")))):
        if designation.status == "nominated":
            designation.status, designation.closed_at, designation.revoked_reason = "revoked", utcnow(), reason
        else:
            facts.append(_end(session, unit, designation, "revoked", actor, reason))
    return facts


def expire_due(uow: UnitOfWork, today: date | None = None) -> int:
    """End the designations whose term is over. Each is claimed by a conditional update,
    so two replicas running this timer never expire one twice."""
    today = today or date.today()
    session = uow.session
    due = session.scalars(sa.select(Designation.id).where(Designation.status == "designated",
                                                          Designation.ends_on < today)).all()
    expired = 0
    for designation_id in due:
        claimed = session.execute(sa.update(Designation).where(
            Designation.id == designation_id, Designation.status == "designated")
            .values(status="expiring")).rowcount
        if not claimed:
            continue
        designation = session.get(Designation, designation_id)
        session.refresh(designation)
        unit = load_unit(session, designation.unit_code)
        emit_change(uow, unit, [_end(session, unit, designation, "expired", "system")], "system")
        expired += 1
    return expired


def list_designations(session: Session, unit_code: str | None = None, status: str | None = None,
                      limit: int = 100, after_id: int = 0) -> dict[str, Any]:
    """A page of designations by id; `next` is the cursor for the next page."""
    query = sa.select(Designation).where(Designation.id > after_id).order_by(Designation.id).limit(limit + 1)
    if unit_code:
        query = query.where(Designation.unit_code == unit_code)
    if status:
        query = query.where(Designation.status == status)
    rows = session.scalars(query).all()
    page = rows[:limit]
    reviews = reviews_of(session, [d.id for d in page])
    return {"items": [view(d, reviews[d.id]) for d in page], "next": page[-1].id if len(rows) > limit else None}
