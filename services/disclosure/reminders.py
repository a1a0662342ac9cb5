"""Reminders (催办): the county office chases a unit for an obligation still open or overdue.

A reminder is kept (who, when, the obligation's status then, the office's note) and announced
as ObligationReminded in the same transaction (the outbox); notify's rules file tells the
unit's liaison (联络员). One obligation is reminded at most once in REMIND_AGAIN_HOURS: a
second click, a second office clerk or a replayed form within that time is refused, saying
who reminded it and when, and nothing is sent twice."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common.actor import Actor
from services.common.contract import names
from services.common.db import UnitOfWork
from services.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.common.records import utcnow
from services.common.workdays import COUNTY_TIMEZONE

from . import obligations
from .models import CatalogueEntry, Obligation, ObligationReminder

REMINDABLE = ("open", "overdue")
REMIND_AGAIN_HOURS = 24
NOTE_MAX = 500
DONE_WORDS = {"fulfilled": "按时完成", "fulfilled_late": "逾期后完成", "waived": "免除"}


def _county_time(moment: datetime) -> str:
    local = moment.astimezone(COUNTY_TIMEZONE)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def _view(reminder: ObligationReminder, number: int) -> dict[str, Any]:
    return {"id": reminder.id, "obligation_id": reminder.obligation_id, "unit_code": reminder.unit_code,
            "reminded_by": reminder.reminded_by, "reminded_at": reminder.reminded_at.isoformat(),
            "status": reminder.status, "note": reminder.note, "reminder_no": number}


def remind(uow: UnitOfWork, actor: Actor, obligation_id: int, note: str | None,
           now: datetime | None = None) -> dict[str, Any]:
    """Record the reminder and emit ObligationReminded; {"reminder": ..., "obligation": ...}."""
    if actor.role != "inspector":
        raise Forbidden("只有县委办（督查）可以催办公开任务")
    note = (note or "").strip() or None
    if note is not None and len(note) > NOTE_MAX:
        raise InvalidInput(f"附言最多 {NOTE_MAX} 字，现在有 {len(note)} 字，请删减。",
                           {"fields": {"note": [f"at most {NOTE_MAX} characters"]}})
    session = uow.session
    obligation = session.get(Obligation, int(obligation_id), with_for_update=True)
    if obligation is None:
        raise NotFound(f"没有编号为 {obligation_id} 的公开任务")
    if obligation.status not in REMINDABLE:
        raise Conflict(f"这项公开任务已{DONE_WORDS.get(obligation.status, obligation.status)}，不需要催办")
    now = now or utcnow()
    previous = session.scalars(sa.select(ObligationReminder).where(ObligationReminder.obligation_id == obligation.id)
                               .order_by(ObligationReminder.id.desc())).all()
    if previous and now - previous[0].reminded_at < timedelta(hours=REMIND_AGAIN_HOURS):
        raise Conflict(f"{previous[0].reminded_by} 已于 {_county_time(previous[0].reminded_at)} 催办过这项任务，"
                       f"{REMIND_AGAIN_HOURS} 小时内不再重复催办")
    reminder = ObligationReminder(obligation_id=obligation.id, unit_code=obligation.unit_code,
                                  reminded_by=actor.username, reminded_at=now, status=obligation.status, note=note)
    session.add(reminder)
    session.flush()
    entry = session.get(CatalogueEntry, obligation.entry_id)
    number = len(previous) + 1
    uow.emit(names.OBLIGATION_REMINDED, {
        "obligation_id": obligation.id, "unit_code": obligation.unit_code, "entry_code": obligation.entry_code,
        "matter": f"{entry.matter}：{entry.sub_matter}", "period": obligation.period, "due_on": obligation.due_on,
        "year": obligation.year, "status": obligation.status, "reminded_by": actor.username, "reminded_at": now,
        "note": note, "reminder_no": number})
    return {"reminder": _view(reminder, number),
            "obligation": obligations.get_obligation(session, actor, obligation.id)}


def last_reminders(session: Session, actor: Actor, obligation_ids: list[int]) -> dict[str, dict[str, Any]]:
    """For each of these obligations that was reminded: the latest reminder and how many there
    were, keyed by the obligation's id as text (RPC carries JSON)."""
    if not actor.county:
        raise Forbidden("只有县委办可以查看催办记录")
    ids = sorted({int(i) for i in obligation_ids})[:1000]
    if not ids:
        return {}
    found: dict[str, dict[str, Any]] = {}
    rows = session.scalars(sa.select(ObligationReminder).where(ObligationReminder.obligation_id.in_(ids))
                           .order_by(ObligationReminder.obligation_id, ObligationReminder.id))
    for reminder in rows:
        key = str(reminder.obligation_id)
        found[key] = _view(reminder, found.get(key, {}).get("reminder_no", 0) + 1)
    return found
