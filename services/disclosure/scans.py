"""一事一码: each disclosed item's own QR code (printed on its notice by the unit's officials)
opens the item's portal page with a scan marker, and the gateway tells disclosure once per
scan. A scan is a count per item and county day: who scanned, from where and with what is not
asked and not kept. The county office reads the counts per unit (知晓率): how many of a unit's
disclosed items were scanned at all, and how often, over a period.

A script cannot inflate the counts: a reader is counted once per item and day (the gateway
sends a key made from the address with a secret salt of the day, never the address; only the
day's keys are kept), and past DEFAULT_CEILING scans of one item in one day (config
DISCLOSURE.SCAN_CEILING_PER_ITEM_DAY) further scans are counted apart as suspicious, shown to
the office beside the scans and left out of 知晓率."""
from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.common.actor import Actor
from services.common.errors import InvalidInput

from .audience import DISCLOSED
from .actors import require_role
from .models import Item, ItemScan, ItemScanReader

LONGEST_PERIOD_DAYS = 366
DEFAULT_CEILING = 300  # scans of one item in one day: a village's notice board sees far fewer
# the versions in force (a correction's old version is not counted twice)
IN_FORCE = sa.or_(Item.status == "published", sa.and_(Item.status == "archived", Item.archived_from == "published"))


def record_scan(session: Session, item_id: int, day: date, reader: str | None = None,
                ceiling: int = DEFAULT_CEILING) -> dict[str, Any]:
    """Count one scan of a disclosed item on `day` by `reader` (the gateway's salted key of the
    day): a reader already counted today counts nothing ("repeat"), a scan past the item's
    ceiling for the day is counted apart ("suspicious"). A withdrawn, unknown or undisclosed
    item's scan is not counted (its page says what became of it, or nothing)."""
    item = session.get(Item, item_id)
    if item is None or not (item.status in DISCLOSED or (item.status == "archived" and item.archived_from in DISCLOSED)):
        return {"counted": False}
    if reader is not None and not _first_of(session, item_id, day, reader):
        return {"counted": False, "repeat": True}
    bumped = session.execute(sa.update(ItemScan).where(ItemScan.item_id == item_id, ItemScan.day == day,
                                                       ItemScan.count < ceiling).values(count=ItemScan.count + 1))
    if bumped.rowcount:
        return {"counted": True}
    flagged = session.execute(sa.update(ItemScan).where(ItemScan.item_id == item_id, ItemScan.day == day)
                              .values(suspicious=ItemScan.suspicious + 1))
    if flagged.rowcount:
        return {"counted": False, "suspicious": True}
    session.add(ItemScan(item_id=item_id, day=day, unit_code=item.unit_code, count=1, suspicious=0))
    return {"counted": True}


def _first_of(session: Session, item_id: int, day: date, reader: str) -> bool:
    """Note the reader for the item and day; False when they were already noted. Keys of other
    days go (they are of no use, and nothing should link a reader across days)."""
    session.execute(sa.delete(ItemScanReader).where(ItemScanReader.day != day))
    if session.get(ItemScanReader, (item_id, day, reader)) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(ItemScanReader(item_id=item_id, day=day, reader=reader))
    except IntegrityError:  # the same reader's other request, at the same moment
        return False
    return True


def scan_counts(session: Session, actor: Actor, since: date, until: date) -> dict[str, Any]:
    """Per unit with disclosed items or scans in [since, until]: its disclosed items, how many
    of them were scanned, the scans, and the share of its items scanned (知晓率)."""
    require_role(actor, "inspector", "admin")
    if until < since or (until - since).days >= LONGEST_PERIOD_DAYS:
        raise InvalidInput("统计区间应在一年以内，且开始日期不晚于结束日期。")
    scanned = session.execute(
        sa.select(ItemScan.unit_code, sa.func.sum(ItemScan.count), sa.func.count(sa.distinct(ItemScan.item_id)),
                  sa.func.sum(ItemScan.suspicious))
        .where(ItemScan.day >= since, ItemScan.day <= until).group_by(ItemScan.unit_code)).all()
    disclosed = session.execute(
        sa.select(Item.unit_code, sa.func.count()).where(IN_FORCE).group_by(Item.unit_code)).all()
    rows: dict[str, dict[str, Any]] = {code: {"unit_code": code, "in_force": n, "items_scanned": 0, "scans": 0,
                                              "suspicious": 0} for code, n in disclosed}
    for code, scans, items, suspicious in scanned:
        row = rows.setdefault(code, {"unit_code": code, "in_force": 0, "items_scanned": 0, "scans": 0, "suspicious": 0})
        row.update(scans=int(scans), items_scanned=int(items), suspicious=int(suspicious or 0))
    for row in rows.values():
        row["reach"] = min(1.0, row["items_scanned"] / row["in_force"]) if row["in_force"] else None
    ordered = sorted(rows.values(), key=lambda r: (-r["scans"], r["unit_code"]))
    return {"since": since.isoformat(), "until": until.isoformat(), "units": ordered,
            "scans": sum(r["scans"] for r in ordered), "suspicious": sum(r["suspicious"] for r in ordered)}
