"""What the console's item pages share: the names of audiences, the sizes of the attachment limit
in words, a correction's diff against the version it corrects (item_diff.py), and a stale form
told in words from the item's trail.

A form on an item carries `seen`, the number of steps its trail had when the form was shown. A
post whose item has taken steps since is refused before anything is done, with who did what and
when ("该事项已由 rv-a001 于 2026年12月1日 14:05 审批通过，请刷新后再操作。"), so a reviewer never
approves a version they did not read."""
from __future__ import annotations

from typing import Any

from ...labels import AUDIENCE_NAMES
from .item_diff import item_diff
from ..kit.render import cn_datetime

# what a step of the trail did, by the status it led to (a step back to a draft is a rejection)
DONE = {"submitted": "提交审核", "reviewed": "审核通过", "approved": "审批通过", "published": "发布",
        "corrected": "更正（已有新的版本）", "withdrawn": "撤回", "archived": "归档", "draft": "退回修改"}
MB = 1024 * 1024


def size_text(size: int) -> str:
    """An upload limit as people say it: 10 MB, 2.5 MB, 195 KB."""
    if size >= MB:
        return f"{size / MB:.1f}".removesuffix(".0") + " MB"
    return f"{max(1, round(size / 1024))} KB"


def seen_of(form: dict[str, str]) -> int | None:
    """The trail length a form was shown with (None when it did not say)."""
    value = form.get("seen") or ""
    return int(value) if value.isdigit() and len(value) < 7 else None


def moved_on(item: dict[str, Any], seen: int | None) -> str | None:
    """Who moved the item on since the form was shown, and when, in words; None if nobody did."""
    trail = item.get("trail") or []
    if seen is None or len(trail) <= seen:
        return None
    since = trail[seen:]
    # an approval publishes at once: name the approval, not the publishing that followed it
    step = next((t for t in reversed(since) if t.get("to_status") != "published"), since[-1])
    did = DONE.get(step.get("to_status"), "办理")
    return f"该事项已由 {step.get('actor')} 于 {cn_datetime(step.get('at'))} {did}，请刷新后再操作。"


def correction_diff(service: Any, actor: dict[str, Any], item: dict[str, Any]) -> dict[str, Any] | None:
    """For a correction (an item with a previous version): its diff against that version."""
    if not item.get("previous_id"):
        return None
    published = service.disclosure.get_item(actor, item["previous_id"])
    return item_diff(published, item, AUDIENCE_NAMES)


def pending_correction(service: Any, actor: dict[str, Any], item: dict[str, Any]) -> dict[str, Any] | None:
    """The correction of a published item still on its way (not yet published), if there is one."""
    if item.get("status") != "published":
        return None
    versions = service.disclosure.item_versions(actor, item["id"])
    return next((v for v in versions if v.get("previous_id") == item["id"] and v.get("status") != "published"),
                None)
