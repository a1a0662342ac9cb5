"""Units learn from each other (组织相互学习借鉴, 分类指导): the county office marks good published
items as 范例 of a catalogue matter (事项) for a sector, and writes guidance notes per matter and
sector; an operator drafting an item for an obligation sees both beside the editor.

- A mark names a published item of a catalogue matter (the item fulfils an obligation of that
  matter), a sector (the item's unit's by default) and the office's reason. One current mark per
  item and sector. The office ends it with a reason (ExampleUnmarked).
- A withdrawn item's marks end with it (ExampleUnmarked, reason "事项已撤回"). A published
  correction takes its marks over: the mark follows the version in force, since the office
  marked the unit's disclosure of the matter, and the correction is that disclosure now.
- A party-only (or unit-only) item may be marked, but each reader sees only the marked items
  their audience rule (audience.py) lets them read; the public models page shows society items only.
- The examples beside the editor: the current marks of the obligation's matter for the unit's
  sector, newest mark first, at most EXAMPLES_SHOWN, each with an extract of EXTRACT_CHARS.
- A guidance note is for a matter and a sector, or (no sector) for every sector. Revising or
  retiring names the revision the form was made from; a later one is refused with who revised
  it and when. Beside the editor: the matter's notes for the unit's sector first, then the
  notes for every sector."""
from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common.actor import Actor
from services.common.contract import names
from services.common.db import UnitOfWork
from services.common.errors import Conflict, Forbidden, InvalidInput, NotFound, validated
from services.common.records import utcnow
from services.common.shapes.learning import (EndExampleBody, MarkExampleBody, NewGuidanceBody, RetireGuidanceBody,
                                             ReviseGuidanceBody)
from services.common.workdays import COUNTY_TIMEZONE

from . import audience
from .learning_models import ExampleMark, GuidanceNote
from .models import CatalogueEntry, Item, Obligation, UnitCopy

EXAMPLES_SHOWN = 3
EXTRACT_CHARS = 80
OFFICE = "inspector"  # the county office (领导小组办公室)


def county_datetime_text(moment: Any) -> str:
    return moment.astimezone(COUNTY_TIMEZONE).strftime("%Y年%m月%d日 %H:%M")


def _office(actor: Actor) -> None:
    if actor.role != OFFICE:
        raise Forbidden("只有县党务公开领导小组办公室可以办理范例和分类指导。")


def extract(body: str, size: int = EXTRACT_CHARS) -> str:
    """The body as one line of plain text, cut at `size` characters with an ellipsis."""
    text = re.sub(r"\s+", " ", body or "").strip()
    return text if len(text) <= size else text[:size].rstrip() + "…"


def _matter_of(session: Session, item: Item) -> str | None:
    if item.obligation_id is None:
        return None
    return session.scalar(sa.select(Obligation.entry_code).where(Obligation.id == item.obligation_id))


def _matter_names(session: Session, codes: set[str]) -> dict[str, str]:
    rows = session.execute(sa.select(CatalogueEntry.code, CatalogueEntry.matter, CatalogueEntry.sub_matter)
                           .where(CatalogueEntry.code.in_(codes)).order_by(CatalogueEntry.version))
    return {code: f"{matter} · {sub}" if sub else matter for code, matter, sub in rows}


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment is not None else None


def _payload(mark: ExampleMark, item: Item) -> dict[str, Any]:
    return {"item_id": item.id, "unit_code": item.unit_code, "title": item.title, "version": item.version,
            "audience": item.audience, "mark_id": mark.id, "entry_code": mark.entry_code, "sector": mark.sector}


def _mark_view(session: Session, mark: ExampleMark, item: Item, unit: UnitCopy | None) -> dict[str, Any]:
    return {"id": mark.id, "item_id": item.id, "title": item.title, "extract": extract(item.body),
            "audience": item.audience, "unit_code": item.unit_code, "unit_name": unit.name if unit else item.unit_code,
            "entry_code": mark.entry_code, "sector": mark.sector, "reason": mark.reason,
            "marked_by": mark.marked_by, "marked_at": _iso(mark.marked_at), "ended_by": mark.ended_by,
            "ended_at": _iso(mark.ended_at), "end_reason": mark.end_reason}


def mark(uow: UnitOfWork, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """范例: the office marks a published item of a catalogue matter as an example for a sector."""
    _office(actor)
    data = validated(MarkExampleBody(), data, "the example mark")
    session = uow.session
    item = session.get(Item, data["item_id"])
    if item is None:
        raise NotFound(f"没有编号为 {data['item_id']} 的公开事项。")
    if item.status != "published":
        raise Conflict(f"只有已公开的事项可以标为范例；事项 {item.id} 现在不是已公开状态。")
    entry_code = _matter_of(session, item)
    if entry_code is None:
        raise Conflict(f"事项 {item.id} 不对应公开目录中的事项，不能标为范例。")
    unit = session.get(UnitCopy, item.unit_code)
    sector = data["sector"] or (unit.sector if unit else None)
    taken = session.scalar(sa.select(ExampleMark.id).where(ExampleMark.item_id == item.id,
                                                           ExampleMark.sector == sector, ExampleMark.ended_at.is_(None)))
    if taken is not None:
        raise Conflict(f"事项 {item.id} 已是这一领域的范例（标记 {taken}）。")
    now = utcnow()
    row = ExampleMark(item_id=item.id, unit_code=item.unit_code, entry_code=entry_code, sector=sector,
                      reason=data["reason"].strip(), marked_by=actor.username, marked_at=now)
    session.add(row)
    session.flush()
    uow.emit(names.EXAMPLE_MARKED, {**_payload(row, item), "marked_by": actor.username, "marked_at": now,
                                    "reason": row.reason})
    return _mark_view(session, row, item, unit)


def _end(uow: UnitOfWork, row: ExampleMark, item: Item, by: str, reason: str) -> None:
    row.ended_by, row.ended_at, row.end_reason = by, utcnow(), reason
    uow.emit(names.EXAMPLE_UNMARKED, {**_payload(row, item), "ended_by": by, "ended_at": row.ended_at,
                                      "reason": reason})


def unmark(uow: UnitOfWork, actor: Actor, mark_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """The office ends a mark, with its reason."""
    _office(actor)
    reason = validated(EndExampleBody(), data, "the end of the example mark")["reason"].strip()
    row = uow.session.get(ExampleMark, int(mark_id), with_for_update=True)
    if row is None:
        raise NotFound(f"没有编号为 {mark_id} 的范例标记。")
    if row.ended_at is not None:
        raise Conflict(f"范例标记 {row.id} 已于 {county_datetime_text(row.ended_at)} 由 {row.ended_by} 取消。")
    item = uow.session.get(Item, row.item_id)
    _end(uow, row, item, actor.username, reason)
    return _mark_view(uow.session, row, item, uow.session.get(UnitCopy, item.unit_code))


def item_withdrawn(uow: UnitOfWork, item: Item, actor: Actor) -> None:
    """A withdrawn item's current marks end with it."""
    for row in uow.session.scalars(sa.select(ExampleMark).where(ExampleMark.item_id == item.id,
                                                                ExampleMark.ended_at.is_(None))):
        _end(uow, row, item, actor.username, "事项已撤回")


def item_corrected(session: Session, previous: Item, new: Item) -> None:
    """A published correction takes over the marks of the version it corrects."""
    session.execute(sa.update(ExampleMark).where(ExampleMark.item_id == previous.id, ExampleMark.ended_at.is_(None))
                    .values(item_id=new.id))


def _marked(session: Session, where: list[Any], reader: Actor | None, limit: int) -> list[dict[str, Any]]:
    rows = session.execute(
        sa.select(ExampleMark, Item, UnitCopy).join(Item, Item.id == ExampleMark.item_id)
        .outerjoin(UnitCopy, UnitCopy.code == Item.unit_code)
        .where(*where, audience.visible(session, reader))
        .order_by(ExampleMark.marked_at.desc(), ExampleMark.id.desc()).limit(limit))
    return [_mark_view(session, *row) for row in rows]


def list_marks(session: Session, actor: Actor, filters: dict[str, Any]) -> list[dict[str, Any]]:
    """The office's list: the current marks (or, `ended`, also the ended ones), newest first."""
    _office(actor)
    where = [] if filters.get("ended") else [ExampleMark.ended_at.is_(None)]
    for name in ("entry_code", "sector"):
        if filters.get(name):
            where.append(getattr(ExampleMark, name) == filters[name])
    found = _marked(session, where, actor, 500)
    matters = _matter_names(session, {m["entry_code"] for m in found})
    return [{**m, "matter": matters.get(m["entry_code"], m["entry_code"])} for m in found]


def public_examples(session: Session) -> list[dict[str, Any]]:
    """The current marks of published society items, for the portal's models page, newest first."""
    return _marked(session, [ExampleMark.ended_at.is_(None), Item.status == "published",
                             Item.audience == "society"], None, 500)


def _note_view(note: GuidanceNote) -> dict[str, Any]:
    view = {name: getattr(note, name) for name in (
        "id", "entry_code", "sector", "title", "body", "revision", "written_by", "revised_by", "retired_by",
        "retired_reason")}
    return {**view, **{name: _iso(getattr(note, name)) for name in ("written_at", "revised_at", "retired_at")}}


def editor_aids(session: Session, actor: Actor, obligation_id: int) -> dict[str, Any]:
    """Beside the editor of an item for this obligation: the matter's examples for the unit's
    sector (as this reader may see them) and the office's guidance for it."""
    obligation = session.get(Obligation, int(obligation_id))
    if obligation is None or not actor.acts_for(obligation.unit_code):
        raise NotFound(f"没有编号为 {obligation_id} 的公开任务")
    unit = session.get(UnitCopy, obligation.unit_code)
    sector = unit.sector if unit else obligation.sector
    examples = _marked(session, [ExampleMark.ended_at.is_(None), ExampleMark.entry_code == obligation.entry_code,
                                 ExampleMark.sector == sector, Item.status == "published"], actor, EXAMPLES_SHOWN)
    notes = session.scalars(
        sa.select(GuidanceNote).where(GuidanceNote.entry_code == obligation.entry_code,
                                      GuidanceNote.retired_at.is_(None),
                                      sa.or_(GuidanceNote.sector == sector, GuidanceNote.sector.is_(None)))
        .order_by(GuidanceNote.sector.is_(None), GuidanceNote.revised_at.desc(), GuidanceNote.id.desc()))
    return {"entry_code": obligation.entry_code, "sector": sector, "examples": examples,
            "notes": [_note_view(n) for n in notes]}


def _entry_exists(session: Session, code: str) -> None:
    if session.scalar(sa.select(CatalogueEntry.id).where(CatalogueEntry.code == code).limit(1)) is None:
        raise InvalidInput(f"公开目录中没有代码为 {code} 的事项。")


def list_notes(session: Session, actor: Actor, filters: dict[str, Any]) -> list[dict[str, Any]]:
    """The office's guidance notes (the retired ones too with `retired`), by matter and sector."""
    _office(actor)
    query = sa.select(GuidanceNote)
    if not filters.get("retired"):
        query = query.where(GuidanceNote.retired_at.is_(None))
    if filters.get("entry_code"):
        query = query.where(GuidanceNote.entry_code == filters["entry_code"])
    notes = [_note_view(n) for n in session.scalars(query.order_by(GuidanceNote.entry_code, GuidanceNote.id))]
    matters = _matter_names(session, {n["entry_code"] for n in notes})
    return [{**n, "matter": matters.get(n["entry_code"], n["entry_code"])} for n in notes]


def get_note(session: Session, actor: Actor, note_id: int) -> dict[str, Any]:
    _office(actor)
    return _note_view(_note(session, note_id))


def _note(session: Session, note_id: int, lock: bool = False) -> GuidanceNote:
    note = session.get(GuidanceNote, int(note_id), with_for_update=lock or None)
    if note is None:
        raise NotFound(f"没有编号为 {note_id} 的分类指导。")
    return note


def create_note(uow: UnitOfWork, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    _office(actor)
    data = validated(NewGuidanceBody(), data, "the guidance note")
    _entry_exists(uow.session, data["entry_code"])
    now = utcnow()
    note = GuidanceNote(entry_code=data["entry_code"], sector=data["sector"], title=data["title"].strip(),
                        body=data["body"].strip(), revision=1, written_by=actor.username, written_at=now,
                        revised_by=actor.username, revised_at=now)
    uow.session.add(note)
    uow.session.flush()
    return _note_view(note)


def _current(note: GuidanceNote, revision: int) -> None:
    """Refuse a change to a retired note, or one made from an older revision (a stale form)."""
    if note.retired_at is not None:
        raise Conflict(f"分类指导 {note.id} 已于 {county_datetime_text(note.retired_at)} 由 {note.retired_by} 停用，"
                       f"不能再修改或停用。")
    if revision != note.revision:
        raise Conflict(f"分类指导 {note.id} 已由 {note.revised_by} 于 {county_datetime_text(note.revised_at)} 修改"
                       f"（第 {note.revision} 版），请刷新后再办理。")


def revise_note(uow: UnitOfWork, actor: Actor, note_id: int, data: dict[str, Any]) -> dict[str, Any]:
    _office(actor)
    data = validated(ReviseGuidanceBody(), data, "the guidance note's revision")
    note = _note(uow.session, note_id, lock=True)
    _current(note, data["revision"])
    note.title, note.body = data["title"].strip(), data["body"].strip()
    note.revision += 1
    note.revised_by, note.revised_at = actor.username, utcnow()
    return _note_view(note)


def retire_note(uow: UnitOfWork, actor: Actor, note_id: int, data: dict[str, Any]) -> dict[str, Any]:
    _office(actor)
    data = validated(RetireGuidanceBody(), data, "the guidance note's retirement")
    note = _note(uow.session, note_id, lock=True)
    _current(note, data["revision"])
    note.retired_by, note.retired_at, note.retired_reason = actor.username, utcnow(), data["reason"].strip()
    return _note_view(note)
