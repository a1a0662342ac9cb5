"""Reading feedback: the work queues (a unit's officials see their unit's, the county office
all of it, by town and unit), one feedback with its steps and answers, and the public
questions and answers (公开答复). The sender's contact is shown only to the answering unit and
the county office; everywhere else it is masked, and public text has phone numbers masked."""
from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common.actor import Actor
from services.common.errors import Forbidden, InvalidInput, NotFound
from services.common.i18n import term
from services.common.workdays import add_working_days, county_today, is_provisional

from . import roles, routing, trail
from .models import Answer, Feedback, Target
from .settings import Settings
from .states import OPEN, STATUSES

PHONE = re.compile(r"(?<!\d)(1\d{2})\d{4}(\d{4})(?!\d)")
EMAIL = re.compile(r"([A-Za-z0-9._%+-]{1,2})[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+)")


def mask(contact: str | None) -> str | None:
    """138****0000 for a mobile number, ab***@example.org for an email, 张*** for the rest."""
    if not contact:
        return contact
    masked = EMAIL.sub(r"\1***@\2", PHONE.sub(r"\1****\2", contact))
    return masked if masked != contact else contact[:1] + "***"


def mask_text(text: str) -> str:
    return EMAIL.sub(r"\1***@\2", PHONE.sub(r"\1****\2", text))


def may_see(actor: Actor, feedback: Feedback) -> bool:
    """The county office sees all; a unit's officials their unit's, once it reached them."""
    if actor.county:
        return True
    return actor.role in ("operator", "reviewer") and actor.unit == feedback.unit_code and feedback.status != "held"


def _flags(feedback: Feedback, today, settings: Settings) -> dict[str, Any]:
    is_open = feedback.status in OPEN
    red = is_open and feedback.answer_due < today
    yellow = is_open and not red and feedback.answer_due <= add_working_days(today, settings.warning_working_days)
    level = 2 if feedback.escalated_2_at else 1 if feedback.escalated_1_at else 0
    return {"yellow": yellow, "red": red, "escalation_level": level if is_open else 0,
            "acknowledge_late": feedback.status == "received" and feedback.acknowledge_due < today}


def row(feedback: Feedback, towns: dict[str, str], today, settings: Settings) -> dict[str, Any]:
    return {"id": feedback.id, "tracking_code": feedback.tracking_code, "status": feedback.status,
            "status_label": term("feedback_status", feedback.status), "kind": feedback.kind, "source": feedback.source,
            "target_kind": feedback.target_kind, "target_id": feedback.target_id, "unit_code": feedback.unit_code,
            "town": towns.get(feedback.unit_code, routing.COUNTY_LEVEL), "summary": feedback.content[:100],
            "received_at": feedback.received_at.isoformat(), "acknowledge_due": feedback.acknowledge_due.isoformat(),
            "answer_due": feedback.answer_due.isoformat(), "due_provisional": is_provisional(feedback.answer_due),
            "round": feedback.round,
            "extension_status": feedback.extension_status, "public": feedback.public, "reports": feedback.reports,
            "answer_hidden": feedback.answer_hidden, **_flags(feedback, today, settings)}


def list_feedback(session: Session, actor: Actor, filters: dict[str, Any], limit: int, after: int | None,
                  settings: Settings) -> dict[str, Any]:
    """Newest first; `after` is the last id of the previous page."""
    query = sa.select(Feedback).order_by(Feedback.id.desc()).limit(limit)
    if actor.county:
        if filters.get("unit"):
            query = query.where(Feedback.unit_code == filters["unit"])
        if filters.get("town"):
            query = query.where(Feedback.unit_code.in_(routing.units_of_town(session, filters["town"])))
    elif actor.role in ("operator", "reviewer") and actor.unit:
        query = query.where(Feedback.unit_code == actor.unit, Feedback.status != "held")
    else:
        raise Forbidden("意见建议的办理清单只对本单位党务干事、审核人和县委办公室开放")
    status = filters.get("status")
    if status:
        if status not in STATUSES:
            raise InvalidInput(f"status 应为 {', '.join(STATUSES)} 之一")
        query = query.where(Feedback.status == status)
    if filters.get("kind"):
        query = query.where(Feedback.kind == filters["kind"])
    today = county_today()
    if filters.get("overdue"):
        query = query.where(Feedback.status.in_(OPEN), Feedback.answer_due < today)
    if filters.get("reported"):
        query = query.where(Feedback.reports > 0)
    if filters.get("extension"):
        query = query.where(Feedback.extension_status == filters["extension"])
    if filters.get("target"):
        kind, _, target_id = filters["target"].partition(":")
        query = query.where(Feedback.target_kind == kind, Feedback.target_id == target_id)
    if filters.get("q"):
        query = query.where(Feedback.content.contains(filters["q"], autoescape=True))
    if after:
        query = query.where(Feedback.id < after)
    found = list(session.scalars(query))
    towns = routing.towns(session)
    items = [{**row(f, towns, today, settings), "actions": roles.actions(actor, f)} for f in found]
    return {"items": items, "next": found[-1].id if len(found) == limit else None}


def detail(session: Session, actor: Actor, feedback_id: int, settings: Settings) -> dict[str, Any]:
    feedback = session.get(Feedback, feedback_id)
    if feedback is None:
        raise NotFound(f"没有编号为 {feedback_id} 的意见建议")
    if not may_see(actor, feedback):  # whose it is, so a forwarded link explains itself
        raise Forbidden(f"意见建议 {feedback_id} 由单位 {feedback.unit_code} 办理，您无权查看")
    target = session.get(Target, (feedback.target_kind, feedback.target_id))
    answers = session.scalars(sa.select(Answer).where(Answer.feedback_id == feedback.id).order_by(Answer.id)).all()
    drafter = next((a.drafted_by for a in reversed(answers) if a.status == "review"), None)
    return {**row(feedback, routing.towns(session), county_today(), settings),
            "actions": roles.actions(actor, feedback, drafter),
            "content": feedback.content, "contact": feedback.contact, "target_title": target.title if target else None,
            "held_reason": feedback.held_reason, "reopen_count": feedback.reopen_count,
            "extension": {"status": feedback.extension_status, "working_days": feedback.extension_days,
                          "reason": feedback.extension_reason, "requested_by": feedback.extension_requested_by},
            "rating": feedback.rating, "rating_comment": feedback.rating_comment,
            "answers": [{"id": a.id, "round": a.round, "body": a.body, "status": a.status, "drafted_by": a.drafted_by,
                         "drafted_at": a.drafted_at.isoformat(), "reviewed_by": a.reviewed_by,
                         "reviewed_at": a.reviewed_at.isoformat() if a.reviewed_at else None,
                         "review_note": a.review_note} for a in answers],
            "steps": [{"at": s.at.isoformat(), "action": s.action, "label": term("feedback_action", s.action),
                       "actor": s.actor, "role": s.role,
                       "from_status": s.from_status, "to_status": s.to_status, "note": s.note, "unit_code": s.unit_code}
                      for s in trail.steps(session, feedback.id)]}


def public_answers(session: Session, filters: dict[str, Any], limit: int, after: int | None) -> dict[str, Any]:
    """Questions whose sender allowed it, with their latest approved answer; hidden ones
    (reported, awaiting the office) left out. No contact, phone numbers masked."""
    latest = (sa.select(Answer.feedback_id, sa.func.max(Answer.id).label("answer_id"))
              .where(Answer.status == "approved").group_by(Answer.feedback_id).subquery())
    query = (sa.select(Feedback, Answer).join(latest, latest.c.feedback_id == Feedback.id)
             .join(Answer, Answer.id == latest.c.answer_id)
             .where(Feedback.public.is_(True), Feedback.answer_hidden.is_(False),
                    Feedback.status.in_(("answered", "closed", "reopened", "reviewing", "accepted")))
             .order_by(Feedback.id.desc()).limit(limit))
    if filters.get("unit"):
        query = query.where(Feedback.unit_code == filters["unit"])
    if filters.get("item") is not None:
        query = query.where(Feedback.target_kind == "item", Feedback.target_id == str(filters["item"]))
    if after:
        query = query.where(Feedback.id < after)
    found = session.execute(query).all()
    items = [{"id": f.id, "kind": f.kind, "target_kind": f.target_kind, "target_id": f.target_id,
              "unit_code": f.unit_code, "question": mask_text(f.content), "answer": mask_text(a.body),
              "asked_at": f.received_at.isoformat(), "answered_at": a.reviewed_at.isoformat(), "rating": f.rating}
             for f, a in found]
    return {"items": items, "next": found[-1][0].id if len(found) == limit else None}
