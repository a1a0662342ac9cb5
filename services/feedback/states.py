"""The feedback state machine: one table {(state, action): new_state}.

held (待审, the word screen stopped it) → received (to the unit) → accepted (受理) →
reviewing (the unit's answer awaits its reviewer) → answered (the sender sees it) → closed,
or reopened (the sender was not satisfied) → reviewing → answered again. rejected (不予受理)
from held or received. Transfers and extensions leave the state as it is."""
from __future__ import annotations

from services.common.errors import Conflict

STATUSES = ("held", "received", "accepted", "reviewing", "answered", "reopened", "rejected", "closed")
OPEN = ("received", "accepted", "reviewing", "reopened")  # the unit owes an answer: the clock runs
LABELS = {"held": "待审", "received": "待受理", "accepted": "已受理", "reviewing": "答复待审", "answered": "已答复",
          "reopened": "已重新办理", "rejected": "不予受理", "closed": "已办结"}
ACTION_LABELS = {"receive": "收到", "hold": "待审（敏感词）", "release": "审核放行", "accept": "受理", "reject": "不予受理",
                 "transfer": "转办", "extend": "申请延期", "grant_extension": "批准延期",
                 "refuse_extension": "不批准延期", "answer": "拟写答复", "approve_answer": "审核通过答复",
                 "reject_answer": "退回答复", "rate": "评价", "reopen": "重新办理", "close": "办结"}

TRANSITIONS: dict[tuple[str, str], str] = {
    ("held", "release"): "received",
    ("held", "reject"): "rejected",
    ("received", "accept"): "accepted",
    ("received", "reject"): "rejected",
    ("received", "transfer"): "received",
    ("accepted", "transfer"): "accepted",
    ("reviewing", "transfer"): "accepted",  # the draft belongs to the old unit; the new one answers
    ("reopened", "transfer"): "reopened",
    ("answered", "transfer"): "answered",  # a reopening then goes to the new unit (after a merge, say)
    ("accepted", "extend"): "accepted",
    ("reviewing", "extend"): "reviewing",
    ("reopened", "extend"): "reopened",
    ("accepted", "grant_extension"): "accepted",
    ("reviewing", "grant_extension"): "reviewing",
    ("reopened", "grant_extension"): "reopened",
    ("accepted", "answer"): "reviewing",
    ("reopened", "answer"): "reviewing",
    ("reviewing", "approve_answer"): "answered",
    ("reviewing", "reject_answer"): "accepted",
    ("answered", "rate"): "answered",  # then closed or reopened, by the rating
    ("answered", "reopen"): "reopened",
    ("answered", "close"): "closed",
}


def next_state(state: str, action: str) -> str:
    """The state after `action`, or a 409 naming why it cannot be done now."""
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise Conflict(f"该意见当前为“{LABELS.get(state, state)}”，不能{ACTION_LABELS.get(action, action)}",
                       {"status": state, "action": action}) from None
