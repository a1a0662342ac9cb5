"""Officials and their history. The `officials` table says who holds each role now; the
`official_terms` table says who held it when, for "who was responsible on date D"."""
from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common.contract import OFFICIAL_ROLES, names
from services.common.errors import InvalidInput

from .models import Official, OfficialTerm, Unit


def set_officials(session: Session, unit: Unit, wanted: list[dict[str, Any]], today: date) -> list[tuple[str, dict]]:
    """Make the unit's officials the `wanted` ones, closing and opening terms. Returns the
    facts as (event type, fields) for the caller to emit once the unit's revision is set."""
    for official in wanted:
        if official["role"] not in OFFICIAL_ROLES:
            raise InvalidInput(f"unknown role {official['role']!r}; use {', '.join(OFFICIAL_ROLES)}")
    current = {o.role: o for o in unit.officials}
    target = {o["role"]: o for o in wanted}
    facts: list[tuple[str, dict]] = []
    for role, official in current.items():
        new = target.get(role)
        if new is not None and new["name"] == official.name:
            contact = (new.get("phone"), new.get("email"))
            if contact != (official.phone, official.email):  # the same person, new contact details
                official.phone, official.email = contact
                term = _open_term(session, unit.code, role)
                term.phone, term.email = contact
                facts.append((names.UNIT_UPDATED, {}))
            continue
        _close_term(session, unit.code, role, today)
        unit.officials.remove(official)
        facts.append((names.OFFICIAL_REMOVED, {"role": role, "name": official.name, "ended_on": today}))
    if any(fact == names.OFFICIAL_REMOVED for fact, _ in facts):
        session.flush()  # the departures first: one holder per role at any moment
    held = {o.role: o.name for o in unit.officials}
    for role, data in target.items():
        if held.get(role) == data["name"]:
            continue
        fields = {"role": role, "name": data["name"], "phone": data.get("phone"), "email": data.get("email")}
        unit.officials.append(Official(**fields))
        session.add(OfficialTerm(unit_code=unit.code, started_on=today, **fields))
        facts.append((names.OFFICIAL_ASSIGNED, {**fields, "started_on": today}))
    return facts


def _open_term(session: Session, unit_code: str, role: str) -> OfficialTerm:
    term = session.scalars(sa.select(OfficialTerm).where(
        OfficialTerm.unit_code == unit_code, OfficialTerm.role == role, OfficialTerm.ended_on.is_(None))).first()
    if term is None:  # a holder from before terms were recorded
        official = next(o for o in session.get(Unit, unit_code).officials if o.role == role)
        term = OfficialTerm(unit_code=unit_code, role=role, name=official.name, phone=official.phone,
                            email=official.email, started_on=date.today())
        session.add(term)
    return term


def _close_term(session: Session, unit_code: str, role: str, today: date) -> None:
    _open_term(session, unit_code, role).ended_on = today


def registry_officials(row: dict[str, Any]) -> list[dict[str, Any]]:
    """The officials a registry row names (the file has secretary and liaison columns)."""
    officials = []
    if row.get("secretary"):
        officials.append({"role": "secretary", "name": row["secretary"], "phone": row.get("secretary_phone"),
                          "email": None})
    if row.get("liaison"):
        officials.append({"role": "liaison", "name": row["liaison"], "phone": row.get("liaison_phone"),
                          "email": row.get("liaison_email")})
    return officials


def responsible_on(session: Session, unit_code: str, day: date) -> list[dict[str, Any]]:
    """Who held each role in the unit on `day`."""
    terms = session.scalars(sa.select(OfficialTerm).where(
        OfficialTerm.unit_code == unit_code, OfficialTerm.started_on <= day,
        sa.or_(OfficialTerm.ended_on.is_(None), OfficialTerm.ended_on > day)).order_by(OfficialTerm.role))
    return [term_view(t) for t in terms]


def history(session: Session, unit_code: str) -> list[dict[str, Any]]:
    terms = session.scalars(sa.select(OfficialTerm).where(OfficialTerm.unit_code == unit_code)
                            .order_by(OfficialTerm.role, OfficialTerm.started_on, OfficialTerm.id))
    return [term_view(t) for t in terms]


def term_view(term: OfficialTerm) -> dict[str, Any]:
    return {"role": term.role, "name": term.name, "phone": term.phone, "email": term.email,
            "started_on": term.started_on.isoformat(),
            "ended_on": term.ended_on.isoformat() if term.ended_on else None}
