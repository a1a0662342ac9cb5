"""What notify tells about feedback, and to whom: the answering unit's liaison (联络员) of
yellow and red, of feedback transferred to it and of feedback reopened; its secretary (书记) of
the first escalation, the county office of the second. New feedback (FeedbackReceived) goes to
the liaison with the other templates."""
from __future__ import annotations

from services.common.contract import Event, names

KIND_LABELS = {"opinion": "意见", "suggestion": "建议", "complaint": "投诉", "question": "咨询"}
COUNTY_OFFICE = "county_office"  # a recipient that is no unit's official: the address in config


def _what(p: dict) -> str:
    return f"编号 {p['feedback_id']} 的{KIND_LABELS.get(p['kind'], p['kind'])}（关于 {p['target_kind']} {p['target_id']}）"


def feedback_due_soon(event: Event) -> tuple[str, str]:
    p = event.payload
    return (f"【意见建议·黄色提醒】{_what(p)}将于 {p['answer_due']} 到期",
            f"您单位（{p['unit_code']}）办理的{_what(p)}应于 {p['answer_due']} 前答复，剩余不超过 3 个工作日。\n"
            f"请尽快拟写答复并提交审核人审核；确需延期的，请申请延期。\n")


def feedback_overdue(event: Event) -> tuple[str, str]:
    p = event.payload
    return (f"【意见建议·红色预警】{_what(p)}已逾期（应于 {p['answer_due']} 前答复）",
            f"您单位（{p['unit_code']}）办理的{_what(p)}应于 {p['answer_due']} 前答复，现已逾期。\n"
            f"请立即答复；逾期未答复将逐级督办至书记和县委办公室。\n")


def feedback_escalated(event: Event) -> tuple[str, str]:
    p = event.payload
    to = "单位书记" if p["level"] == 1 else "县委党务公开领导小组办公室"
    return (f"【意见建议·督办（{p['level']}级）】{p['unit_code']} 的{_what(p)}逾期未答复",
            f"{p['unit_code']} 办理的{_what(p)}应于 {p['answer_due']} 前答复，逾期后仍未答复，"
            f"现督办至{to}。\n请督促该单位立即答复。\n")


def feedback_transferred(event: Event) -> tuple[str, str]:
    """To the liaison of the unit that answers now."""
    p = event.payload
    return (f"【意见建议·转办】{_what(p)}转由您单位办理，请于 {p['answer_due']} 前答复",
            f"{_what(p)}已由 {p['from_unit_code']} 转由您单位（{p['unit_code']}）办理：{p['reason']}。\n"
            f"答复期限不变，仍为 {p['answer_due']}。请登录系统受理并答复。\n")


def feedback_reopened(event: Event) -> tuple[str, str]:
    p = event.payload
    return (f"【意见建议·重新办理】{_what(p)}的提出人不满意，请于 {p['answer_due']} 前再次答复",
            f"您单位（{p['unit_code']}）答复的{_what(p)}，提出人表示不满意并申请重新办理（第 {p['round']} 轮）。\n"
            f"请于 {p['answer_due']} 前重新答复。\n")


TEMPLATES = {names.FEEDBACK_DUE_SOON: feedback_due_soon, names.FEEDBACK_OVERDUE: feedback_overdue,
             names.FEEDBACK_ESCALATED: feedback_escalated, names.FEEDBACK_TRANSFERRED: feedback_transferred,
             names.FEEDBACK_REOPENED: feedback_reopened}


def recipients(event: Event) -> tuple[str, ...]:
    """The officials' roles (or COUNTY_OFFICE) an event of this module goes to."""
    if event.type == names.FEEDBACK_ESCALATED:
        return ("secretary",) if event.payload["level"] == 1 else (COUNTY_OFFICE,)
    return ("liaison",)


RECIPIENTS = {name: recipients for name in TEMPLATES}
