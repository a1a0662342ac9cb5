"""What the answering unit and the county office do with feedback: moderation (release,
reject), acceptance (受理) or refusal (不予受理), transfer (转办), extension (延期), the
answer drafted by the unit's operator and approved by its reviewer. Each checks who acts
(role and unit), moves the state by the one table, keeps the step and emits its event."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from services.common.actor import Actor
from services.common.contract import names
from services.common.db import UnitOfWork
from services.common.errors import Conflict, Forbidden, Unprocessable, validated
from services.common.shapes import feedback as shapes
from services.common.records import utcnow
from services.common.workdays import add_working_days, county_date, is_provisional

from . import intake, trail
from .models import Answer, Feedback, Target
from .roles import COUNTY_OFFICE, of_unit, office_only
from .settings import Settings

def release(uow: UnitOfWork, actor: Actor, feedback_id: int) -> Feedback:
    """The county office lets held feedback through to its unit; its clock started at receipt."""
    office_only(actor, "审核待审的意见")
    feedback = trail.load(uow.session, feedback_id)
    trail.move(uow.session, feedback, "release", actor)
    intake.emit_received(uow, feedback)
    return feedback


def reject(uow: UnitOfWork, actor: Actor, feedback_id: int, reason: str) -> Feedback:
    """不予受理, with the reason the sender sees: held feedback by the county office, received
    feedback by the unit's officials or the office."""
    feedback = trail.load(uow.session, feedback_id)
    stage = "moderation" if feedback.status == "held" else "intake"
    if stage == "moderation" or not actor.acts_for(feedback.unit_code):
        office_only(actor, "不予受理" if stage == "intake" else "审核待审的意见")
    elif actor.role not in ("operator", "reviewer", *COUNTY_OFFICE):
        raise Forbidden("不予受理需要本单位党务干事或审核人办理")
    trail.move(uow.session, feedback, "reject", actor, reason)
    feedback.closed_at = utcnow()
    uow.emit(names.FEEDBACK_REJECTED, {**trail.ref(feedback), "stage": stage, "reason": reason,
                                       "rejected_by": actor.username, "rejected_at": feedback.closed_at})
    return feedback


def accept(uow: UnitOfWork, actor: Actor, feedback_id: int) -> Feedback:
    feedback = trail.load(uow.session, feedback_id)
    if not (actor.role in COUNTY_OFFICE or actor.role in ("operator", "reviewer")):
        raise Forbidden("受理需要本单位党务干事或审核人办理")
    if actor.role not in COUNTY_OFFICE:
        of_unit(actor, feedback, ("operator", "reviewer"), "受理")
    trail.move(uow.session, feedback, "accept", actor)
    feedback.accepted_at = utcnow()
    uow.emit(names.FEEDBACK_ACCEPTED, {
        **trail.ref(feedback), "accepted_by": actor.username, "accepted_at": feedback.accepted_at,
        "acknowledge_due": feedback.acknowledge_due,
        "acknowledged_on_time": county_date(feedback.accepted_at) <= feedback.acknowledge_due,
        "answer_due": feedback.answer_due})
    return feedback


def active_unit(session, code: str) -> Target:
    target = session.get(Target, ("unit", code))
    if target is None:
        raise Unprocessable(f"没有代码为 {code} 的党组织，请核对后再转办")
    if not target.active:
        raise Conflict(f"党组织 {code}（{target.title}）已撤销或合并，不能转办给它")
    return target


def transfer_to(uow: UnitOfWork, feedback: Feedback, unit_code: str, by: Actor | str, reason: str,
                cause: str = "transfer") -> None:
    """Hand the feedback to another unit; the deadlines stay as they are. A draft answer
    awaiting review belonged to the old unit and is set aside."""
    before_unit = feedback.unit_code
    feedback.unit_code = unit_code
    trail.move(uow.session, feedback, "transfer", by, f"{before_unit} → {unit_code}：{reason}")
    uow.session.execute(sa.update(Answer).where(Answer.feedback_id == feedback.id, Answer.status == "review")
                        .values(status="returned", review_note="已转办，由新单位重新答复"))
    uow.emit(names.FEEDBACK_TRANSFERRED, {
        **trail.ref(feedback), "from_unit_code": before_unit, "reason": reason, "cause": cause,
        "transferred_by": by.username if isinstance(by, Actor) else by, "transferred_at": utcnow(),
        "answer_due": feedback.answer_due})


def transfer(uow: UnitOfWork, actor: Actor, feedback_id: int, unit_code: str, reason: str) -> Feedback:
    office_only(actor, "转办")
    feedback = trail.load(uow.session, feedback_id)
    if unit_code == feedback.unit_code:
        raise Conflict(f"这条意见建议已由 {unit_code} 办理，无需转办")
    active_unit(uow.session, unit_code)
    transfer_to(uow, feedback, unit_code, actor, reason)
    return feedback


def request_extension(uow: UnitOfWork, actor: Actor, feedback_id: int, working_days: int, reason: str,
                      settings: Settings) -> Feedback:
    feedback = trail.load(uow.session, feedback_id)
    of_unit(actor, feedback, ("operator", "reviewer"), "申请延期")
    if feedback.extension_status is not None:
        raise Conflict("每条意见建议只能申请一次延期，已经申请过了")
    if not 1 <= working_days <= settings.extension_max_working_days:
        raise Unprocessable(f"延期最多 {settings.extension_max_working_days} 个工作日，请重新填写")
    trail.move(uow.session, feedback, "extend", actor, f"{working_days} 个工作日：{reason}")
    feedback.extension_status, feedback.extension_days = "requested", working_days
    feedback.extension_reason, feedback.extension_requested_by = reason, actor.username
    return feedback


def decide_extension(uow: UnitOfWork, actor: Actor, feedback_id: int, grant: bool, note: str | None) -> Feedback:
    office_only(actor, "批准延期")
    feedback = trail.load(uow.session, feedback_id)
    if feedback.extension_status != "requested":
        raise Conflict("这条意见建议没有待批准的延期申请")
    if not grant:
        trail.record(uow.session, feedback, "refuse_extension", actor, feedback.status, note)
        feedback.extension_status = "refused"
        return feedback
    trail.move(uow.session, feedback, "grant_extension", actor, note)
    previous = feedback.answer_due
    feedback.answer_due = add_working_days(previous, feedback.extension_days)
    if feedback.answer_working_days is not None:
        feedback.answer_working_days += feedback.extension_days
    feedback.extension_status = "granted"
    clear_warnings(feedback)
    uow.emit(names.FEEDBACK_EXTENDED, {
        **trail.ref(feedback), "requested_by": feedback.extension_requested_by, "granted_by": actor.username,
        "reason": feedback.extension_reason, "working_days": feedback.extension_days,
        "previous_answer_due": previous, "answer_due": feedback.answer_due, "granted_at": utcnow(),
        "provisional": is_provisional(feedback.answer_due)})
    return feedback


def clear_warnings(feedback: Feedback) -> None:
    """A new answer deadline gets its own yellow, red and escalations."""
    feedback.due_soon_at = feedback.overdue_at = feedback.escalated_1_at = feedback.escalated_2_at = None


def draft_answer(uow: UnitOfWork, actor: Actor, feedback_id: int, body: str) -> Feedback:
    feedback = trail.load(uow.session, feedback_id)
    of_unit(actor, feedback, ("operator",), "拟写答复", plan_office=True)
    trail.move(uow.session, feedback, "answer", actor)
    uow.session.add(Answer(feedback_id=feedback.id, round=feedback.round, body=body, status="review",
                           drafted_by=actor.username, drafted_at=utcnow()))
    return feedback


def _pending_answer(uow: UnitOfWork, feedback: Feedback) -> Answer:
    answer = uow.session.scalar(sa.select(Answer).where(Answer.feedback_id == feedback.id, Answer.status == "review")
                                .order_by(Answer.id.desc()).limit(1))
    if answer is None:
        raise Conflict("这条意见建议没有待审核的答复")
    return answer


def approve_answer(uow: UnitOfWork, actor: Actor, feedback_id: int, note: str | None) -> Feedback:
    """The unit's reviewer approves the draft: the sender sees it now. Never the drafter's own."""
    feedback = trail.load(uow.session, feedback_id)
    of_unit(actor, feedback, ("reviewer",), "审核答复", plan_office=True)
    if feedback.status != "reviewing":
        trail.move(uow.session, feedback, "approve_answer", actor)  # raises the 409 with the state
    answer = _pending_answer(uow, feedback)
    if answer.drafted_by == actor.username:
        raise Forbidden("答复由你本人拟写，不能由你本人审核通过，请由本单位其他审核人审核")
    trail.move(uow.session, feedback, "approve_answer", actor, note)
    now = utcnow()
    answer.status, answer.reviewed_by, answer.reviewed_at, answer.review_note = "approved", actor.username, now, note
    answer.on_time = county_date(now) <= feedback.answer_due
    feedback.answered_at = now
    uow.emit(names.FEEDBACK_ANSWERED, {
        **trail.ref(feedback), "round": feedback.round, "drafted_by": answer.drafted_by, "approved_by": actor.username,
        "answered_at": now, "answer_due": feedback.answer_due, "on_time": answer.on_time, "public": feedback.public})
    return feedback


def return_answer(uow: UnitOfWork, actor: Actor, feedback_id: int, reason: str) -> Feedback:
    feedback = trail.load(uow.session, feedback_id)
    of_unit(actor, feedback, ("reviewer",), "退回答复", plan_office=True)
    if feedback.status != "reviewing":
        trail.move(uow.session, feedback, "reject_answer", actor)
    answer = _pending_answer(uow, feedback)
    trail.move(uow.session, feedback, "reject_answer", actor, reason)
    answer.status, answer.reviewed_by, answer.reviewed_at, answer.review_note = "returned", actor.username, utcnow(), reason
    return feedback




BODIES = {"reject": shapes.FeedbackReason, "transfer": shapes.Transfer, "extend": shapes.ExtensionRequest,
          "grant-extension": shapes.ExtensionDecision, "answer": shapes.AnswerDraft,
          "approve-answer": shapes.AnswerReview, "reject-answer": shapes.FeedbackReason}


def act(uow: UnitOfWork, actor: Actor, feedback_id: int, action: str, data: dict[str, Any] | None,
        settings: Settings) -> Feedback:
    """One of the routes' actions, its body validated as the gateway did."""
    body = validated(BODIES[action](), data, "办理内容") if action in BODIES else {}
    if action == "accept":
        return accept(uow, actor, feedback_id)
    if action == "release":
        return release(uow, actor, feedback_id)
    if action == "reject":
        return reject(uow, actor, feedback_id, body["reason"])
    if action == "transfer":
        return transfer(uow, actor, feedback_id, body["unit_code"], body["reason"])
    if action == "extend":
        return request_extension(uow, actor, feedback_id, body["working_days"], body["reason"], settings)
    if action == "grant-extension":
        return decide_extension(uow, actor, feedback_id, body["grant"], body["note"])
    if action == "answer":
        return draft_answer(uow, actor, feedback_id, body["body"])
    if action == "approve-answer":
        return approve_answer(uow, actor, feedback_id, body["note"])
    if action == "reject-answer":
        return return_answer(uow, actor, feedback_id, body["reason"])
    raise Unprocessable(f"没有“{action}”这种办理操作")
