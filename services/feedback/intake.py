"""Receiving feedback: check what it is about, screen it (size, links, duplicates, the word
screen), give it a tracking code, the sender's secret (PIN) and its deadlines on the
working-day calendar (acknowledge in 3, answer in 15 working days by default)."""
from __future__ import annotations

import hashlib
import secrets
from datetime import date
from typing import Any

import sqlalchemy as sa
from marshmallow import ValidationError
from sqlalchemy.orm import Session

from services.common.db import UnitOfWork
from services.common.contract import names
from services.common.errors import InvalidInput, NotFound
from services.common.i18n import term
from services.common.records import utcnow
from services.common.shapes.feedback import NEW_FEEDBACK
from services.common.workdays import county_date, is_provisional, working_days_after

from . import moderation, trail
from .models import Feedback, Target
from .settings import Settings
TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud on the phone
COUNTY_FALLBACK = "county"  # who answers comments on the plan while the county's root unit is unknown


def apply_unit(session: Session, state: dict[str, Any]) -> None:
    """Feedback may be sent to active units; the newest revision of a unit wins."""
    target = session.get(Target, ("unit", state["code"]))
    if target is not None and (target.revision or 0) >= state["revision"]:
        return
    target = target or Target(kind="unit", target_id=state["code"])
    target.unit_code, target.title = state["code"], state["name"]
    target.active, target.revision = state["status"] == "active", state["revision"]
    target.is_root = state["parent_code"] is None
    target.parent_code, target.sector = state["parent_code"], state["sector"]
    session.add(target)


def apply_published_item(session: Session, payload: dict[str, Any]) -> None:
    """Feedback may be sent on published society-scope items. An item is published once
    (a correction is a new item), so a target already there stays as it is: above all one
    withdrawn before this event arrived stays closed."""
    key = ("item", str(payload["item_id"]))
    if session.get(Target, key) is None:
        session.add(Target(kind="item", target_id=key[1], unit_code=payload["unit_code"], title=payload["title"],
                           active=payload["audience"] == "society"))


def apply_withdrawn_item(session: Session, payload: dict[str, Any]) -> None:
    """A withdrawn item (撤回) takes no more feedback, whichever of its events came first."""
    key = ("item", str(payload["item_id"]))
    target = session.get(Target, key) or Target(kind="item", target_id=key[1], unit_code=payload["unit_code"],
                                                title=payload["title"])
    target.active = False
    session.add(target)


def county_root(session: Session) -> str:
    """The unit that answers comments on the county's plan: the root of the unit tree (县委)."""
    code = session.scalar(sa.select(Target.target_id).where(
        Target.kind == "unit", Target.is_root.is_(True), Target.active.is_(True)).order_by(Target.target_id).limit(1))
    return code or COUNTY_FALLBACK


def open_plan_consultation(session: Session, payload: dict[str, Any]) -> None:
    """The year's plan takes comments from the public and members until `closes_on`
    (方案征求意见). A plan already approved (its event came first) stays closed."""
    key = ("plan", str(payload["plan_id"]))
    target = session.get(Target, key)
    if target is not None and not target.active:
        return
    target = target or Target(kind="plan", target_id=key[1])
    target.unit_code, target.title = county_root(session), payload["title"]
    target.active, target.open_until = True, payload["closes_on"]
    session.add(target)


def close_plan_consultation(session: Session, payload: dict[str, Any]) -> None:
    """An approved plan takes no more comments, even if its window had days left."""
    key = ("plan", str(payload["plan_id"]))
    target = session.get(Target, key) or Target(kind="plan", target_id=key[1], unit_code=county_root(session),
                                                title=payload["title"])
    target.active = False
    session.add(target)


def _open_target(session: Session, kind: str, target_id: str, today: date) -> Target:
    """The target feedback is about, if it takes feedback today; else a clear refusal."""
    target = session.get(Target, (kind, target_id))
    if kind == "plan" and target is not None:
        if not target.active:
            raise InvalidInput(f"《{target.title}》的征求意见已结束，不再接收意见")
        if target.open_until is not None and today > target.open_until:
            raise InvalidInput(f"《{target.title}》的征求意见已于 {target.open_until.isoformat()} 截止，"
                               "不再接收意见")
    if target is None or not target.active:
        raise NotFound(f"{term('feedback_target', kind)} {target_id} 不存在或不接收意见建议，请核对后再提交")
    return target


def _tracking_code() -> str:
    """Ten characters, at least one a letter: a tracking code never reads as an integer id.
    Not looked up first (a round trip for each feedback): 32¹⁰ codes make a repeat about one
    in a billion at a million feedback, and the column's unique index refuses it, the command
    answering Conflict (retry) with nothing kept."""
    while True:
        code = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(10))
        if not code.isdigit():
            return code


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.strip().encode()).hexdigest()


def new_secret() -> str:
    """The sender's PIN: eight digits, read aloud or typed on a phone; only its hash is kept."""
    return "".join(secrets.choice("0123456789") for _ in range(8))


def receive(uow: UnitOfWork, data: dict[str, Any], member: str | None = None,
            settings: Settings | None = None) -> dict[str, Any]:
    """Take feedback from the public (member None) or a party member. Feedback the word screen
    matches is held (待审) for the county office and goes nowhere yet; the rest goes to the
    unit that answers, with FeedbackReceived. The receipt carries the secret once."""
    settings = settings or Settings()
    try:
        data = NEW_FEEDBACK.load(data)
    except ValidationError as exc:
        raise InvalidInput(f"意见建议填写有误：{exc.messages}", {"fields": exc.messages}) from exc
    session = uow.session
    moderation.check_limits(data["content"], settings)
    received_at = utcnow()
    today = county_date(received_at)
    target = _open_target(session, data["target_kind"], data["target_id"], today)
    digest = moderation.content_hash(target.kind, target.target_id, data["content"])
    moderation.refuse_duplicate(session, digest, settings)
    matched = moderation.screen_for(settings).matches(data["content"])
    secret = new_secret()
    feedback = Feedback(
        tracking_code=_tracking_code(), secret_hash=secret_hash(secret), target_kind=target.kind,
        target_id=target.target_id, unit_code=target.unit_code, kind=data["kind"],
        source="member" if member else "public", content=data["content"], content_hash=digest,
        contact=data["contact"], public=data["public"], status="held" if matched else "received",
        held_reason=("命中敏感词：" + "、".join(matched))[:300] if matched else None, received_at=received_at,
        acknowledge_due=working_days_after(today, settings.acknowledge_working_days),
        answer_due=working_days_after(today, settings.answer_working_days), answer_counted_from=today,
        answer_working_days=settings.answer_working_days, round=1, reopen_count=0, reports=0,
        answer_hidden=False)
    session.add(feedback)
    session.flush()
    trail.record(session, feedback, "hold" if matched else "receive", member or "sender", None,
                 feedback.held_reason)
    if not matched:
        emit_received(uow, feedback)
    return {**track_view(feedback), "secret": secret}


def emit_received(uow: UnitOfWork, feedback: Feedback) -> None:
    uow.emit(names.FEEDBACK_RECEIVED, {
        "feedback_id": feedback.id, "tracking_code": feedback.tracking_code, "target_kind": feedback.target_kind,
        "target_id": feedback.target_id, "unit_code": feedback.unit_code, "kind": feedback.kind,
        "source": feedback.source, "summary": feedback.content[:200], "received_at": feedback.received_at,
        "acknowledge_due": feedback.acknowledge_due, "answer_due": feedback.answer_due,
        "provisional": is_provisional(feedback.answer_due)})


def track_view(feedback: Feedback) -> dict[str, Any]:
    """What the submitter sees when following their tracking code; never the contact."""
    return {"tracking_code": feedback.tracking_code, "status": feedback.status, "kind": feedback.kind,
            "target_kind": feedback.target_kind, "target_id": feedback.target_id,
            "received_at": feedback.received_at.isoformat(),
            "acknowledge_due": feedback.acknowledge_due.isoformat(),
            "answer_due": feedback.answer_due.isoformat(), "due_provisional": is_provisional(feedback.answer_due)}
