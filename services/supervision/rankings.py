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


def _ranks(rows: list[dict[str, Any]], code: str = "code") -> dict[str, int]:
    """Competition ranking (1, 2, 2, 4) of the rows with a total, best first."""
    ranked = sorted((r for r in rows if r["total"] is not None), key=lambda r: -r["total"])
    out, previous, rank = {}, None, 0
    for index, row in enumerate(ranked, 1):
        if row["total"] != previous:
            rank, previous = index, row["total"]
        out[row[code]] = rank
    return out


def _sector_ranks(units: list[dict[str, Any]]) -> dict[str, int]:
    """Each unit's rank within its sector."""
    sectors: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for unit in units:
        sectors[unit["sector"]].append(unit)
    out: dict[str, int] = {}
    for members in sectors.values():
        out.update(_ranks(members, "unit_code"))
    return out


def _groups(units: list[dict[str, Any]], field: str) -> list[dict[str, Any]]:
    members: dict[str, list[float]] = defaultdict(list)
    for unit in units:
        if unit["total"] is not None and unit[field]:
            members[unit[field]].append(unit["total"])
    # the mean added up best first, whatever order the units came in
    return [{"code": code, "units": len(values), "total": round(sum(sorted(values, reverse=True)) / len(values), 2)}
            for code, values in sorted(members.items())]


def build(current: dict[str, Any], previous: dict[str, Any], names: dict[str, str], n: int = DEFAULT_N) -> dict[str, Any]:
    """Rankings from two scores() results (this period, the one before)."""
    now_units, before_units = current["units"], previous["units"]
    county_now, county_before = _ranks(now_units, "unit_code"), _ranks(before_units, "unit_code")
    sector_now, sector_before = _sector_ranks(now_units), _sector_ranks(before_units)
    units = []
    for u in now_units:
        if u["total"] is None:
            continue
        code = u["unit_code"]
        before = county_before.get(code)
        units.append({"unit_code": code, "name": names.get(code, code), "sector": u["sector"],
                      "town_code": u["town_code"], "total": u["total"], "rank": county_now[code],
                      "previous_rank": before, "change": None if before is None else before - county_now[code],
                      "sector_rank": sector_now[code], "previous_sector_rank": sector_before.get(code)})
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
