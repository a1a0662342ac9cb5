"""The sender's contact (个人信息): what notify may use of it to tell the sender of each step,
and nothing else; how long it is kept, and its erasure (个人信息保护法 第十七条、第十九条、
第四十七条). It is sealed at rest (the column is `Sealed`) and opened here only to be handed to
notify for a send; the tracking views never show it. It is erased `contact_retention_days` after
the case ended (closed or refused; the text stays under the archive rule), or earlier by the
sender with the tracking code and PIN: the contact goes, the step is kept in the trail (who,
when, why), FeedbackContactErased tells notify to drop any send still waiting, and nothing
else changes."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common.contract import names
from services.common.db import UnitOfWork
from services.common.errors import Conflict, validated
from services.common.records import utcnow
from services.common.shapes import feedback as shapes

from . import sender, trail
from .models import Feedback
from .settings import Settings

ENDED = ("closed", "rejected")
BATCH = 500

# a mainland mobile number (an optional +86 in front), and an email address, anywhere in the text
MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d[- ]?\d{4}[- ]?\d{4})(?!\d)")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


def channels_of(contact: str | None) -> dict[str, str | None]:
    """The mobile number and the email address a sender wrote in the contact field (either may
    be missing: a landline or a name alone reaches nobody automatically)."""
    text = contact or ""
    mobile = MOBILE.search(text)
    email = EMAIL.search(text)
    return {"mobile": re.sub(r"[- ]", "", mobile.group(1)) if mobile else None,
            "email": email.group(0) if email else None}


def sender_contact(session: Session, feedback_id: int) -> dict[str, Any] | None:
    """For notify, at the moment it sends: the tracking code (for the link; never the PIN) and
    where the sender can be reached. None when there is no such feedback."""
    feedback = session.get(Feedback, int(feedback_id))
    if feedback is None:
        return None
    return {"tracking_code": feedback.tracking_code, **channels_of(feedback.contact)}


def notice(settings: Settings) -> dict[str, Any]:
    """What the feedback form tells a sender about the contact: its uses and how long it is kept."""
    return {"retention_days": settings.contact_retention_days,
            "uses": ["答复单位和县党务公开办在办理中与您联系",
                     "受理、不予受理、转办、延期、答复和办结时，以短信或邮件告诉您办理进度"]}


def erase(uow: UnitOfWork, feedback: Feedback, reason: str, by: str) -> bool:
    """Erase the contact (False when there is none left to erase); the step and the event."""
    if feedback.contact is None:
        return False
    feedback.contact, feedback.contact_erased_at = None, utcnow()
    trail.record(uow.session, feedback, "erase_contact", by, feedback.status, reason)
    uow.emit(names.FEEDBACK_CONTACT_ERASED, {**trail.ref(feedback), "tracking_code": feedback.tracking_code,
                                             "reason": reason, "erased_at": feedback.contact_erased_at})
    return True


def erase_by_sender(uow: UnitOfWork, tracking_code: str, data: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """The sender, with the tracking code and PIN, has the contact erased now."""
    body = validated(shapes.ContactErasure(), data, "删除联系方式")
    feedback = trail.by_code(uow.session, tracking_code, lock=True)
    sender.check_secret(uow, feedback, body["secret"], settings)
    if not erase(uow, feedback, "sender", "sender"):
        raise Conflict("这条意见建议没有留存的联系方式（提交时没有填写，或已经删除）", {"erased": True})
    return sender.track_view(uow.session, feedback)


def erase_expired(uow: UnitOfWork, settings: Settings, now: datetime | None = None) -> int:
    """The retention rule, run by the timer: every contact of a case that ended more than
    `contact_retention_days` ago is erased; each row is locked and checked again, so two
    replicas never erase (and announce) one twice. COMMITS, as the other timers do."""
    cutoff = (now or utcnow()) - timedelta(days=settings.contact_retention_days)
    due = sa.and_(Feedback.contact.is_not(None), Feedback.status.in_(ENDED), Feedback.closed_at <= cutoff)
    ids = list(uow.session.scalars(sa.select(Feedback.id).where(due).order_by(Feedback.id).limit(BATCH)))
    erased = 0
    for feedback_id in ids:
        feedback = uow.session.get(Feedback, feedback_id, with_for_update=True, populate_existing=True)
        if feedback.status in ENDED and feedback.closed_at is not None and feedback.closed_at <= cutoff:
            erased += erase(uow, feedback, "retention", trail.SYSTEM)
    uow.commit()
    return erased
