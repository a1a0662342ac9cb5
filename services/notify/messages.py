"""Who is told what, for each event: the texts and the recipients."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common.contract import Event
from services.common.records import utcnow

from .models import Contact, Delivery, KnownUnit

FEEDBACK_KIND_LABELS = {"opinion": "意见", "suggestion": "建议", "complaint": "投诉", "question": "咨询"}


def apply_unit_state(session: Session, state: dict[str, Any]) -> None:
    """Replace the unit's contacts with the officials the event carries, unless a newer
    revision of the unit was applied already."""
    known = session.get(KnownUnit, state["code"])
    if known is not None and known.revision >= state["revision"]:
        return
    known = known or KnownUnit(code=state["code"])
    known.revision, known.status = state["revision"], state["status"]
    session.add(known)
    session.execute(sa.delete(Contact).where(Contact.unit_code == state["code"]))
    for official in state["officials"]:
        session.add(Contact(unit_code=state["code"], role=official["role"], name=official["name"],
                            email=official["email"], phone=official["phone"]))


def item_published(event: Event) -> tuple[str, str]:
    p = event.payload
    subject = f"【党务公开】已发布：{p['title']}"
    body = (f"您单位（{p['unit_code']}）的公开事项《{p['title']}》已于 "
            f"{p['published_at']:%Y-%m-%d %H:%M} (UTC) 发布，公开载体：{'、'.join(p['carriers'])}。\n\n"
            f"{p['summary']}\n")
    return subject, body


def feedback_received(event: Event) -> tuple[str, str]:
    p = event.payload
    label = FEEDBACK_KIND_LABELS.get(p["kind"], p["kind"])
    subject = f"【党务公开】收到新的{label}（{p['tracking_code']}），请于 {p['answer_due']} 前答复"
    body = (f"收到一条关于 {p['target_kind']} {p['target_id']} 的{label}，查询码 {p['tracking_code']}。\n"
            f"请于 {p['acknowledge_due']} 前受理，{p['answer_due']} 前答复。\n\n{p['summary']}\n")
    return subject, body


TEMPLATES = {"ItemPublished": item_published, "FeedbackReceived": feedback_received}


def plan_deliveries(session: Session, event: Event) -> list[Delivery]:
    """Queue an email to the unit's liaison (联络员) about the event. A unit without a
    liaison email gets a failed delivery, so the gap is visible instead of silent."""
    subject, body = TEMPLATES[event.type](event)
    unit_code = event.payload["unit_code"]
    liaison = session.get(Contact, (unit_code, "liaison"))
    now = utcnow()
    delivery = Delivery(cause_event_id=str(event.event_id), cause_type=event.type, unit_code=unit_code,
                        channel="email", recipient=(liaison.email if liaison and liaison.email else ""),
                        subject=subject, body=body, attempts=0, created_at=now)
    if delivery.recipient:
        delivery.status, delivery.next_attempt_at = "pending", now
    else:
        delivery.status, delivery.last_error = "failed", f"unit {unit_code} has no liaison email on record"
    session.add(delivery)
    return [delivery]
