"""Registering units from the county's registry rows, and reading the directory.

Registering is idempotent: a row that matches what is stored changes nothing and emits
nothing; a changed row updates the unit and emits UnitUpdated with its full new state.
"""
from __future__ import annotations

import csv
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

import sqlalchemy as sa
from marshmallow import ValidationError
from sqlalchemy.orm import Session, selectinload

from services.common.db import UnitOfWork
from services.common.errors import InvalidInput, NotFound

from .models import Official, Unit
from .schemas import DirectoryEntry, RegistryRow

SAMPLE_COUNTY = Path(__file__).resolve().parents[2] / "data" / "county_units.csv"


def read_registry_csv(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def validate_rows(raw_rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Validate every row; InvalidInput lists each bad row by its line in the file."""
    rows, problems = [], []
    for line, raw in enumerate(raw_rows, start=2):  # line 1 is the header
        cleaned = {k: (v.strip() if isinstance(v, str) else v) or None for k, v in raw.items()}
        cleaned["demonstration"] = cleaned.get("demonstration") or "0"
        try:
            rows.append(RegistryRow().load(cleaned))
        except ValidationError as exc:
            problems.append(f"line {line}: {exc.messages}")
    if problems:
        raise InvalidInput("the registry has bad rows: " + "; ".join(problems[:20]))
    return rows


def _officials(row: dict[str, Any]) -> list[dict[str, Any]]:
    officials = []
    if row.get("secretary"):
        officials.append({"role": "secretary", "name": row["secretary"], "phone": row.get("secretary_phone"),
                          "email": None})
    if row.get("liaison"):
        officials.append({"role": "liaison", "name": row["liaison"], "phone": row.get("liaison_phone"),
                          "email": row.get("liaison_email")})
    return officials


def unit_state(unit: Unit) -> dict[str, Any]:
    """The unit as the UnitRegistered / UnitUpdated events carry it."""
    return {
        "code": unit.code, "name": unit.name, "sector": unit.sector, "org_type": unit.org_type,
        "parent_code": unit.parent_code, "status": unit.status, "demonstration": unit.demonstration,
        "officials": [{"role": o.role, "name": o.name, "phone": o.phone, "email": o.email}
                      for o in sorted(unit.officials, key=lambda o: o.role)],
    }


def register_rows(uow: UnitOfWork, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Register or update units, parents before children. The caller commits."""
    session = uow.session
    codes = {row["code"] for row in rows}
    if len(codes) != len(rows):
        raise InvalidInput("the registry names a unit code twice")
    known = set(session.scalars(sa.select(Unit.code)))
    for row in rows:
        parent = row.get("parent_code")
        if parent and parent not in codes and parent not in known:
            raise InvalidInput(f"unit {row['code']} names an unknown parent {parent}")
    counts = {"registered": 0, "updated": 0, "unchanged": 0}
    now = datetime.now(timezone.utc)
    for row in _parents_first(rows):
        unit = session.get(Unit, row["code"], options=[selectinload(Unit.officials)])
        created = unit is None
        before = None if created else unit_state(unit)
        if created:
            unit = Unit(code=row["code"], status="active", updated_at=now)
            session.add(unit)
        unit.name, unit.sector, unit.org_type = row["name"], row["sector"], row["org_type"]
        unit.parent_code, unit.demonstration = row.get("parent_code"), bool(row.get("demonstration"))
        _set_officials(unit, _officials(row))
        after = unit_state(unit)
        if created:
            session.flush()
            uow.emit("UnitRegistered", after)
            counts["registered"] += 1
        elif after != before:
            unit.updated_at = now
            uow.emit("UnitUpdated", after)
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    return counts


def _set_officials(unit: Unit, officials: list[dict[str, Any]]) -> None:
    by_role = {o.role: o for o in unit.officials}
    wanted = {o["role"]: o for o in officials}
    for role, official in by_role.items():
        if role not in wanted:
            unit.officials.remove(official)
    for role, data in wanted.items():
        official = by_role.get(role)
        if official is None:
            unit.officials.append(Official(**data))
        else:
            official.name, official.phone, official.email = data["name"], data["phone"], data["email"]


def _parents_first(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_code = {row["code"]: row for row in rows}
    ordered, seen = [], set()

    def visit(row, path=()):
        if row["code"] in seen:
            return
        if row["code"] in path:
            raise InvalidInput(f"the registry has a cycle through {row['code']}")
        parent = by_code.get(row.get("parent_code") or "")
        if parent is not None:
            visit(parent, path + (row["code"],))
        seen.add(row["code"])
        ordered.append(row)

    for row in rows:
        visit(row)
    return ordered


def list_units(session: Session, *, sector: str | None = None, parent: str | None = None,
               q: str | None = None, limit: int = 50, after: str | None = None) -> dict[str, Any]:
    """A page of the public directory ordered by code; `next` is the cursor for the next page."""
    query = sa.select(Unit).order_by(Unit.code).limit(limit + 1)
    if sector:
        query = query.where(Unit.sector == sector)
    if parent:
        query = query.where(Unit.parent_code == parent)
    if q:
        pattern = f"%{q}%"
        query = query.where(sa.or_(Unit.name.like(pattern), Unit.code.like(pattern)))
    if after:
        query = query.where(Unit.code > after)
    units = session.scalars(query).all()
    page = units[:limit]
    return {"items": DirectoryEntry(many=True).dump(page),
            "next": page[-1].code if len(units) > limit else None}


def get_unit(session: Session, code: str) -> dict[str, Any]:
    unit = session.get(Unit, code)
    if unit is None:
        raise NotFound(f"no unit with code {code}")
    return DirectoryEntry().dump(unit)
