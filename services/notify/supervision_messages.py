"""What notify tells about supervision: inspections to the units inspected and the county
office (the inspectors' shared mailbox, NOTIFY.COUNTY_OFFICE_EMAIL), rectifications to the
unit's liaison (an overdue one to its secretary too: red), submissions, scores and reports
to the office. One delivery per (event, recipient, channel)."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from services.common.contract import Event, names
from services.common.records import utcnow

from .models import Contact, Delivery

DIMENSION_LABELS = {"content": "内容完整真实", "form": "形式有效", "procedure": "程序规范", "on_time": "按时公开",
                    "feedback": "反馈处理"}
KIND_LABELS = {"routine": "例行检查", "special": "专项检查", "random": "随机抽查"}
OFFICE = "office"


def _inspection(p: dict[str, Any], what: str) -> tuple[str, str]:
    subject = f"【党务公开·督查】{KIND_LABELS.get(p['kind'], p['kind'])}“{p['title']}”{what}"
    body = (f"检查“{p['title']}”（{KIND_LABELS.get(p['kind'], p['kind'])}）于 {p['window_opens']} 至 "
            f"{p['window_closes']} 进行。\n检查单位：{'、'.join(p['unit_codes'])}\n检查人员：{'、'.join(p['inspectors'])}\n")
    return subject, body


def _rectification(p: dict[str, Any], what: str, extra: str = "") -> tuple[str, str]:
    subject = f"【党务公开·限期整改】{what}（整改 {p['rectification_id']}，期限 {p['deadline']}）"
    body = (f"单位 {p['unit_code']} 在检查 {p['inspection_id']} 中发现的问题（{DIMENSION_LABELS[p['dimension']]}）：\n"
            f"{p['finding']}\n整改期限：{p['deadline']}。{extra}\n")
    return subject, body


def texts(event: Event) -> tuple[str, str]:
    p = event.payload
    if event.type == names.INSPECTION_DUE:
        return _inspection(p, "即将开始，请做好准备")
    if event.type == names.INSPECTION_OVERDUE:
        subject, body = _inspection(p, "窗口已结束，仍有单位未评分")
        return subject, body + f"未评分单位：{'、'.join(p['unscored_unit_codes'])}\n"
    if event.type == names.RECTIFICATION_OPENED:
        return _rectification(p, "请按期整改", "请在期限内整改并在系统中提交整改情况和佐证。")
    if event.type == names.RECTIFICATION_SUBMITTED:
        return _rectification(p, f"单位 {p['unit_code']} 已提交整改，请验收")
    if event.type == names.RECTIFICATION_RETURNED:
        return _rectification(p, "整改被退回", f"退回理由：{p['reason']}。请重新整改后再提交。")
    if event.type == names.RECTIFICATION_DUE_SOON:
        return _rectification(p, "黄色提醒：整改将于 3 个工作日内到期")
    if event.type == names.RECTIFICATION_OVERDUE:
        return _rectification(p, "红色预警：整改已逾期", "逾期未整改将在考核中扣分。")
    if event.type == names.SCORES_COMPUTED:
        subject = f"【党务公开·考核】{p['period']} 得分已计算，平均 {p['mean']} 分"
        body = (f"{p['period']} 共 {p['units']} 个单位参加考核，低于 {p['threshold']:g} 分的单位："
                f"{'、'.join(p['below_threshold']) or '无'}。\n连续两期低于的单位（建议约谈）："
                f"{'、'.join(p['interviews']) or '无'}。\n示范点低于的（建议复核）：{'、'.join(p['reviews']) or '无'}。\n")
        return subject, body
    subject = f"【党务公开·通报】{p['title']} 已印发"
    return subject, f"{p['title']} 已于 {p['issued_at']:%Y-%m-%d} 印发（{'已向社会公布' if p['published'] else '内部通报'}）。\n"


TO_UNITS = {names.INSPECTION_DUE, names.RECTIFICATION_OPENED, names.RECTIFICATION_RETURNED,
            names.RECTIFICATION_DUE_SOON, names.RECTIFICATION_OVERDUE}
TO_OFFICE = {names.INSPECTION_DUE, names.INSPECTION_OVERDUE, names.RECTIFICATION_SUBMITTED, names.SCORES_COMPUTED,
             names.REPORT_ISSUED}


def plan_deliveries(session: Session, event: Event, office_email: str) -> list[Delivery]:
    subject, body = texts(event)
    now = utcnow()
    p = event.payload
    recipients: list[tuple[str, str]] = []  # (unit_code, address)
    if event.type in TO_UNITS:
        units = p["unit_codes"] if "unit_codes" in p else [p["unit_code"]]
        roles = ("liaison", "secretary") if event.type == names.RECTIFICATION_OVERDUE else ("liaison",)
        for unit in units:
            for role in roles:
                contact = session.get(Contact, (unit, role))
                if role == "liaison" or (contact and contact.email):
                    recipients.append((unit, contact.email if contact and contact.email else ""))
    if event.type in TO_OFFICE:
        recipients.append((OFFICE, office_email))
    deliveries, seen = [], set()
    for unit, address in recipients:
        if address and address in seen:
            continue
        seen.add(address)
        delivery = Delivery(cause_event_id=str(event.event_id), cause_type=event.type, unit_code=unit, channel="email",
                            recipient=address, subject=subject, body=body, attempts=0, created_at=now)
        if address:
            delivery.status, delivery.next_attempt_at = "pending", now
        else:
            delivery.status, delivery.last_error = "failed", f"unit {unit} has no liaison email on record"
        session.add(delivery)
        deliveries.append(delivery)
    return deliveries
