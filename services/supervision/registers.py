"""The 双随机 draw's standing registers, kept by the county office: the inspectors (each with
the unit they belong to, for recusal) and the units a draw may pick. An entry is in force from
its first day to its last (none: until ended); ending one sets its last day, and nothing is
deleted, so the registers as they stood on any day can be read again.

A form carries the register's revision (`seen`); when the register changed meanwhile the
change is refused with who changed it, and nothing is changed."""
from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from services.common.actor import Actor
from services.common.db import UnitOfWork
from services.common.errors import Conflict, Forbidden, NotFound, validated
from services.common.records import utcnow
from services.common.shapes.draws import (
    EndEntryBody,
    RegisterInspectorBody,
    RegisterUnitBody,
)
from services.common.workdays import county_today

from .models import UnitCopy
from .register_models import RegisterInspector, RegisterUnit

TABLES = {"inspectors": RegisterInspector, "units": RegisterUnit}
BODIES = {"inspectors": RegisterInspectorBody, "units": RegisterUnitBody}
NAMES = {"inspectors": "检查人员名录", "units": "检查对象名录"}
TRANSITIONS = {("upcoming", "end"): "ended", ("current", "end"): "ended"}  # (state, action) → state


def state_of(entry: Any, day: date) -> str:
    if entry.effective_until is not None and entry.effective_until < day:
        return "ended"
    return "upcoming" if entry.effective_from > day else "current"


def actions_of(state: str) -> list[str]:
    return sorted(action for (s, action) in TRANSITIONS if s == state)


def _require_office(actor: Actor) -> None:
    if actor.role != "inspector":
        raise Forbidden("抽查名录由县委办公室维护")


def _table(kind: str) -> Any:
    if kind not in TABLES:
        raise NotFound(f"没有名为 {kind} 的名录")
    return TABLES[kind]


def in_force(uow: UnitOfWork, kind: str, day: date) -> list[Any]:
    table = _table(kind)
    return list(uow.session.scalars(sa.select(table).where(
        table.effective_from <= day, sa.or_(table.effective_until.is_(None), table.effective_until >= day))
        .order_by(table.id)))


def pool_on(uow: UnitOfWork, day: date) -> list[dict[str, Any]]:
    """The inspectors in force on the day, one entry per username (the newest wins)."""
    members = {e.username: e.unit_code for e in in_force(uow, "inspectors", day)}
    return [{"username": name, "unit_code": members[name]} for name in sorted(members)]


def units_on(uow: UnitOfWork, day: date) -> list[str]:
    """The registered units in force on the day that are still active."""
    codes = {e.unit_code for e in in_force(uow, "units", day)}
    return sorted(uow.session.scalars(sa.select(UnitCopy.code).where(
        UnitCopy.code.in_(codes), UnitCopy.status == "active"))) if codes else []


def revision(uow: UnitOfWork, kind: str) -> str:
    """Changes whenever an entry is added or ended."""
    table = _table(kind)
    rows = uow.session.execute(sa.select(table.id, table.effective_until, table.ended_at).order_by(table.id)).all()
    return hashlib.sha256(repr([tuple(str(v) for v in row) for row in rows]).encode()).hexdigest()[:16]


def _entry(uow: UnitOfWork, kind: str, entry: Any, day: date) -> dict[str, Any]:
    code = entry.unit_code
    unit = uow.session.get(UnitCopy, code) if code else None
    state = state_of(entry, day)
    out = {"id": entry.id, "register": kind, "unit_code": code, "unit_name": unit.name if unit else None,
           "effective_from": entry.effective_from.isoformat(),
           "effective_until": entry.effective_until.isoformat() if entry.effective_until else None,
           "state": state, "actions": actions_of(state), "added_by": entry.added_by,
           "added_at": entry.added_at.isoformat(), "ended_by": entry.ended_by}
    if kind == "inspectors":
        out["username"] = entry.username
    return out


def view(uow: UnitOfWork, actor: Actor, day: date | None = None, ended: bool = False) -> dict[str, Any]:
    """Both registers as they stand on the day (today by default), with each entry's actions."""
    _require_office(actor)
    day = day or county_today()
    out: dict[str, Any] = {"date": day.isoformat()}
    for kind, table in TABLES.items():
        entries = [_entry(uow, kind, e, day) for e in uow.session.scalars(sa.select(table).order_by(table.id))]
        out[kind] = [e for e in entries if ended or e["state"] != "ended"]
        out[f"{kind}_revision"] = revision(uow, kind)
    out["in_force"] = {"inspectors": len(pool_on(uow, day)), "units": len(units_on(uow, day))}
    return out


def _unchanged(uow: UnitOfWork, kind: str, seen: str | None) -> None:
    if seen and seen != revision(uow, kind):
        table = _table(kind)
        last = uow.session.scalars(sa.select(table).order_by(
            sa.func.coalesce(table.ended_at, table.added_at).desc()).limit(1)).first()
        who, register_name = ((last.ended_by or last.added_by) if last else "他人"), NAMES[kind]
        raise Conflict(f"{register_name}在您打开表单后已由 {who} 修改，请刷新后再办理。",
                       {"fields": {"seen": ["the register changed"]}})


def add(uow: UnitOfWork, actor: Actor, kind: str, data: dict[str, Any]) -> dict[str, Any]:
    _require_office(actor)
    table = _table(kind)
    data = validated(BODIES[kind](), data, NAMES[kind])
    _unchanged(uow, kind, data.pop("seen"))
    code = data.get("unit_code")
    if code and uow.session.get(UnitCopy, code) is None:
        raise NotFound(f"没有单位 {code}", {"fields": {"unit_code": ["unknown unit"]}})
    today = county_today()
    start = data["effective_from"] or today
    key = {"username": data["username"]} if kind == "inspectors" else {"unit_code": code}
    clash = [e for e in uow.session.scalars(sa.select(table).filter_by(**key))
             if (e.effective_until is None or e.effective_until >= start)
             and (data["effective_until"] is None or e.effective_from <= data["effective_until"])]
    if clash:
        register_name, who, since = NAMES[kind], data.get("username") or code, clash[0].effective_from.isoformat()
        raise Conflict(f"{register_name}中已有 {who}（自 {since} 起），请先结束那一条再添加。", {"fields": {next(iter(key)): ["already in the register"]}})
    entry = table(**{**data, "effective_from": start}, added_by=actor.username, added_at=utcnow())
    uow.session.add(entry)
    uow.session.flush()
    return _entry(uow, kind, entry, today)


def end(uow: UnitOfWork, actor: Actor, kind: str, entry_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """Take an entry out of the register after its (new) last day: yesterday by default, so it is
    out from today; never earlier (a register a draw used is not changed after the fact)."""
    _require_office(actor)
    table = _table(kind)
    data = validated(EndEntryBody(), data or {}, NAMES[kind])
    entry = uow.session.get(table, int(entry_id))
    if entry is None:
        register_name = NAMES[kind]
        raise NotFound(f"{register_name}中没有第 {entry_id} 条")
    _unchanged(uow, kind, data["seen"])
    today = county_today()
    if (state_of(entry, today), "end") not in TRANSITIONS:
        last_day = entry.effective_until.isoformat() if entry.effective_until else ""
        raise Conflict(f"这一条已于 {last_day} 结束，不能再结束。")
    yesterday = today - timedelta(days=1)
    last = data["effective_until"] or max(yesterday, entry.effective_from - timedelta(days=1))
    if last < yesterday or last < entry.effective_from - timedelta(days=1):
        raise Conflict("最后在册日不能早于昨天，也不能早于生效日期的前一天：已经用过的名录不能倒改。",
                       {"fields": {"effective_until": ["too early"]}})
    entry.effective_until, entry.ended_by, entry.ended_at = last, actor.username, utcnow()
    uow.session.flush()
    return _entry(uow, kind, entry, today)
