"""公开榜, the county's public record: for each unit, from the same recorded facts and the same
as-of rule as the office's scores (scores.compute), how many obligations fell due in the
period and were published on time, late, or are still missing, and how its feedback was
answered and rated, and its latest inspection result once an issued and published monthly
通报 covers it (issued_inspections.py). Nothing the office has not issued: no totals, no
inspection of a report not yet issued, no comments (those reach the public through the issued
monthly report, reports.py).

A unit with fewer than MIN_OBLIGATIONS judged obligations, or MIN_FEEDBACK judged (or rated)
feedback, is "too few to rate" for that figure: its counts are shown, its rate is null."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from . import issued_inspections, scores
from .marks import missing_counts
from .periods import Period

MIN_OBLIGATIONS = 3
MIN_FEEDBACK = 3


def _rate(part: int, whole: int, least: int) -> float | None:
    return round(part / whole * 100, 1) if whole >= least and whole else None


def compute(session: Session, period: Period, as_of: datetime) -> dict[str, Any]:
    """{"period", "as_of", "min_obligations", "min_feedback", "units": [row per unit, in code order]}."""
    scored = scores.compute(session, period, as_of)
    missing = missing_counts(session, period, as_of)
    inspected = issued_inspections.compute(session, period, as_of)
    rows = []
    for unit in sorted(scored["units"], key=lambda u: u["unit_code"]):
        judged, on_time = unit["obligations"]["judged"], unit["obligations"]["on_time"]
        gone = missing.get(unit["unit_code"], 0)
        fb = unit["feedback"]
        rated = sum(fb["ratings"].values())
        rows.append({
            "unit_code": unit["unit_code"], "name": unit["name"], "sector": unit["sector"],
            "town_code": unit["town_code"],
            "obligations": {"judged": judged, "on_time": on_time, "late": judged - on_time - gone, "missing": gone,
                            "rate": _rate(on_time, judged, MIN_OBLIGATIONS)},
            "feedback": {"judged": fb["judged"], "on_time": fb["on_time"],
                         "rate": _rate(fb["on_time"], fb["judged"], MIN_FEEDBACK), "rated": rated,
                         "satisfaction": fb["satisfaction"] if rated >= MIN_FEEDBACK else None},
            "inspection": inspected.get(unit["unit_code"])})
    return {"period": scored["period"], "as_of": scored["as_of"], "min_obligations": MIN_OBLIGATIONS,
            "min_feedback": MIN_FEEDBACK, "units": rows}
