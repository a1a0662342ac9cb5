"""What the sender does with the tracking code and the secret (PIN) given with it: follow the
feedback, rate the answer (满意度), reopen it when not satisfied. The code alone shows the
progress; rating and reopening need the secret, so a code seen by someone else is not enough."""
from __future__ import annotations

import hmac
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common.contract import names
from services.common.db import UnitOfWork
from services.common.errors import AccountLocked, Conflict, Forbidden, validated
from services.common.i18n import term
from services.common.shapes import feedback as shapes
from services.common.records import utcnow
from services.common.workdays import add_working_days, county_date, county_today, is_provisional

from . import trail
from .intake import secret_hash
from .models import Answer, Feedback, Step
from .settings import Settings

SENDER_STEPS = ("receive", "hold", "release", "accept", "reject", "transfer", "grant_extension", "approve_answer",
                "rate", "reopen", "close", "erase_contact")  # what the sender is shown of the handling


def check_secret(uow: UnitOfWork, feedback: Feedback, secret: str, settings: Settings) -> None:
    """The PIN, counted: each wrong one is a step kept even though the request fails, and after
    `pin_tries` of them within `pin_lock_minutes` the code takes no PIN (right or wrong) until
    the window has passed, so a tracking code seen by someone else cannot be tried through."""
    since = utcnow() - timedelta(minutes=settings.pin_lock_minutes)
    wrong = uow.session.scalar(sa.select(sa.func.count()).select_from(Step).where(
        Step.feedback_id == feedback.id, Step.action == "wrong_pin", Step.at >= since)) or 0
    if wrong >= settings.pin_tries:
        raise AccountLocked(f"查询密码已连续输错 {wrong} 次，请 {settings.pin_lock_minutes} 分钟后再试",
                            {"retry_after_seconds": settings.pin_lock_minutes * 60})
    if feedback.secret_hash is None or not hmac.compare_digest(feedback.secret_hash, secret_hash(secret)):
        trail.record(uow.session, feedback, "wrong_pin", "sender", feedback.status)
        uow.commit()  # counted, though nothing else changes
        raise Forbidden("查询码与密码不符：评价和重新办理需要提交意见时给出的密码")


def reopen_deadline(feedback: Feedback, settings: Settings):
    return add_working_days(county_date(feedback.answered_at), settings.reopen_working_days)


def _reopen(uow: UnitOfWork, feedback: Feedback, settings: Settings, reason: str | None) -> None:
    trail.move(uow.session, feedback, "reopen", "sender", reason)
    now = utcnow()
    feedback.reopen_count += 1
    feedback.round += 1
    feedback.answer_counted_from, feedback.answer_working_days = county_date(now), settings.answer_working_days
    feedback.answer_due = add_working_days(county_date(now), settings.answer_working_days)
    feedback.due_soon_at = feedback.overdue_at = feedback.escalated_1_at = feedback.escalated_2_at = None
    uow.emit(names.FEEDBACK_REOPENED, {**trail.ref(feedback), "round": feedback.round, "reopened_at": now,
                                       "answer_due": feedback.answer_due})


def _can_reopen(feedback: Feedback, settings: Settings) -> str | None:
    """Why the feedback cannot be reopened now, or None."""
    if feedback.reopen_count >= settings.max_reopens:
        return f"已重新办理 {feedback.reopen_count} 次，最多 {settings.max_reopens} 次，不能再次重新办理"
    if county_today() > reopen_deadline(feedback, settings):
        return f"答复后 {settings.reopen_working_days} 个工作日内可以申请重新办理，已经超过期限"
    return None


def close(uow: UnitOfWork, feedback: Feedback, reason: str, by: str = "sender") -> None:
    trail.move(uow.session, feedback, "close", by)
    feedback.closed_at = utcnow()
    uow.emit(names.FEEDBACK_CLOSED, {**trail.ref(feedback), "reason": reason, "rating": feedback.rating,
                                     "closed_at": feedback.closed_at})


def rate(uow: UnitOfWork, tracking_code: str, data: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """满意 or 基本满意 closes it; 不满意 reopens it while reopening is allowed, else closes it
    with the rating kept."""
    body = validated(shapes.Rating(), data, "评价")
    rating, comment = body["rating"], body["comment"]
    feedback = trail.by_code(uow.session, tracking_code, lock=True)
    check_secret(uow, feedback, body["secret"], settings)
    trail.move(uow.session, feedback, "rate", "sender", f"{term('feedback_rating', rating)}{'：' + comment if comment else ''}")
    feedback.rating, feedback.rating_comment, feedback.rated_at = rating, comment, utcnow()
    uow.emit(names.FEEDBACK_RATED, {**trail.ref(feedback), "rating": rating, "round": feedback.round,
                                    "rated_at": feedback.rated_at})
    if rating != "unsatisfied":
        close(uow, feedback, "rated")
    elif _can_reopen(feedback, settings) is None:
        _reopen(uow, feedback, settings, comment)
    else:
        close(uow, feedback, "no_reopen_left")
    return track_view(uow.session, feedback)


def reopen(uow: UnitOfWork, tracking_code: str, data: dict[str, Any], settings: Settings) -> dict[str, Any]:
    body = validated(shapes.Reopen(), data, "重新办理申请")
    reason = body["reason"]
    feedback = trail.by_code(uow.session, tracking_code, lock=True)
    check_secret(uow, feedback, body["secret"], settings)
    if feedback.status != "answered":
        trail.move(uow.session, feedback, "reopen", "sender")  # the 409 naming the state
    refusal = _can_reopen(feedback, settings)
    if refusal is not None:
        raise Conflict(refusal, {"reopen_count": feedback.reopen_count})
    _reopen(uow, feedback, settings, reason)
    return track_view(uow.session, feedback)


def track(session: Session, tracking_code: str) -> dict[str, Any]:
    return track_view(session, trail.by_code(session, tracking_code))


def track_view(session: Session, feedback: Feedback) -> dict[str, Any]:
    """What the sender sees: the state, the deadlines, the steps (without who did them) and
    the approved answers. Never the contact."""
    answers = session.scalars(sa.select(Answer).where(Answer.feedback_id == feedback.id, Answer.status == "approved")
                              .order_by(Answer.id))
    steps = [{"at": s.at.isoformat(), "action": s.action, "label": term("feedback_action", s.action),
              "status": s.to_status, "note": s.note if s.action in ("reject", "reopen") else None}
             for s in trail.steps(session, feedback.id) if s.action in SENDER_STEPS]
    rejected = next((s["note"] for s in reversed(steps) if s["action"] == "reject"), None)
    return {"tracking_code": feedback.tracking_code, "status": feedback.status,
            "status_label": term("feedback_status", feedback.status), "kind": feedback.kind,
            "target_kind": feedback.target_kind, "target_id": feedback.target_id, "public": feedback.public,
            "received_at": feedback.received_at.isoformat(), "acknowledge_due": feedback.acknowledge_due.isoformat(),
            "answer_due": feedback.answer_due.isoformat(), "due_provisional": is_provisional(feedback.answer_due),
            "rejected_reason": rejected,
            "answers": [{"round": a.round, "body": a.body, "answered_at": a.reviewed_at.isoformat()} for a in answers],
            "rating": feedback.rating, "reopen_count": feedback.reopen_count, "steps": steps,
            "contact_kept": feedback.contact is not None, "contact_erased_at": (
                feedback.contact_erased_at.isoformat() if feedback.contact_erased_at else None)}
