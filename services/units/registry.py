"""The registry of units: registering and updating them (one by one or from the county's
registry file). Reading the directory is directory.py.

Every change raises the unit's revision once and emits its events with the unit's whole
new state, so the copies other services keep converge on the newest state. Registering
is idempotent: a row that matches what is stored changes nothing and emits nothing.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from marshmallow import ValidationError
from sqlalchemy.orm import Session, selectinload

from services.common.contract import names
from services.common.db import UnitOfWork
from services.common.records import utcnow
from services.common.errors import Conflict, InvalidInput, NotFound, Unprocessable

from . import officials
from .models import Designation, Unit
from .registry_columns import translate_label
from .schemas import OfficialInput, RegistryRow

UNIT_FIELDS = ("name", "sector", "org_type")
DEFAULT_TERM_YEARS = 3
_STATUS_LABELS = {"merged": "合并", "dissolved": "撤销"}


def unit_state(unit: Unit) -> dict[str, Any]:
    """The unit as every unit event carries it."""
    return {
        "code": unit.code, "revision": unit.revision, "name": unit.name, "sector": unit.sector,
        "org_type": unit.org_type, "parent_code": unit.parent_code, "status": unit.status,
        "merged_into": unit.merged_into, "demonstration": unit.demonstration,
        "officials": [{"role": o.role, "name": o.name, "phone": o.phone, "email": o.email}
                      for o in sorted(unit.officials, key=lambda o: o.role)],
    }


def emit_change(uow: UnitOfWork, unit: Unit, facts: list[tuple[str, dict]], actor: str) -> None:
    """Raise the unit's revision once and emit each fact with the unit's new state."""
    if not facts:
        return
    unit.revision += 1
    unit.updated_at = utcnow()
    state = unit_state(unit)
    stated = set()
    for event_type, fields in facts:
        if event_type in (names.UNIT_REGISTERED, names.UNIT_UPDATED):
            if event_type not in stated:  # the state once, however many details changed
                uow.emit(event_type, state)
                stated.add(event_type)
        else:
            uow.emit(event_type, {"unit": state, "changed_by": actor, **fields})


def load_unit(session: Session, code: str) -> Unit:
    unit = session.get(Unit, code, options=[selectinload(Unit.officials)])
    if unit is None:
        raise NotFound(f"no unit with code {code}")
    return unit


def register_rows(uow: UnitOfWork, rows: list[dict[str, Any]], actor: str = "registry-import",
                  update_officials: bool = True) -> dict[str, int]:
    """Register or update units from checked registry rows, parents before children.
    Without `update_officials` (a file without the officials' columns) the officials of
    existing units are left as they are. The caller commits, so a file applies whole or
    not at all."""
    session = uow.session
    codes = {row["code"] for row in rows}
    if len(codes) != len(rows):
        raise InvalidInput("the registry names a unit code twice")
    known = known_units(session, codes | {row["parent_code"] for row in rows if row.get("parent_code")})
    for row in rows:
        parent = row.get("parent_code")
        if parent and parent not in codes and parent not in known:
            raise InvalidInput(f"unit {row['code']} names an unknown parent {parent}")
    counts = {"registered": 0, "updated": 0, "unchanged": 0}
    today = date.today()
    for row in parents_first(rows):
        unit = known.get(row["code"])
        if unit is None:
            _register(uow, row, today, actor)
            counts["registered"] += 1
            continue
        facts = _update_facts(unit, row)
        if update_officials:
            facts += officials.set_officials(session, unit, officials.registry_officials(row), today)
        emit_change(uow, unit, facts, actor)
        counts["updated" if facts else "unchanged"] += 1
    return counts


def known_units(session: Session, codes: set[str]) -> dict[str, Unit]:
    """The stored units among `codes`, with their officials: one query per 500 codes, not
    one per row, and never the whole registry for a batch of it."""
    known: dict[str, Unit] = {}
    ordered = sorted(codes)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start:start + 500]
        query = (sa.select(Unit).where(Unit.code.in_(chunk)).options(selectinload(Unit.officials))
                 .execution_options(populate_existing=True))  # as stored now, in a long-lived session
        known.update((u.code, u) for u in session.scalars(query))
    return known


def planned_counts(session: Session, rows: list[dict[str, Any]], update_officials: bool = True) -> dict[str, int]:
    """What `register_rows` would do with checked rows, without writing anything: the dry
    run's counts, read in one pass instead of applying and rolling back (which held the
    database's write lock for the whole file)."""
    known = known_units(session, {row["code"] for row in rows})
    counts = {"registered": 0, "updated": 0, "unchanged": 0}
    for row in rows:
        unit = known.get(row["code"])
        if unit is None:
            counts["registered"] += 1
        elif _would_change(unit, row, update_officials):
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    return counts


def _would_change(unit: Unit, row: dict[str, Any], update_officials: bool) -> bool:
    if any(getattr(unit, f) != row[f] for f in UNIT_FIELDS):
        return True
    if row.get("parent_code") and unit.parent_code != row["parent_code"]:
        return True
    if not update_officials:
        return False
    held = {o.role: (o.name, o.phone, o.email) for o in unit.officials}
    wanted = {o["role"]: (o["name"], o.get("phone"), o.get("email")) for o in officials.registry_officials(row)}
    return held != wanted


def _register(uow: UnitOfWork, row: dict[str, Any], today: date, actor: str) -> None:
    unit = Unit(code=row["code"], name=row["name"], sector=row["sector"], org_type=row["org_type"],
                parent_code=row.get("parent_code"), status="active", demonstration=False, revision=0,
                updated_at=utcnow())
    unit.officials = []
    uow.session.add(unit)
    officials.set_officials(uow.session, unit, officials.registry_officials(row), today)
    facts: list[tuple[str, dict]] = [(names.UNIT_REGISTERED, {})]
    if row.get("demonstration"):  # the registry's own record of a current 示范点
        uow.session.flush()  # the unit before the designation that refers to it
        designation = designate_now(uow.session, unit, "demonstration", "recorded in the county registry",
                                    actor, today)
        facts.append((names.DEMONSTRATION_DESIGNATED, designation_fields(designation)))
    emit_change(uow, unit, facts, actor)


def designate_now(session: Session, unit: Unit, kind: str, reason: str, actor: str, today: date,
                  term_years: int = DEFAULT_TERM_YEARS) -> Designation:
    designation = Designation(unit_code=unit.code, kind=kind, status="designated", reason=reason,
                              nominated_by=actor, nominated_at=utcnow(), designated_by=actor,
                              starts_on=today, ends_on=term_end(today, term_years))
    session.add(designation)
    session.flush()
    if kind == "demonstration":
        unit.demonstration = True
    return designation


def term_end(start: date, years: int) -> date:
    """The last day of a term of `years` from `start` (29 February falls back to the 28th)."""
    try:
        anniversary = start.replace(year=start.year + years)
    except ValueError:
        anniversary = start.replace(year=start.year + years, day=28)
    return anniversary - timedelta(days=1)


def designation_fields(designation: Designation) -> dict[str, Any]:
    return {"designation_id": designation.id, "kind": designation.kind,
            "starts_on": designation.starts_on, "ends_on": designation.ends_on}


def _update_facts(unit: Unit, row: dict[str, Any]) -> list[tuple[str, dict]]:
    facts: list[tuple[str, dict]] = []
    if any(getattr(unit, f) != row[f] for f in UNIT_FIELDS):
        for f in UNIT_FIELDS:
            setattr(unit, f, row[f])
        facts.append((names.UNIT_UPDATED, {}))
    if unit.parent_code != row.get("parent_code") and row.get("parent_code"):
        facts.append((names.UNIT_MOVED, {"from_parent_code": unit.parent_code, "to_parent_code": row["parent_code"]}))
        unit.parent_code = row["parent_code"]
    return facts


def parents_first(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows ordered so a unit's parent, when among them, comes first; a loop is refused."""
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


def create_unit(uow: UnitOfWork, actor: str, row: dict[str, Any]) -> None:
    """Register one new unit under an active parent."""
    row = {k: translate_label(k, v) if isinstance(v, str) else v for k, v in row.items()}
    try:
        row = RegistryRow().load({**row, "demonstration": "1" if row.get("demonstration") else "0"})
    except ValidationError as exc:
        raise InvalidInput(f"the unit is not valid: {exc.messages}") from exc
    if uow.session.get(Unit, row["code"]) is not None:
        raise Conflict(f"a unit with code {row['code']} exists already")
    parent = row.get("parent_code")
    if not parent:
        raise Unprocessable("新组织需要上级组织：请填写上级组织代码（parent_code）。",
                            {"parent_code": ["请填写上级组织代码"]})
    parent_unit = uow.session.get(Unit, parent)
    if parent_unit is None:
        raise Unprocessable(f"上级组织 {parent} 不存在：请先登记上级组织，或改填已有组织的代码。",
                            {"parent_code": [f"没有代码为 {parent} 的组织"]})
    if parent_unit.status != "active":
        raise Unprocessable(f"上级组织 {parent} 已{_STATUS_LABELS.get(parent_unit.status, parent_unit.status)}，"
                            "不能再在其下登记组织：请改填一个在册的上级组织。",
                            {"parent_code": [f"{parent} 不是在册组织"]})
    _register(uow, row, date.today(), actor)


def update_unit(uow: UnitOfWork, actor: str, code: str, changes: dict[str, Any]) -> None:
    """Change a unit's name, sector or org type (moving it is `tree.move`)."""
    unknown = set(changes) - set(UNIT_FIELDS)
    if unknown:
        raise InvalidInput(f"only {', '.join(UNIT_FIELDS)} can be changed here, not {', '.join(sorted(unknown))}")
    changes = {k: translate_label(k, v) if isinstance(v, str) else v for k, v in changes.items()}
    unit = load_unit(uow.session, code)
    if unit.status != "active":
        raise Conflict(f"unit {code} is {unit.status}")
    current = {f: getattr(unit, f) for f in UNIT_FIELDS}
    errors = RegistryRow(only=UNIT_FIELDS).validate({**current, **changes})
    if errors:
        raise InvalidInput(f"the change is not valid: {errors}")
    emit_change(uow, unit, _update_facts(unit, {**current, **changes, "parent_code": unit.parent_code}), actor)


def set_official(uow: UnitOfWork, actor: str, code: str, role: str, official: dict[str, Any] | None) -> None:
    """Appoint `official` to `role` in the unit, or leave the role vacant with None."""
    unit = load_unit(uow.session, code)
    if unit.status != "active":
        raise Conflict(f"unit {code} is {unit.status}")
    wanted = [o for o in unit_state(unit)["officials"] if o["role"] != role]
    if official is not None:
        errors = OfficialInput().validate(official)
        if errors:
            raise InvalidInput(f"the official is not valid: {errors}")
        wanted.append({"role": role, "name": official["name"].strip(), "phone": official.get("phone"),
                       "email": official.get("email")})
    emit_change(uow, unit, officials.set_officials(uow.session, unit, wanted, date.today()), actor)
