"""What the public portal shows of the programme (the gateway's web pages, 一村一码): a unit's
disclosed items grouped by catalogue matter and period, its prior disclosures (预公开) with their
display period, and its record this year; an item, or the notice that it was withdrawn.

Readers are the public, or a party member of the item's chain (the same audience rule as the
API: audience.py). Staff reading the portal read it as members of their unit do: the portal
never shows a draft or an item for specific people (特定对象)."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from services.common.actor import Actor
from services.common.errors import NotFound
from services.common.workdays import county_today

from . import audience
from .models import CatalogueEntry, Item, ItemTransition, Obligation
from .progress import on_time_rate

OTHER_MATTER = "其他公开事项"
QUARTERS = {"Q1": "第一季度", "Q2": "第二季度", "Q3": "第三季度", "Q4": "第四季度"}
HALVES = {"H1": "上半年", "H2": "下半年"}
MAX_ITEMS = 200


def portal_reader(actor: Actor | None) -> Actor | None:
    """A member (or a unit's official) reads as a member of their unit; anyone else as the public."""
    if actor and actor.role in audience.MEMBER_ROLES and actor.unit:
        return Actor(actor.username, "member", actor.unit)
    return None


def period_label(period: str | None) -> str:
    """2026 → 2026年, 2026-H1 → 2026年上半年, 2026-Q3 → 2026年第三季度, 2026-07 → 2026年7月."""
    if not period:
        return ""
    year, _, part = period.partition("-")
    if not year.isdigit():
        return "随时公开"
    if not part:
        return f"{year}年"
    if part in QUARTERS:
        return f"{year}年{QUARTERS[part]}"
    if part in HALVES:
        return f"{year}年{HALVES[part]}"
    return f"{year}年{int(part)}月" if part.isdigit() else f"{year}年"


def _disclosed_items(session: Session, reader: Actor | None, unit_code: str) -> list[Item]:
    disclosed = sa.or_(Item.status.in_(audience.DISCLOSED),
                       sa.and_(Item.status == "archived", Item.archived_from.in_(audience.DISCLOSED)))
    query = (sa.select(Item).where(audience.visible(session, reader), disclosed, Item.unit_code == unit_code,
                                   Item.superseded_by_id.is_(None))
             .options(selectinload(Item.attachments)).order_by(Item.published_at.desc(), Item.id.desc())
             .limit(MAX_ITEMS))
    return list(session.scalars(query))


def _matters(session: Session, items: list[Item]) -> dict[int, tuple[str, str, str, str]]:
    """item id → (matter, sub matter, period, period label) from the obligation each fulfilled."""
    ids = [item.obligation_id for item in items if item.obligation_id]
    if not ids:
        return {}
    rows = session.execute(sa.select(Obligation.id, Obligation.period, CatalogueEntry.matter,
                                     CatalogueEntry.sub_matter)
                           .join(CatalogueEntry, CatalogueEntry.id == Obligation.entry_id)
                           .where(Obligation.id.in_(ids))).all()
    by_obligation = {row.id: row for row in rows}
    found = {}
    for item in items:
        row = by_obligation.get(item.obligation_id)
        if row is not None:
            found[item.id] = (row.matter, row.sub_matter, row.period, period_label(row.period))
    return found


def record(session: Session, unit_code: str, year: int) -> dict[str, Any]:
    """The unit's disclosure record in the year: obligations by status, the on-time rate and how many are overdue."""
    counts = dict.fromkeys(("open", "fulfilled", "fulfilled_late", "overdue", "waived"), 0)
    for status, count in session.execute(sa.select(Obligation.status, sa.func.count())
                                         .where(Obligation.unit_code == unit_code, Obligation.year == year)
                                         .group_by(Obligation.status)):
        counts[status] = counts.get(status, 0) + count
    return {"year": year, **counts, "total": sum(counts.values()), "on_time_rate": on_time_rate(counts)}


def unit_page(session: Session, actor: Actor | None, unit_code: str, year: int | None = None) -> dict[str, Any]:
    """{"groups": [{matter, periods: [{period, label, items}]}], "prior": [items], "record": {...}};
    each item as the public view shows it, with `party` true for a Party-scope one."""
    reader = portal_reader(actor)
    items = _disclosed_items(session, reader, unit_code)
    matters = _matters(session, items)
    groups: dict[str, dict[str, Any]] = {}
    prior = []
    for item in items:
        view = {**audience.PublicItemView().dump(item), "party": item.audience != "society"}
        matter, sub_matter, period, label = matters.get(item.id, (OTHER_MATTER, "", "", ""))
        view.update(matter=matter, sub_matter=sub_matter, period=period, period_label=label)
        if item.display_until is not None:
            prior.append(view)
        group = groups.setdefault(matter, {"matter": matter, "periods": {}})
        group["periods"].setdefault(period, {"period": period, "label": label, "items": []})["items"].append(view)
    ordered = [{"matter": g["matter"], "periods": sorted(g["periods"].values(), key=lambda p: p["period"], reverse=True)}
               for g in sorted(groups.values(), key=lambda g: (g["matter"] == OTHER_MATTER, g["matter"]))]
    return {"groups": ordered, "prior": prior, "record": record(session, unit_code, year or county_today().year)}


def item_page(session: Session, actor: Actor | None, item_id: int) -> dict[str, Any]:
    """{"item": view} for an item the reader may see (with `party`, and `current_id` when a
    correction replaced it); {"withdrawn": notice} for a published society item since withdrawn;
    NotFound otherwise (also for what the reader may not see: the portal does not say it exists)."""
    reader = portal_reader(actor)
    item = session.get(Item, item_id)
    if item is None:
        raise NotFound(f"没有编号为 {item_id} 的公开事项，请核对链接。")
    if item.status == "withdrawn" and item.published_at is not None and item.audience == "society":
        step = session.scalars(sa.select(ItemTransition).where(ItemTransition.item_id == item.id,
                                                               ItemTransition.to_status == "withdrawn")
                               .order_by(ItemTransition.id.desc()).limit(1)).first()
        return {"withdrawn": {"id": item.id, "title": item.title, "unit_code": item.unit_code,
                              "published_at": item.published_at.isoformat(),
                              "withdrawn_at": step.at.isoformat() if step else None,
                              "reason": step.reason if step else None}}
    disclosed = item.status in audience.DISCLOSED or (item.status == "archived" and
                                                      item.archived_from in audience.DISCLOSED)
    if not disclosed or not audience.may_see(session, reader, item):
        raise NotFound(f"没有编号为 {item_id} 的公开事项，或它不对您公开。")
    view = {**audience.PublicItemView().dump(item), "party": item.audience != "society"}
    current = item
    for _ in range(20):  # follow corrections to the version in force
        if current.superseded_by_id is None:
            break
        current = session.get(Item, current.superseded_by_id) or current
    view["current_id"] = current.id if current.id != item.id else None
    matter = _matters(session, [item]).get(item.id)
    view.update(matter=matter[0] if matter else OTHER_MATTER, period_label=matter[3] if matter else "")
    return {"item": view}
