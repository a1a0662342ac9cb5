"""Business gauges read from supervision's database at scrape time."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import sqlalchemy as sa
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy.orm import Session

from services.common.workdays import county_today

from .models import Inspection, InspectionRecord, Rectification, ScoreRun, UnitCopy
from .rectifications import UNRESOLVED

BANDS = ((90, "90-100"), (80, "80-90"), (60, "60-80"), (0, "0-60"))


def band(total: float) -> str:
    return next(label for floor, label in BANDS if total >= floor)


def gauges(session: Session) -> Iterator[GaugeMetricFamily]:
    rect = GaugeMetricFamily("gongkai_rectifications", "Rectifications not yet accepted, by status and town.",
                             labels=["status", "town"])
    for status, town, count in session.execute(
            sa.select(Rectification.status, UnitCopy.town_code, sa.func.count())
            .join(UnitCopy, UnitCopy.code == Rectification.unit_code, isouter=True)
            .where(Rectification.status.in_(UNRESOLVED)).group_by(Rectification.status, UnitCopy.town_code)):
        rect.add_metric([status, town or ""], count)
    yield rect
    pending = GaugeMetricFamily("gongkai_inspections_pending",
                                "Unit visits of inspections not yet submitted (window open or closed).",
                                labels=["window"])
    records = sa.select(InspectionRecord.inspection_id, InspectionRecord.unit_code).where(
        InspectionRecord.submitted_at.is_not(None))
    submitted = {tuple(row) for row in session.execute(records)}
    counts: Counter = Counter()
    today = county_today()
    for inspection_id, units, closes in session.execute(
            sa.select(Inspection.id, Inspection.unit_codes, Inspection.window_closes)):
        left = sum(1 for code in units if (inspection_id, code) not in submitted)
        counts["closed" if closes < today else "open"] += left
    for window in ("open", "closed"):
        pending.add_metric([window], counts[window])
    yield pending
    distribution = GaugeMetricFamily("gongkai_scores", "Units by score band and sector in the latest monthly run.",
                                     labels=["sector", "band", "period"])
    latest = session.scalar(sa.select(ScoreRun).order_by(ScoreRun.period.desc()).limit(1))
    if latest is not None:
        sectors = dict(session.execute(sa.select(UnitCopy.code, UnitCopy.sector)).all())
        tally = Counter((sectors.get(code, "other"), band(total)) for code, total in latest.totals.items())
        for (sector, label), count in sorted(tally.items()):
            distribution.add_metric([sector, label, latest.period], count)
    yield distribution
