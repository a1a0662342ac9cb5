"""The catalogue (公开目录): what each kind of unit must disclose, to whom, how often, by when.

An entry's code is stable; every change is a new version in force from a date on, and the
version before it keeps the days it was in force (valid_to = the day before), so a change
mid-year rewrites no history: obligations keep the version they were scheduled from, and
the obligations module reschedules what falls after the change. Only the county office
(inspector, 领导小组办公室) edits the catalogue; anyone may read it.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common.actor import Actor
from services.common.contract import SECTORS
from services.common.db import UnitOfWork
from services.common.errors import Conflict, InvalidInput, NotFound, validated
from services.common.records import utcnow
from services.common.shapes.disclosure import (
    CATALOGUE_COLUMNS, FREQUENCIES, RULE_LIMITS, CatalogueRetirement, CatalogueRevision, NewCatalogueEntry)
from services.common.workdays import county_today

from . import upkeep
from .actors import require_role
from .models import CatalogueEntry
from .schemas import CatalogueEntryView

EDITOR = "inspector"


def day_of(value: str | date | None, what: str = "on") -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{what} must be a date like 2026-07-01; {value!r} given") from None


def _in_force(on: date) -> sa.ColumnElement[bool]:
    return sa.and_(CatalogueEntry.valid_from <= on,
                   sa.or_(CatalogueEntry.valid_to.is_(None), CatalogueEntry.valid_to >= on))


def entries_in_force(session: Session, on: date) -> list[CatalogueEntry]:
    """The version of every matter in force on `on`, by code: what obligations follow from."""
    return list(session.scalars(sa.select(CatalogueEntry).where(_in_force(on)).order_by(CatalogueEntry.code)))


def list_entries(session: Session, *, sector: str | None = None, frequency: str | None = None,
                 q: str | None = None, on: str | date | None = None) -> list[dict[str, Any]]:
    """The entries in force on `on` (today by default), for a sector, of a frequency, or
    whose code, matter or content mentions `q`."""
    if sector is not None and sector not in SECTORS:
        raise InvalidInput(f"sector must be one of {', '.join(SECTORS)}; {sector!r} given")
    if frequency is not None and frequency not in FREQUENCIES:
        raise InvalidInput(f"frequency must be one of {', '.join(FREQUENCIES)}; {frequency!r} given")
    query = sa.select(CatalogueEntry).where(_in_force(day_of(on) or county_today()))
    if frequency:
        query = query.where(CatalogueEntry.frequency == frequency)
    if q and q.strip():
        query = query.where(sa.or_(*(column.icontains(q.strip(), autoescape=True) for column in (
            CatalogueEntry.code, CatalogueEntry.matter, CatalogueEntry.sub_matter,
            CatalogueEntry.content_elements))))
    entries = session.scalars(query.order_by(CatalogueEntry.code)).all()
    if sector:  # a JSON list: filtered here, the catalogue is a few dozen matters
        entries = [entry for entry in entries if sector in entry.sectors]
    return CatalogueEntryView(many=True).dump(entries)


def get_entry(session: Session, code: str) -> dict[str, Any]:
    """The version in force today (None once retired or before it starts) and every version."""
    versions = session.scalars(sa.select(CatalogueEntry).where(CatalogueEntry.code == code)
                               .order_by(CatalogueEntry.version)).all()
    if not versions:
        raise NotFound(f"no catalogue entry {code}")
    today = county_today()
    current = next((v for v in versions if v.valid_from <= today and (v.valid_to is None or v.valid_to >= today)),
                   None)
    view = CatalogueEntryView()
    actions = ["revise", "retire"] if versions[-1].valid_to is None else []  # the office's, on the newest
    return {"current": view.dump(current) if current else None, "versions": view.dump(versions, many=True),
            "actions": actions}


def _latest(session: Session, code: str) -> CatalogueEntry:
    """The newest version, locked (on PostgreSQL) against a concurrent revision."""
    entry = session.scalars(sa.select(CatalogueEntry).where(CatalogueEntry.code == code)
                            .order_by(CatalogueEntry.version.desc()).limit(1).with_for_update()).first()
    if entry is None:
        raise NotFound(f"no catalogue entry {code}")
    if entry.valid_to is not None:
        raise Conflict(f"catalogue entry {code} was retired (its last day was {entry.valid_to}); "
                       "it no longer changes")
    return entry


def new_entry(session: Session, data: dict[str, Any], changed_by: str) -> CatalogueEntry:
    """Validate and store version 1 of a matter: the one path for the API and the default
    catalogue. A code is never reused, not even a retired one's."""
    named = data.get("code") if isinstance(data, dict) else None
    values = validated(NewCatalogueEntry(), data, f"catalogue entry {named}" if named else "the catalogue entry")
    code, valid_from = values.pop("code"), values.pop("valid_from") or county_today()
    if session.scalar(sa.select(sa.func.count()).where(CatalogueEntry.code == code)):
        raise Conflict(f"catalogue entry {code} exists already; revise it instead")
    entry = CatalogueEntry(code=code, version=1, valid_from=valid_from, changed_by=changed_by,
                           changed_at=utcnow(), **values)
    session.add(entry)
    session.flush()
    return entry


def add_entry(uow: UnitOfWork, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """A new matter, in force from `valid_from` (today by default). Under a plan already
    approved, units owe it from today on: a back-dated matter makes nobody late."""
    require_role(actor, EDITOR)
    entry = new_entry(uow.session, data, actor.username)
    upkeep.reschedule_entry(uow, entry.code, max(entry.valid_from, county_today()))
    return CatalogueEntryView().dump(entry)


def revise_entry(uow: UnitOfWork, actor: Actor, code: str, data: dict[str, Any]) -> dict[str, Any]:
    """A new version from `valid_from` (today by default, never earlier: the past stays as it
    was); the version before ends the day before. Obligations after that day follow the new one."""
    require_role(actor, EDITOR)
    changes = validated(CatalogueRevision(), data, f"the revision of {code}")
    current = _latest(uow.session, code)
    valid_from = changes.pop("valid_from") or county_today()
    if valid_from < county_today():
        raise InvalidInput(f"a revision takes effect today ({county_today()}) or later, not {valid_from}: "
                           "the past is not rewritten")
    # a version that comes in force today or later has no past yet: a revision from that same
    # day replaces it (on 1 January, the year's catalogue installed that day may be corrected)
    if valid_from < current.valid_from:
        raise Conflict(f"version {current.version} of {code} is in force from {current.valid_from}; "
                       "a revision must start on or after that day")
    columns = {column: getattr(current, column) for column in CATALOGUE_COLUMNS}
    if changes.get("frequency", current.frequency) != current.frequency:
        columns.update({rule: None for rule in RULE_LIMITS})  # the old rule fits the old frequency only
    columns.update({key: value for key, value in changes.items() if key in CATALOGUE_COLUMNS})
    if all(columns[column] == getattr(current, column) for column in CATALOGUE_COLUMNS):
        raise InvalidInput(f"the revision changes nothing in {code}")
    values = validated(NewCatalogueEntry(), {**columns, "code": code}, f"the revision of {code}")
    current.valid_to = valid_from - timedelta(days=1)
    revised = CatalogueEntry(**{column: values[column] for column in CATALOGUE_COLUMNS}, code=code,
                             version=current.version + 1, valid_from=valid_from, changed_by=actor.username,
                             changed_at=utcnow(), change_note=changes["change_note"].strip())
    uow.session.add(revised)
    uow.session.flush()
    upkeep.reschedule_entry(uow, code, valid_from)
    return CatalogueEntryView().dump(revised)


def retire_entry(uow: UnitOfWork, actor: Actor, code: str, data: dict[str, Any]) -> dict[str, Any]:
    """The matter ends: `valid_to` (today by default) is its last day in force. Obligations
    after it are no longer owed; those before it stand."""
    require_role(actor, EDITOR)
    retirement = validated(CatalogueRetirement(), data, f"the retirement of {code}")
    current = _latest(uow.session, code)
    valid_to = retirement["valid_to"] or county_today()
    yesterday = county_today() - timedelta(days=1)
    if valid_to < yesterday:
        raise InvalidInput(f"a matter's last day in force may be yesterday ({yesterday}) at the earliest, "
                           f"not {valid_to}: the past is not rewritten")
    if valid_to < current.valid_from:
        raise Conflict(f"version {current.version} of {code} is in force from {current.valid_from}; "
                       "it can be retired on that day or later")
    current.valid_to = valid_to
    current.retired_by, current.retired_at = actor.username, utcnow()
    current.retired_reason = retirement["reason"].strip()
    uow.session.flush()
    upkeep.reschedule_entry(uow, code, valid_to + timedelta(days=1))
    return CatalogueEntryView().dump(current)
