"""The archive (登记归档): a unit's year as one zip, and sealing a year once it has ended.

The zip holds manifest.json (unit, year, when it was made, whether the year is sealed, each
file's sha256 and size, the number of item versions), items/<id>-v<version>.json for every
version of every item of the unit recorded in the year (its full trail and attachment
list) and attachments/<sha256>, each content once.

An item version is recorded in the year it was published, or created if it never was.
Sealing a year archives every item disclosed in it (published, corrected or withdrawn:
status archived, the status it had kept in archived_from, a trail entry "year sealed"),
after which they no longer change. Work not published when the year ends (drafts, items
in review) is not part of that year's record and is left alone: it may still be finished
and is then recorded in, and archived with, the year it is published in. Refusing it
instead would freeze an item a reviewer was about to approve on 31 December.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import zipfile
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from services.common import workdays
from services.common.actor import Actor
from services.common.db import UnitOfWork
from services.common.errors import Conflict, Forbidden, NotFound
from services.common.records import utcnow

from .actors import COUNTY_ROLES, require_unit
from .audience import UNIT_ROLES
from .models import Blob, Item, SealedYear, UnitCopy
from .schemas import ItemView
from .items import in_record_year, step

log = logging.getLogger(__name__)

ARCHIVED_FROM = ("published", "corrected", "withdrawn")
SYSTEM = "system"  # who seals a year when the timer does


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


def export(session: Session, actor: Actor, unit_code: str, year: int) -> dict[str, Any]:
    """The unit's year as a zip, for the county office or the unit's own operator or reviewer."""
    if actor.role not in COUNTY_ROLES | set(UNIT_ROLES):
        raise Forbidden(f"only the county office or the unit's operator or reviewer may export its archive; "
                        f"you are {actor.role}")
    require_unit(actor, unit_code)
    unit = session.get(UnitCopy, unit_code)
    if unit is None:
        raise NotFound(f"no unit {unit_code}")
    items = session.scalars(
        sa.select(Item).where(Item.unit_code == unit_code, in_record_year(year))
        .options(selectinload(Item.trail), selectinload(Item.attachments)).order_by(Item.id)).all()
    files: dict[str, bytes] = {f"items/{item.id}-v{item.version}.json": _json(ItemView().dump(item))
                               for item in items}
    hashes = sorted({a.sha256 for item in items for a in item.attachments})
    for digest in hashes:
        files[f"attachments/{digest}"] = session.scalar(sa.select(Blob.content).where(Blob.sha256 == digest))
    sealed = session.get(SealedYear, year)
    manifest = {
        "unit": unit_code, "unit_name": unit.name, "year": year, "generated_at": utcnow().isoformat(),
        "sealed": sealed is not None, "sealed_at": sealed.sealed_at.isoformat() if sealed else None,
        "item_count": len(items),
        "files": [{"path": path, "sha256": hashlib.sha256(content).hexdigest(), "size": len(content)}
                  for path, content in files.items()],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", _json(manifest))
        for path, content in files.items():
            archive.writestr(path, content)
    return {"filename": f"{unit_code}-{year}-archive.zip",
            "content_b64": base64.b64encode(buffer.getvalue()).decode("ascii")}


def seal(uow: UnitOfWork, actor: Actor | None, year: int) -> dict[str, Any]:
    """Close an ended year: archive every item disclosed in it and record the seal. The
    seal row is written first, so a second sealer (another replica) waits on it and fails
    instead of archiving twice. The actor is None when the timer seals (the trail says system)."""
    if workdays.county_today().year <= year:
        raise Conflict(f"year {year} has not ended yet; it can be sealed from 1 January {year + 1}")
    if uow.session.get(SealedYear, year) is not None:
        raise Conflict(f"year {year} is already sealed")
    now = utcnow()
    record = SealedYear(year=year, sealed_by=actor.username if actor else SYSTEM, sealed_at=now, items_archived=0)
    uow.session.add(record)
    uow.session.flush()
    items = uow.session.scalars(
        sa.select(Item).where(Item.status.in_(ARCHIVED_FROM), in_record_year(year))
        .options(selectinload(Item.trail)).order_by(Item.id)).all()
    for item in items:
        item.archived_from = item.status
        step(item, "archived", actor, "year sealed")
    record.items_archived = len(items)
    uow.session.flush()
    return {"year": year, "items_archived": len(items), "sealed_at": now.isoformat()}


def seal_ended_years(uow: UnitOfWork) -> None:
    """The hourly timer: seal last year once it has ended. It commits itself, as timers do;
    when another replica sealed first, this one lets it be."""
    year = workdays.county_today().year - 1
    if uow.session.get(SealedYear, year) is not None:
        uow.rollback()
        return
    try:
        sealed = seal(uow, None, year)
        uow.commit()
    except (Conflict, IntegrityError):
        uow.rollback()
        log.info("year %s was sealed by another worker", year)
        return
    log.info("sealed year %s: %s items archived", year, sealed["items_archived"])
