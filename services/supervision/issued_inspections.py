"""公开榜's inspection results: each unit's latest inspection as the office has issued it to the
public. Only what an issued and published monthly 通报 covers counts: the newest such report of
the record's period issued by the record's instant, and each unit's inspection record as that
report's scores took it (score_inputs.Known.latest_records: the newest record submitted by the report's
as_of, for a visit by its month's end), with its findings and how many of them were put right
(rectification accepted) by that same instant. A draft report, an unpublished one, a record
submitted after the report, a rectification accepted after it: none of them shows until a
later report is issued."""
from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common.contract.supervision import DIMENSIONS

from . import checklist, scores
from .score_inputs import Known
from .models import Finding, Report
from .periods import Period


def latest_issued_report(session: Session, period: Period, as_of: datetime) -> Report | None:
    """The newest monthly 通报 of a month inside the period, issued and published by as_of."""
    reports = session.scalars(sa.select(Report).where(
        Report.kind == "monthly", Report.status == "issued", Report.published.is_(True), Report.issued_at <= as_of)
        .order_by(Report.period.desc(), Report.issued_at.desc()))
    return next((r for r in reports if period.start <= Period(r.period).start <= period.end), None)


def compute(session: Session, period: Period, as_of: datetime) -> dict[str, dict[str, Any]]:
    """unit → {report_id, report_period, report_title, inspection_id, inspected_on, score (0-100,
    the checklist's weighted mean of the record's dimensions after its findings' deductions, as the
    report's scores count them), findings, rectified}; units the issued report has no record of are absent."""
    report = latest_issued_report(session, period, as_of)
    if report is None:
        return {}
    month, report_as_of = Period(report.period), report.as_of
    known = Known(session, report_as_of)
    records = known.latest_records(month)
    if not records:
        return {}
    scored = {row["unit_code"]: row for row in scores.compute(session, month, report_as_of, known)["units"]}
    weights = {d["code"]: float(d["weight"]) for d in checklist.in_force(session, month.year, report_as_of)
               .content["dimensions"]}
    accepted = {r.finding_id for r, state in known.states().values()
                if state == "accepted"}
    findings: dict[int, list[int]] = {}
    for finding_id, record_id in session.execute(sa.select(Finding.id, Finding.record_id)
                                                 .where(Finding.record_id.in_([r.id for r in records.values()]))):
        findings.setdefault(record_id, []).append(finding_id)
    out = {}
    for unit, record in records.items():
        dims = scored.get(unit, {}).get("dimensions", {})
        parts = [(dims[d]["inspection"], weights.get(d, 0.0)) for d in DIMENSIONS
                 if d in dims and dims[d]["inspection"] is not None]
        weight = sum(w for _, w in parts)
        own = findings.get(record.id, [])
        done = Counter(f in accepted for f in own)
        out[unit] = {"report_id": report.id, "report_period": report.period, "report_title": report.title,
                     "inspection_id": record.inspection_id,
                     "inspected_on": record.visited_on.isoformat(),
                     "score": round(sum(v * w for v, w in parts) / weight, 1) if weight else None,
                     "findings": len(own), "rectified": done[True]}
    return out
