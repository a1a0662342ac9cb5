"""The models (典型) to review (复核): those in their term whose score for the month just ended
fell below that year's pass mark (the checklist's `threshold`, the line of the monthly 通报), with
their figures, unless the office kept the model on reviewing that month (units' DesignationKept):
it comes back when a later month's score falls below the mark again. Supervision knows the designations from units' events (DesignationFact), so the
list as of a moment is the same whenever it is asked."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from . import checklist, scores
from .keep_models import KeptFact
from .models import DesignationFact
from .periods import as_of_date, month_of

DEFAULT_THRESHOLD = 60  # as the checklist's default pass mark


def in_term(session: Session, as_of: datetime, kind: str | None = None) -> list[DesignationFact]:
    """Each designation's latest change known at as_of, kept when it is in its term on that day
    (of the kind, when given), in the order units made them."""
    latest: dict[int, DesignationFact] = {}
    for fact in session.scalars(sa.select(DesignationFact).where(DesignationFact.received_at <= as_of)
                                .order_by(DesignationFact.occurred_at, DesignationFact.id)):
        latest[fact.designation_id] = fact
    day = as_of_date(as_of)
    return sorted((f for f in latest.values() if f.change == "designated" and f.starts_on <= day <= f.ends_on
                   and (kind is None or f.kind == kind)), key=lambda f: f.designation_id)


def threshold(session: Session, year: int, as_of: datetime) -> float:
    return float(checklist.in_force(session, year, as_of).content.get("threshold", DEFAULT_THRESHOLD))


def models_to_review(session: Session, as_of: datetime) -> dict[str, Any]:
    """{"as_of", "period" (the month ended last by as_of), "threshold", "models" (how many in
    their term), "items": one per model whose total that month is below the threshold}."""
    period = month_of(as_of_date(as_of)).previous()
    line = threshold(session, period.year, as_of)
    models = in_term(session, as_of, "model")
    kept = set(session.scalars(sa.select(KeptFact.designation_id).where(
        KeptFact.period == period.text, KeptFact.received_at <= as_of)))
    rows = {u["unit_code"]: u for u in scores.compute(session, period, as_of)["units"]} if models else {}
    items = []
    for fact in models:
        row = rows.get(fact.unit_code)
        if row is None or row["total"] is None or row["total"] >= line or fact.designation_id in kept:
            continue
        items.append({"designation_id": fact.designation_id, "unit_code": fact.unit_code, "name": row["name"],
                      "sector": row["sector"], "starts_on": fact.starts_on.isoformat(),
                      "ends_on": fact.ends_on.isoformat(), "total": row["total"], "dimensions": row["dimensions"],
                      "rectifications": row["rectifications"]})
    return {"as_of": as_of.isoformat(), "period": period.text, "threshold": line, "models": len(models),
            "items": items}
