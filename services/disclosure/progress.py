"""Progress (进度): obligations by status per town and sector, what the county office
watches, and the same figures as Prometheus gauges computed at scrape time.

One grouped query over the obligations of a year (index ix_obligations_progress covers it)
plus the towns' names: a county-wide year of some 400,000 obligations answers quickly."""
from __future__ import annotations

from typing import Any, Iterator

import sqlalchemy as sa
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy.orm import Session

from services.common.errors import validated
from services.common.shapes.disclosure import OBLIGATION_STATUSES, ProgressQuery
from services.common.workdays import county_today

from .models import Obligation, UnitCopy

COUNTY_LEVEL = "县直"  # units under no town: county agencies, schools and hospitals under bureaus


def _counts(session: Session, year: int, town: str | None = None, sector: str | None = None):
    query = (sa.select(Obligation.town_code, Obligation.sector, Obligation.status, sa.func.count())
             .where(Obligation.year == year)
             .group_by(Obligation.town_code, Obligation.sector, Obligation.status))
    if town is not None:
        query = query.where(Obligation.town_code == town)
    if sector is not None:
        query = query.where(Obligation.sector == sector)
    return session.execute(query).all()


def on_time_rate(counts: dict[str, int]) -> float | None:
    """Fulfilled on time out of all that fell due and were not waived: fulfilled, fulfilled
    late and overdue (open ones are not yet judged). None when nothing fell due."""
    judged = counts["fulfilled"] + counts["fulfilled_late"] + counts["overdue"]
    return round(counts["fulfilled"] / judged, 4) if judged else None


def _with_totals(counts: dict[str, int]) -> dict[str, Any]:
    return {**counts, "total": sum(counts.values()), "on_time_rate": on_time_rate(counts)}


def by_town_and_sector(session: Session, filters: dict[str, Any] | None = None) -> dict[str, Any]:
    """{"year", "rows": [{town_code, town_name, sector, <status counts>, total, on_time_rate}],
    "totals": {...}} for the year (the county's current year by default), narrowed by town
    or sector."""
    filters = validated(ProgressQuery(), filters, "the progress query")
    year, town, sector = filters.get("year") or county_today().year, filters.get("town"), filters.get("sector")
    cells: dict[tuple[str | None, str], dict[str, int]] = {}
    totals = dict.fromkeys(OBLIGATION_STATUSES, 0)
    for town_code, row_sector, status, count in _counts(session, year, town or None, sector or None):
        cell = cells.setdefault((town_code, row_sector), dict.fromkeys(OBLIGATION_STATUSES, 0))
        cell[status] = cell.get(status, 0) + count
        totals[status] = totals.get(status, 0) + count
    town_codes = sorted({t for t, _ in cells if t is not None})
    names = dict(session.execute(sa.select(UnitCopy.code, UnitCopy.name)
                                 .where(UnitCopy.code.in_(town_codes))).all()) if town_codes else {}
    rows = [{"town_code": town_code, "town_name": names.get(town_code, town_code) if town_code else COUNTY_LEVEL,
             "sector": row_sector, **_with_totals(counts)}
            for (town_code, row_sector), counts in sorted(cells.items(), key=lambda kv: (kv[0][0] or "", kv[0][1]))]
    return {"year": year, "rows": rows, "totals": _with_totals(totals)}


def by_month(session: Session, filters: dict[str, Any] | None = None) -> dict[str, Any]:
    """{"year", "months": [{month: "2026-07", <status counts>, total, on_time_rate}]}: the
    year's obligations (those the progress answer counts) by the month they fall due, oldest
    first; a yearly or fourth-quarter one may fall due in January of the next year."""
    filters = validated(ProgressQuery(), filters, "the progress query")
    year = filters.get("year") or county_today().year
    due_year, due_month = sa.extract("year", Obligation.due_on), sa.extract("month", Obligation.due_on)
    query = (sa.select(due_year, due_month, Obligation.status, sa.func.count()).where(Obligation.year == year)
             .group_by(due_year, due_month, Obligation.status))
    if filters.get("town"):
        query = query.where(Obligation.town_code == filters["town"])
    if filters.get("sector"):
        query = query.where(Obligation.sector == filters["sector"])
    months: dict[str, dict[str, int]] = {f"{year}-{m:02d}": dict.fromkeys(OBLIGATION_STATUSES, 0) for m in range(1, 13)}
    for row_year, row_month, status, count in session.execute(query):
        cell = months.setdefault(f"{int(row_year)}-{int(row_month):02d}", dict.fromkeys(OBLIGATION_STATUSES, 0))
        cell[status] = cell.get(status, 0) + count
    return {"year": year, "months": [{"month": month, **_with_totals(counts)} for month, counts in sorted(months.items())]}


def gauges(session: Session) -> Iterator[GaugeMetricFamily]:
    """gongkai_obligations{status,sector,town} and gongkai_obligations_on_time_ratio{sector}
    for the county's current year (town "" for county-level units)."""
    year = county_today().year
    by_status = GaugeMetricFamily("gongkai_obligations", f"Obligations of the current year ({year}) by status.",
                                  labels=["status", "sector", "town"])
    ratio = GaugeMetricFamily("gongkai_obligations_on_time_ratio",
                              "Obligations fulfilled on time / (fulfilled + fulfilled late + overdue), "
                              "current year.", labels=["sector"])
    per_sector: dict[str, dict[str, int]] = {}
    for town_code, sector, status, count in _counts(session, year):
        by_status.add_metric([status, sector, town_code or ""], count)
        counts = per_sector.setdefault(sector, dict.fromkeys(OBLIGATION_STATUSES, 0))
        counts[status] = counts.get(status, 0) + count
    for sector, counts in sorted(per_sector.items()):
        rate = on_time_rate(counts)
        if rate is not None:
            ratio.add_metric([sector], rate)
    yield by_status
    yield ratio
