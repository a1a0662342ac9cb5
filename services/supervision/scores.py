"""Scores (考核得分) per unit and period, computed from recorded facts as of an instant.

Only what had occurred and had arrived by `as_of` counts: obligation and feedback events
(their occurred_at and received_at), inspection records submitted by then, the state of
each rectification then (from its trail), comments made by then. Asking again later gives
the same numbers; a late event changes only the answers as of an instant after it arrived.
How the parts combine is the checklist's (data/checklist.yaml explains it)."""
from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common.actor import Actor
from services.common.contract.supervision import DIMENSIONS
from services.common.errors import Forbidden

from . import checklist
from .marks import obligation_counts_many
from .models import Comment, Commitment, FeedbackFact
from .periods import Period, apart, sorting
from .score_inputs import Known, Record


def _flag(condition: Any) -> Any:
    return sa.func.max(sa.case((condition, 1), else_=0))


def _known(model: Any, as_of: datetime) -> Any:
    return sa.and_(model.occurred_at <= as_of, model.received_at <= as_of)


def feedback_counts(session: Session, period: Period, as_of: datetime) -> dict[str, dict[str, Any]]:
    """unit → {judged, on_time, ratings: {rating: n}} for feedback answered or overdue in the period."""
    return feedback_counts_many(session, [period], as_of)[0]


def feedback_counts_many(session: Session, periods: list[Period], as_of: datetime) -> list[dict[str, dict[str, Any]]]:
    """feedback_counts() of each period: periods apart from each other in one statement for them
    all (each fact counted in the period of its day); periods that overlap, each on its own."""
    if not apart(periods):
        return [feedback_counts_many(session, [period], as_of)[0] for period in periods]
    by = sorting(FeedbackFact.day, periods)
    window = sa.and_(by.within, _known(FeedbackFact, as_of))
    per = (sa.select(by.index.label("period"), FeedbackFact.unit_code.label("unit"),
                     _flag(FeedbackFact.kind == "answered").label("answered"),
                     _flag(sa.or_(FeedbackFact.kind == "overdue",
                                  sa.and_(FeedbackFact.kind == "answered", FeedbackFact.on_time.is_(False)))).label("late"))
           .where(window, FeedbackFact.kind.in_(("answered", "overdue")))
           .group_by(FeedbackFact.unit_code, FeedbackFact.feedback_id, *by.grouping).subquery())
    judged = (sa.select(sa.literal("judged").label("kind"), per.c.period, per.c.unit, sa.null().label("rating"),
                        sa.func.count(), sa.func.sum(sa.case((sa.and_(per.c.answered == 1, per.c.late == 0), 1), else_=0)))
              .group_by(per.c.period, per.c.unit))
    rated = (sa.select(sa.literal("rated"), by.index, FeedbackFact.unit_code, FeedbackFact.rating, sa.func.count(),
                       sa.literal(0)).where(window, FeedbackFact.kind == "rated")
             .group_by(FeedbackFact.unit_code, FeedbackFact.rating, *by.grouping))
    out: list[dict[str, dict[str, Any]]] = [defaultdict(lambda: {"judged": 0, "on_time": 0, "ratings": {}})
                                            for _ in periods]
    for kind, i, unit, rating, n, ok in session.execute(sa.union_all(judged, rated)):
        if kind == "judged":
            out[i][unit]["judged"], out[i][unit]["on_time"] = int(n), int(ok or 0)
        else:
            out[i][unit]["ratings"][rating] = int(n)
    return out


def _comments(session: Session, periods: list[Period], as_of: datetime) -> list[dict[str, str]]:
    """Per period, unit → the grade of its latest comment made by as_of."""
    grades: dict[str, dict[str, str]] = defaultdict(dict)
    for text, unit, grade in session.execute(
            sa.select(Comment.period, Comment.unit_code, Comment.grade)
            .where(Comment.period.in_(sorted({p.text for p in periods})), Comment.created_at <= as_of)
            .order_by(Comment.created_at, Comment.id)):
        grades[text][unit] = grade
    return [grades[p.text] for p in periods]


def _mean(pairs: list[tuple[float, float]]) -> float | None:
    """Weighted mean of the (value, weight) pairs, their products and weights each added in order."""
    weighted = weights = 0
    for value, weight in pairs:
        weighted += value * weight
        weights += weight
    return weighted / weights if weights else None


NO_FEEDBACK: dict[str, Any] = {"judged": 0, "on_time": 0, "ratings": {}}
NO_RECTIFICATIONS = {"open": 0, "overdue": 0, "accepted": 0}


def compute(session: Session, period: Period, as_of: datetime, known: Known | None = None,
            detail: bool = True) -> dict[str, Any]:
    """{"period", "as_of", "checklist": {...}, "units": [row per unit, best first]}. `known`: the
    period-free inputs as of the same instant, when another period is scored as of it too;
    without `detail` each unit's row is its code, name, sector, town and total only, in code order
    (a ranking's, which orders them itself)."""
    return compute_many(session, [period], as_of, detail, known)[0]


def compute_many(session: Session, periods: list[Period], as_of: datetime, detail: bool = True,
                 known: Known | None = None) -> list[dict[str, Any]]:
    """compute() for several periods as of one instant: the period-free inputs loaded once, the
    obligation and feedback counts and the comments of all the periods each in one query, and
    each record's inspection side worked out once for the periods that take it."""
    known = known or Known(session, as_of)
    obligations = obligation_counts_many(session, periods, as_of)
    feedback = feedback_counts_many(session, periods, as_of)
    comments = _comments(session, periods, as_of)
    inspected: dict[tuple[int, int], tuple[float, ...]] = {}
    return [_scores(session, period, known, obligations[i], feedback[i], comments[i], inspected, detail)
            for i, period in enumerate(periods)]


FACTS = {"on_time": 0, "feedback": 1}  # the dimensions with a facts side: its place in a unit's facts
NOT_INSPECTED = (None,) * len(DIMENSIONS)


def _inspection(record: Record, known: Known, lift: float, scale: list[tuple[str, float]]) -> tuple[float, ...]:
    """Each dimension's inspection side (0-100, in DIMENSIONS order, `scale` their maxima): the
    record's sum less the deductions of its findings, an accepted rectification lifting `lift` of one."""
    sums = json.loads(record.sums)
    found = known.findings().get(record.id)
    if found:
        states, by_finding = known.states(), known.by_finding()
        for finding in found:
            rect = states.get(finding.rectification_id) or by_finding.get(finding.id)
            kept = finding.deduction * (1 - lift) if rect and rect[1] == "accepted" else finding.deduction
            sums[finding.dimension] = sums.get(finding.dimension, 0.0) - kept
    return tuple([max(0.0, sums.get(d, 0.0)) / maximum * 100 for d, maximum in scale])


class _Weighing:
    """A unit's dimensions (value, inspection side, facts side), their weighted mean and its facts
    (on-time rate, feedback), from its inspection side, obligation counts and feedback, by the
    checklist's weights, shares, feedback mix and rating values."""

    def __init__(self, content: dict[str, Any], dims: dict[str, dict[str, Any]]) -> None:
        mix = content.get("feedback_mix") or {"answered_on_time": 0.6, "satisfaction": 0.4}
        self.mix = float(mix.get("answered_on_time", 0)), float(mix.get("satisfaction", 0))
        self.rating_values = content.get("ratings") or {}
        self.shape = [(d, dims[d]["name"], dims[d]["weight"], float(dims[d]["weight"]),
                       float(dims[d].get("facts_share", 0)), 1 - float(dims[d].get("facts_share", 0)), FACTS.get(d))
                      for d in DIMENSIONS]

    def __call__(self, inspection: tuple[float | None, ...], judged: int, on_time: int,
                 fb: dict[str, Any]) -> tuple[Any, ...]:
        satisfaction = answered_rate = None
        mixed: list[tuple[float, float]] = []
        if fb is not NO_FEEDBACK:
            ratings_n = sum(fb["ratings"].values())
            satisfaction = (sum(self.rating_values.get(k, 0) * n for k, n in fb["ratings"].items()) / ratings_n
                            if ratings_n else None)
            answered_rate = fb["on_time"] / fb["judged"] * 100 if fb["judged"] else None
            mixed = [(v, w) for v, w in zip((answered_rate, satisfaction), self.mix) if v is not None]
        facts = (on_time / judged * 100 if judged else None,
                 _mean(mixed) if mixed else None)
        values, present = [], []
        for (_d, _name, _weight, weight, share, rest, which), insp in zip(self.shape, inspection):
            fact = None if which is None else facts[which]
            value = insp if fact is None else fact if insp is None else share * fact + rest * insp
            values.append((value, insp, fact))
            if value is not None:
                present.append((value, weight))
        return tuple(values), _mean(present), facts, answered_rate, satisfaction


def _scores(session: Session, period: Period, known: Known, obligations: dict[str, tuple[int, int]],
            feedback: dict[str, dict[str, Any]], comments: dict[str, str],
            inspected: dict[tuple[int, int], tuple[float, ...]], detail: bool) -> dict[str, Any]:
    as_of = known.as_of
    rules = known.rules(period.year)
    content = rules.content
    dims = {d["code"]: d for d in content["dimensions"]}
    scale = [(d, checklist.dimension_maximum(dims[d])) for d in DIMENSIONS]
    records = known.latest_records(period)
    per_unit_rect = known.unit_rectifications()
    commitments = {} if not detail else dict(session.execute(sa.select(Commitment.unit_code, sa.func.count()).where(
        Commitment.year == period.year, Commitment.created_at <= as_of).group_by(Commitment.unit_code)).all())
    lift = float(content.get("lift_on_accept", 1.0))
    penalty = float((content.get("penalties") or {}).get("overdue_rectification", 0))
    grade_points = content.get("comment_grades") or {}
    weigh = _Weighing(content, dims)
    weighed: dict[tuple[Any, ...], tuple[Any, ...]] = {}  # the units without feedback, by their other inputs
    rows = []
    rules_id = rules.id
    for code, name, sector, town_code, demonstration in known.units():
        record = records.get(code)
        inspection = NOT_INSPECTED
        if record is not None:
            key = (rules_id, record.id)
            inspection = inspected.get(key)
            if inspection is None:
                inspection = inspected[key] = _inspection(record, known, lift, scale)
        judged, on_time = obligations.get(code, (0, 0))
        fb = feedback.get(code, NO_FEEDBACK)
        if fb is NO_FEEDBACK:
            inputs = (inspection, judged, on_time)
            if inputs not in weighed:
                weighed[inputs] = weigh(inspection, judged, on_time, fb)
            values, base, facts, answered_rate, satisfaction = weighed[inputs]
        else:
            values, base, facts, answered_rate, satisfaction = weigh(inspection, judged, on_time, fb)
        rect = per_unit_rect.get(code, NO_RECTIFICATIONS)
        points = float(grade_points.get(comments[code], 0)) if code in comments else 0.0
        total = None if base is None else min(100.0, max(0.0, base + points - penalty * rect["overdue"]))
        if not detail:
            rows.append({"unit_code": code, "name": name, "sector": sector, "town_code": town_code,
                         "total": _round(total)})
            continue
        dimensions = {d: {"name": dimension, "weight": weight, "value": _round(value), "inspection": _round(insp),
                          "facts": _round(fact)}
                      for (d, dimension, weight, *_), (value, insp, fact) in zip(weigh.shape, values)}
        rows.append({
            "unit_code": code, "name": name, "sector": sector, "town_code": town_code,
            "demonstration": demonstration, "total": _round(total), "weighted": _round(base),
            "dimensions": dimensions,
            "obligations": {"judged": judged, "on_time": on_time, "rate": _round(facts[0])},
            "feedback": {"judged": fb["judged"], "on_time": fb["on_time"], "rate": _round(answered_rate),
                         "ratings": dict(fb["ratings"]), "satisfaction": _round(satisfaction)},
            "inspection": None if record is None else {"inspection_id": record.inspection_id,
                                                       "revision": record.revision,
                                                       "submitted_at": record.submitted_at.isoformat()},
            "rectifications": dict(rect), "penalty": penalty * rect["overdue"],
            "comment": None if code not in comments else {"grade": comments[code], "points": points},
            "commitments": int(commitments.get(code, 0))})
    if detail:
        rows.sort(key=lambda r: (r["total"] is None, -(r["total"] or 0), r["unit_code"]))
    return {"period": period.text, "as_of": as_of.isoformat(), "checklist": {"year": rules.year,
                                                                            "version": rules.version},
            "units": rows}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


FILTERS = (("unit", "unit_code"), ("sector", "sector"), ("town", "town_code"))


def visible_scores(session: Session, actor: Actor, period: Period, as_of: datetime,
                   filters: dict[str, Any]) -> dict[str, Any]:
    """The scores as the actor may see them: the county office every unit's (by unit, sector or
    town as filtered), anyone else their own unit's only."""
    if not actor.county:
        if filters.get("unit") not in (None, actor.unit):
            raise Forbidden(f"您只能查看本单位（{actor.unit}）的得分")
        filters = {**filters, "unit": actor.unit}
    result = compute(session, period, as_of)
    result["units"] = [u for u in result["units"]
                       if all(not filters.get(k) or u[f] == filters[k] for k, f in FILTERS)]
    return result
