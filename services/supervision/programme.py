"""The rest of the office's programme: model candidates (典型示范), public commitments
(公开承诺, with milestones in its year and their progress, recorded by the unit) and leaders'
comments (领导点评), and the scores of each month once it ends
(ScoresComputed, with the units to interview (约谈) and the designated sites to review (复核))."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from services.common.actor import Actor
from services.common.contract import names
from services.common.db import UnitOfWork
from services.common.errors import Conflict, Forbidden, InvalidInput, NotFound, validated
from services.common.records import utcnow
from services.common.shapes.supervision import CommitmentProgress, MilestoneProgress, NewComment, NewCommitment
from services.common.workdays import county_today

from . import checklist, model_review, scores
from .facts import chain_of
from .models import (
    Comment,
    Commitment,
    FeedbackFact,
    Rectification,
    ScoreRun,
    UnitCopy,
)
from .periods import Period, as_of_date, month_of
from .rectifications import UNRESOLVED

CANDIDATE_PERIODS = 3
# a milestone's state table: (state, action) → state
MILESTONE_TRANSITIONS: dict[tuple[str, str], str] = {("pending", "complete"): "done"}


def candidates(uow: UnitOfWork, as_of: datetime, sector: str | None = None) -> dict[str, Any]:
    """Units scoring at least the model score in each of the last three months ended by
    as_of, with no unresolved rectification and no feedback overdue and still unanswered."""
    session = uow.session
    last = month_of(as_of_date(as_of)).previous()  # the last month that had ended by as_of
    periods = [last]
    while len(periods) < CANDIDATE_PERIODS:
        periods.append(periods[-1].previous())
    bar = float(checklist.in_force(session, last.year, as_of).content.get("model_score", 85))
    results = scores.compute_many(session, periods, as_of)
    totals = [{u["unit_code"]: u for u in r["units"]} for r in results]
    unresolved = set(session.scalars(sa.select(Rectification.unit_code).where(Rectification.status.in_(UNRESOLVED))))
    overdue = set(session.scalars(sa.select(FeedbackFact.unit_code).where(FeedbackFact.kind == "overdue")))
    answered_late = set(session.scalars(sa.select(FeedbackFact.feedback_id).where(FeedbackFact.kind == "answered")))
    still_overdue = set(session.scalars(sa.select(FeedbackFact.unit_code).where(
        FeedbackFact.kind == "overdue", FeedbackFact.feedback_id.not_in(answered_late)))) if overdue else set()
    out = []
    for code, first in totals[0].items():
        if sector and first["sector"] != sector:
            continue
        series = [t.get(code, {}).get("total") for t in totals]
        if any(v is None or v < bar for v in series) or code in unresolved or code in still_overdue:
            continue
        out.append({"unit_code": code, "name": first["name"], "sector": first["sector"],
                    "demonstration": first["demonstration"], "evidence": [
                        {"period": p.text, "total": t[code]["total"], "dimensions": t[code]["dimensions"]}
                        for p, t in zip(periods, totals)]})
    out.sort(key=lambda c: (c["sector"], -sum(e["total"] for e in c["evidence"]), c["unit_code"]))
    return {"as_of": as_of.isoformat(), "model_score": bar, "periods": [p.text for p in periods], "items": out}


def candidate(uow: UnitOfWork, as_of: datetime, unit_code: str) -> dict[str, Any] | None:
    """The unit's entry on the candidates' list as of as_of (the one check before a nomination), or None."""
    return next((c for c in candidates(uow, as_of)["items"] if c["unit_code"] == unit_code), None)


def add_commitment(uow: UnitOfWork, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    data = validated(NewCommitment(), data, "公开承诺")
    if actor.role not in ("operator", "reviewer", "inspector") or not actor.acts_for(data["unit_code"]):
        raise Forbidden(f"单位 {data['unit_code']} 的公开承诺由本单位或县委办录入")
    if uow.session.get(UnitCopy, data["unit_code"]) is None:
        raise NotFound(f"没有单位 {data['unit_code']}")
    year = data["year"]
    outside = [m for m in data["milestones"] if m["due_on"].year != year]
    if outside:
        title, due = outside[0]["title"], outside[0]["due_on"].isoformat()
        raise InvalidInput(f"里程碑“{title}”的日期 {due} 不在承诺的 {year} 年内",
                           {"fields": {"milestones": [m["title"] for m in outside]}})
    milestones = [{"title": m["title"], "due_on": m["due_on"].isoformat(), "status": "pending", "done_on": None,
                   "note": None, "by": None} for m in sorted(data["milestones"], key=lambda m: m["due_on"])]
    made = Commitment(**{**data, "milestones": milestones}, created_by=actor.username, created_at=utcnow())
    uow.session.add(made)
    uow.session.flush()
    return _commitment(made, actor)


def report_progress(uow: UnitOfWork, actor: Actor, commitment_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """The unit (or the county office) reports how a commitment is going, and the day it was kept."""
    data = validated(CommitmentProgress(), data, "承诺进展")
    made = uow.session.get(Commitment, int(commitment_id))
    if made is None:
        raise NotFound(f"没有第 {commitment_id} 号公开承诺")
    if actor.role not in ("operator", "reviewer", "inspector") or not actor.acts_for(made.unit_code):
        raise Forbidden(f"单位 {made.unit_code} 的公开承诺由本单位或县委办录入")
    made.progress, made.done_on, made.progress_at = data["progress"], data["done_on"], utcnow()
    uow.session.flush()
    return _commitment(made, actor)


def milestone_actions(actor: Actor | None, c: Commitment, milestone: dict[str, Any]) -> list[str]:
    """The unit's own operator or reviewer records a milestone's progress; the state table decides."""
    if actor is None or actor.role not in ("operator", "reviewer") or actor.unit != c.unit_code:
        return []
    return [a for a in ("complete",) if (milestone["status"], a) in MILESTONE_TRANSITIONS]


def record_progress(uow: UnitOfWork, actor: Actor, commitment_id: int, index: int,
                    data: dict[str, Any]) -> dict[str, Any]:
    """A milestone done, on a day of the commitment's year not after today, with what was done."""
    data = validated(MilestoneProgress(), data, "承诺进度")
    c = uow.session.get(Commitment, int(commitment_id), with_for_update=True)
    if c is None:
        raise NotFound(f"没有编号为 {commitment_id} 的公开承诺")
    if actor.role not in ("operator", "reviewer") or actor.unit != c.unit_code:
        raise Forbidden(f"单位 {c.unit_code} 的承诺进度由本单位的党务干事或书记填报")
    number = int(index) + 1
    if not 0 <= int(index) < len(c.milestones):
        raise NotFound(f"承诺 {c.id} 没有第 {number} 个里程碑")
    milestone = c.milestones[int(index)]
    if (milestone["status"], "complete") not in MILESTONE_TRANSITIONS:
        title, done_on, by = milestone["title"], milestone["done_on"], milestone["by"]
        raise Conflict(f"里程碑“{title}”已于 {done_on} 由 {by} 填报完成")
    if data["done_on"].year != c.year or data["done_on"] > county_today():
        raise InvalidInput(f"完成日期须在承诺的 {c.year} 年内，且不晚于今天",
                           {"fields": {"done_on": ["outside the year or in the future"]}})
    done = {**milestone, "status": MILESTONE_TRANSITIONS[(milestone["status"], "complete")],
            "done_on": data["done_on"].isoformat(), "note": data["note"], "by": actor.username}
    c.milestones = [done if n == int(index) else m for n, m in enumerate(c.milestones)]
    uow.session.flush()
    return _commitment(c, actor)


def _commitment(c: Commitment, actor: Actor | None = None) -> dict[str, Any]:
    milestones = [{**m, "actions": milestone_actions(actor, c, m)} for m in c.milestones or []]
    return {"id": c.id, "unit_code": c.unit_code, "year": c.year, "text": c.text, "due_on": c.due_on.isoformat(),
            "milestones": milestones, "milestones_done": sum(1 for m in milestones if m["status"] == "done"),
            "created_by": c.created_by, "created_at": c.created_at.isoformat(), "progress": c.progress,
            "progress_at": c.progress_at.isoformat() if c.progress_at else None,
            "done_on": c.done_on.isoformat() if c.done_on else None}


def get_commitment(uow: UnitOfWork, actor: Actor | None, commitment_id: int) -> dict[str, Any]:
    c = uow.session.get(Commitment, int(commitment_id))
    if c is None:
        raise NotFound(f"没有编号为 {commitment_id} 的公开承诺")
    return _commitment(c, actor)


def list_commitments(uow: UnitOfWork, unit: str | None, year: int | None,
                     actor: Actor | None = None) -> list[dict[str, Any]]:
    query = sa.select(Commitment).order_by(Commitment.id).limit(500)
    if unit:
        query = query.where(Commitment.unit_code == unit)
    if year:
        query = query.where(Commitment.year == int(year))
    return [_commitment(c, actor) for c in uow.session.scalars(query)]


def add_comment(uow: UnitOfWork, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """By an inspector, or by the reviewer (supervising leader) of a unit above this one."""
    data = validated(NewComment(), data, "领导点评")
    Period(data["period"])
    if uow.session.get(UnitCopy, data["unit_code"]) is None:
        raise NotFound(f"没有单位 {data['unit_code']}")
    above = chain_of(uow.session, data["unit_code"])[1:]
    if not (actor.role == "inspector" or (actor.role == "reviewer" and actor.unit in above)):
        raise Forbidden("点评由县委办检查人员或上级党组织的分管领导作出")
    made = Comment(**data, author=actor.username, role=actor.role, created_at=utcnow())
    uow.session.add(made)
    uow.session.flush()
    return _comment(made)


def _comment(c: Comment) -> dict[str, Any]:
    return {"id": c.id, "unit_code": c.unit_code, "period": c.period, "grade": c.grade, "text": c.text,
            "author": c.author, "role": c.role, "created_at": c.created_at.isoformat()}


def list_comments(uow: UnitOfWork, unit: str | None, period: str | None) -> list[dict[str, Any]]:
    query = sa.select(Comment).order_by(Comment.id).limit(500)
    if unit:
        query = query.where(Comment.unit_code == unit)
    if period:
        query = query.where(Comment.period == Period(period).text)
    return [_comment(c) for c in uow.session.scalars(query)]


def designated(uow: UnitOfWork, as_of: datetime) -> set[str]:
    """Units holding a designation (示范点 or 典型) in its term at as_of, as units told us."""
    return {f.unit_code for f in model_review.in_term(uow.session, as_of)}


def score_ended_month(uow: UnitOfWork, now: datetime | None = None) -> str | None:
    """Once per month after it ends: its scores as of now, claimed by inserting the run (a
    second replica's insert fails), with ScoresComputed. Runs from a timer, so it commits."""
    now = now or utcnow()
    period = month_of(as_of_date(now)).previous()
    if uow.session.get(ScoreRun, period.text) is not None:
        return None
    result = scores.compute(uow.session, period, now)
    threshold = model_review.threshold(uow.session, period.year, now)
    totals = {u["unit_code"]: u["total"] for u in result["units"] if u["total"] is not None}
    below = sorted(c for c, t in totals.items() if t < threshold)
    before = uow.session.get(ScoreRun, period.previous().text)
    before_below = {c for c, t in (before.totals if before else {}).items() if t < threshold}
    demonstration = {u["unit_code"] for u in result["units"] if u["demonstration"]} | designated(uow, now)
    try:
        uow.session.add(ScoreRun(period=period.text, as_of=now, totals=totals, created_at=now))
        uow.session.flush()
    except IntegrityError:
        uow.rollback()
        return None
    uow.emit(names.SCORES_COMPUTED, {
        "period": period.text, "as_of": now, "units": len(totals),
        "mean": round(sum(totals.values()) / len(totals), 2) if totals else None, "threshold": threshold,
        "below_threshold": below, "interviews": [c for c in below if c in before_below],
        "reviews": [c for c in below if c in demonstration]})
    uow.commit()
    return period.text
