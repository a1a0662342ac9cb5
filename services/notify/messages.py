"""Who is told what, for each event: the texts and the recipients."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common.contract import Event, names
from services.common.records import utcnow

from . import feedback_notices
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


def _short(text: str, most: int = 120) -> str:
    """A catalogue matter fit for a subject line (the whole of it is in the body)."""
    return text if len(text) <= most else text[:most - 1] + "…"


def obligation_due_soon(event: Event) -> tuple[str, str]:
    """Yellow (黄色提醒): due within 3 working days and not yet disclosed."""
    p = event.payload
    subject = f"【党务公开·黄色提醒】{_short(p['matter'])}（{p['period']}）将于 {p['due_on']} 到期"
    body = (f"您单位（{p['unit_code']}）的公开任务“{p['matter']}”（{p['period']}，目录 {p['entry_code']}）"
            f"将于 {p['due_on']} 到期，剩余不超过 3 个工作日，尚未公开。\n"
            f"请及时完成提出、审核、审批并公开。\n")
    return subject, body


def obligation_overdue(event: Event) -> tuple[str, str]:
    """Red (红色预警): past its due date and not disclosed; the secretary is told too."""
    p = event.payload
    subject = f"【党务公开·红色预警】{_short(p['matter'])}（{p['period']}）已逾期（应于 {p['due_on']} 前公开）"
    body = (f"您单位（{p['unit_code']}）的公开任务“{p['matter']}”（{p['period']}，目录 {p['entry_code']}）"
            f"应于 {p['due_on']} 前公开，现已逾期。\n"
            f"请立即补充公开；逾期公开将记为“逾期完成”，纳入年度考核。\n")
    return subject, body


TEMPLATES = {names.ITEM_PUBLISHED: item_published, names.FEEDBACK_RECEIVED: feedback_received,
             names.OBLIGATION_DUE_SOON: obligation_due_soon, names.OBLIGATION_OVERDUE: obligation_overdue}
TEMPLATES.update(feedback_notices.TEMPLATES)
# who is told first, by event type, when not the unit's liaison: roles of the unit's officials,
# or feedback_notices.COUNTY_OFFICE (the address in config NOTIFY.COUNTY_OFFICE_EMAIL)
FIRST_TOLD = dict(feedback_notices.RECIPIENTS)
# who is told besides the liaison (联络员), when they have an email: the secretary (书记) of a red warning
ALSO_TOLD = {names.OBLIGATION_OVERDUE: ("secretary",)}


def plan_deliveries(session: Session, event: Event, county_office: str | None = None) -> list[Delivery]:
    """Queue an email to the unit's liaison (联络员) about the event, and to the other
    officials the event concerns who have an email. A unit without a liaison email gets
    a failed delivery, so the gap is visible instead of silent."""
    subject, body = TEMPLATES[event.type](event)
    unit_code = event.payload["unit_code"]
    now = utcnow()

    def delivery_to(recipient: str) -> Delivery:
        return Delivery(cause_event_id=str(event.event_id), cause_type=event.type, unit_code=unit_code,
                        channel="email", recipient=recipient, subject=subject, body=body, attempts=0, created_at=now)

    (first,) = FIRST_TOLD[event.type](event) if event.type in FIRST_TOLD else ("liaison",)
    if first == feedback_notices.COUNTY_OFFICE:
        address, missing = county_office or "", "no county office email is configured (NOTIFY COUNTY_OFFICE_EMAIL)"
    else:
        official = session.get(Contact, (unit_code, first))
        address, missing = (official.email if official and official.email else ""), \
            f"unit {unit_code} has no {first} email on record"
    deliveries = [delivery_to(address)]
    for role in ALSO_TOLD.get(event.type, ()):
        official = session.get(Contact, (unit_code, role))
        if official and official.email and official.email not in {d.recipient for d in deliveries}:
            deliveries.append(delivery_to(official.email))
    for delivery in deliveries:
        if delivery.recipient:
            delivery.status, delivery.next_attempt_at = "pending", now
        else:
            delivery.status, delivery.last_error = "failed", missing
        session.add(delivery)
    return deliveries
