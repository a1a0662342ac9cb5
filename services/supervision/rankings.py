"""Rankings (考核排名): units county-wide and within their sector, towns and sectors by their
units' mean, each with the change since the previous period (as of the same instant), and
the red and black lists (红黑榜: the top and bottom N)."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from . import scores
from .periods import Period

DEFAULT_N = 10


def _ranks(rows: list[dict[str, Any]], key: str = "total") -> dict[str, int]:
    """Competition ranking (1, 2, 2, 4) of the rows with a score, best first."""
    ranked = sorted((r for r in rows if r[key] is not None), key=lambda r: -r[key])
    out, previous, rank = {}, None, 0
    for index, row in enumerate(ranked, 1):
        if row[key] != previous:
            rank, previous = index, row[key]
        out[row["code"]] = rank
    return out


def _groups(units: list[dict[str, Any]], field: str) -> list[dict[str, Any]]:
    members: dict[str, list[float]] = defaultdict(list)
    for unit in units:
        if unit["total"] is not None and unit[field]:
            members[unit[field]].append(unit["total"])
    return [{"code": code, "units": len(values), "total": round(sum(values) / len(values), 2)}
            for code, values in sorted(members.items())]


def build(current: dict[str, Any], previous: dict[str, Any], names: dict[str, str], n: int = DEFAULT_N) -> dict[str, Any]:
    """Rankings from two scores() results (this period, the one before)."""
    def units_of(result):
        return [{"code": u["unit_code"], "total": u["total"], "sector": u["sector"], "town_code": u["town_code"]}
                for u in result["units"]]
    now_units, before_units = units_of(current), units_of(previous)
    county_now, county_before = _ranks(now_units), _ranks(before_units)
    sector_now = {}
    sector_before = {}
    for sector in {u["sector"] for u in now_units + before_units}:
        sector_now.update(_ranks([u for u in now_units if u["sector"] == sector]))
        sector_before.update(_ranks([u for u in before_units if u["sector"] == sector]))
    units = []
    for u in now_units:
        if u["total"] is None:
            continue
        before = county_before.get(u["code"])
        units.append({"unit_code": u["code"], "name": names.get(u["code"], u["code"]), "sector": u["sector"],
                      "town_code": u["town_code"], "total": u["total"], "rank": county_now[u["code"]],
                      "previous_rank": before, "change": None if before is None else before - county_now[u["code"]],
                      "sector_rank": sector_now[u["code"]], "previous_sector_rank": sector_before.get(u["code"])})
    units.sort(key=lambda u: (u["rank"], u["unit_code"]))

    def grouped(field: str) -> list[dict[str, Any]]:
        rows_now, rows_before = _groups(now_units, field), _groups(before_units, field)
        ranks_now, ranks_before = _ranks(rows_now), _ranks(rows_before)
        out = [{**row, "name": names.get(row["code"], row["code"]), "rank": ranks_now[row["code"]],
                "previous_rank": ranks_before.get(row["code"]),
                "change": (None if row["code"] not in ranks_before else ranks_before[row["code"]] - ranks_now[row["code"]])}
               for row in rows_now]
        return sorted(out, key=lambda r: (r["rank"], r["code"]))
    return {"period": current["period"], "previous_period": previous["period"], "as_of": current["as_of"],
            "units": units, "towns": grouped("town_code"), "sectors": grouped("sector"),
            "red_list": units[:n], "black_list": list(reversed(units[-n:])) if units else []}


def rankings(session: Session, period: Period, as_of: datetime, n: int = DEFAULT_N) -> dict[str, Any]:
    current, previous = scores.compute_many(session, [period, period.previous()], as_of, detail=False)
    names = {u["unit_code"]: u["name"] for u in current["units"] + previous["units"]}
    return build(current, previous, names, n)
